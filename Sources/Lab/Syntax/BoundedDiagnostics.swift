import SwiftDiagnostics
import SwiftParser
import SwiftParserDiagnostics
import SwiftSyntax

/// The parser's diagnostics for a step, at a cost that stays small whatever the step holds.
///
/// swift-syntax's `ParseDiagnosticsGenerator` keeps the nodes it has handled in an array and
/// searches that array at every node, so its time grows with the square of the mistakes in the
/// tree: 20,000 lines of `let = ` took `lab check` 12 s, and the 4 MiB a lab file may hold
/// would have taken hours. So a step with neither errors nor warnings is not diagnosed at all
/// (its tree says so in a flag), and a step with some is diagnosed only from its start to
/// `window` bytes past its first mistake (to the end of that line): the first error, the one a
/// step stops at, is the same, and later lines past the window are not read.
struct BoundedDiagnostics {
    /// The diagnostics, sorted by position; empty when the step parsed cleanly.
    let diagnostics: [Diagnostic]
    /// Whether they cover the whole step, or only the window after its first mistake.
    let complete: Bool

    /// How far past a step's first mistake its diagnostics look: hundreds of lines of any lab,
    /// a few thousand mistakes at most (well under 0.2 s).
    static let window = 16_384

    /// The diagnostics of `tree`, parsed from `source`, through `window` bytes past its first
    /// mistake; `parse` parses a prefix of it the same way.
    init(of tree: SourceFileSyntax, source: [UInt8], window: Int = Self.window, parse: ([UInt8]) -> SourceFileSyntax) {
        guard tree.hasError || tree.hasWarning else {
            (diagnostics, complete) = ([], true)
            return
        }
        let first = Self.firstMistake(in: Syntax(tree)).utf8Offset
        guard let end = Self.end(of: source, after: first + window, window: window) else {
            (diagnostics, complete) = (ParseDiagnosticsGenerator.diagnostics(for: tree), true)
            return
        }
        (diagnostics, complete) = (ParseDiagnosticsGenerator.diagnostics(for: parse(Array(source[..<end]))), false)
    }

    /// Where the first missing or unexpected node, or token with a lexer's diagnostic, lies:
    /// down the tree through the first child that has one, as its flags tell.
    static func firstMistake(in root: Syntax) -> AbsolutePosition {
        var node = root
        while node.kind != .unexpectedNodes, !node.kind.isMissing, !node.is(TokenSyntax.self),
              let child = node.children(viewMode: .all).first(where: { $0.hasError || $0.hasWarning }) {
            node = child
        }
        return node.position
    }

    /// The end of the line at `offset` in `source` (after its line feed), or at most another
    /// `window` bytes on at a character's start; nil when the source ends before `offset`.
    static func end(of source: [UInt8], after offset: Int, window: Int = Self.window) -> Int? {
        guard offset < source.count else { return nil }
        let limit = min(source.count, offset + window)
        if let lineFeed = source[offset..<limit].firstIndex(of: UInt8(ascii: "\n")) { return lineFeed + 1 }
        guard limit < source.count else { return nil }
        var cut = limit
        // Not inside a character: UTF-8 continuation bytes are 10xxxxxx.
        while cut > offset, source[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut
    }
}
