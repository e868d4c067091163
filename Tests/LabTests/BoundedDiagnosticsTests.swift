@testable import Lab
import SwiftParser
import SwiftParserDiagnostics
import SwiftSyntax
import Testing

/// A step's parser diagnostics: the same first error as swift-syntax's whole diagnosis, from a
/// window that ends a bounded distance past the first mistake, whatever follows it.
@Suite struct BoundedDiagnosticsTests {
    /// The bounded diagnosis of `text` (with a window of `window` bytes), swift-syntax's whole
    /// one, and where the first mistake lies.
    func diagnose(_ text: String, window: Int = BoundedDiagnostics.window) -> (bounded: BoundedDiagnostics, unbounded: [String], first: Int) {
        let source = Array(text.utf8)
        let tree = Parser.parse(source: text)
        let bounded = BoundedDiagnostics(of: tree, source: source, window: window) { prefix -> SourceFileSyntax? in
            prefix.withUnsafeBufferPointer { Parser.parse(source: $0) }
        }
        return (bounded, ParseDiagnosticsGenerator.diagnostics(for: tree).map(\.message),
                BoundedDiagnostics.firstMistake(in: Syntax(tree)).utf8Offset)
    }

    @Test func aCleanStepIsNotDiagnosed() {
        let (bounded, unbounded, _) = diagnose("let a = 1\nprint(a)\n")
        #expect(bounded.diagnostics.isEmpty && bounded.complete && unbounded.isEmpty)
    }

    /// A short step is diagnosed whole: every diagnostic, as swift-syntax gives them.
    @Test(arguments: ["let = 1", "for i in range(3):\n    print(i)", "print(f\"a\")\nlet x = )", "let a = [1, 2\n"])
    func aShortStepIsDiagnosedWhole(code: String) {
        let (bounded, unbounded, _) = diagnose(code)
        #expect(bounded.complete && bounded.diagnostics.map(\.message) == unbounded && !unbounded.isEmpty)
    }

    /// Hundreds of mistakes past a window of 256 bytes (swift-syntax's whole diagnosis takes
    /// time with their square): the first error is the same, and nothing far past the window is
    /// read, on many lines or on one.
    @Test(arguments: [("let = \n", 1_000), ("let = ;", 1_000), ("print(f\"a {1}\")\n", 500)])
    func manyMistakesAreReadOnlyInAWindow(line: String, count: Int) {
        let (bounded, unbounded, first) = diagnose("let a = 1\n" + String(repeating: line, count: count), window: 256)
        #expect(!bounded.complete)
        #expect(bounded.diagnostics.first?.message == unbounded.first)
        #expect(bounded.diagnostics.first?.position.utf8Offset == first && (10..<(10 + line.utf8.count)).contains(first))
        let last = bounded.diagnostics.map(\.position.utf8Offset).max() ?? 0
        #expect(last <= first + 2 * 256 && bounded.diagnostics.count < unbounded.count / 4,
                "\(bounded.diagnostics.count) of \(unbounded.count), the last at \(last)")
    }

    /// A wide window ends sooner at its hundred-and-first mistake after the first.
    @Test func theWindowEndsAtItsHundredthMistake() {
        let (bounded, unbounded, _) = diagnose(String(repeating: "let = ;", count: 1_000), window: 1 << 20)
        #expect(!bounded.complete && bounded.diagnostics.first?.message == unbounded.first)
        #expect(bounded.diagnostics.count < unbounded.count / 4, "\(bounded.diagnostics.count) of \(unbounded.count)")
    }

    /// A mistake at the very end after a long clean stretch: the window reaches the end, so the
    /// diagnosis is whole.
    @Test func aMistakeAtTheEndIsDiagnosedWhole() {
        let code = "for i in 0..<3 {\n" + String(repeating: "    print(i)\n", count: 3_000)
        let (bounded, unbounded, _) = diagnose(code)
        #expect(bounded.complete && bounded.diagnostics.map(\.message) == unbounded)
    }

    /// The window ends at its line's end when that comes soon, else right there at a
    /// character's start (never in the middle of a Hangul syllable's three bytes).
    @Test func theWindowEndsAtALineOrACharacter() {
        let line = Array(("let x = 1\n" + String(repeating: "한", count: 20_000)).utf8)
        #expect(BoundedDiagnostics.end(of: line, after: 0) == 10)
        #expect(BoundedDiagnostics.end(of: line, after: 11) == 13)
        #expect(BoundedDiagnostics.end(of: line, after: line.count) == nil)
    }
}
