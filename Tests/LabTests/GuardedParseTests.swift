import Foundation
@testable import Lab
import SwiftSyntax
import Testing

/// Steps that stopped or hung `lab` inside swift-syntax's parser, and what they get now.
@Suite struct GuardedParseTests {
    func error(of code: String) throws -> LabError? { try errorOfStep(code) }

    /// Chains the parser recurses through without a bracket: each stopped the process on the
    /// main thread's stack (a segmentation fault) at these lengths; now the parse has a deep
    /// stack of its own and the tree's depth is refused where it passes the limit, or the step
    /// fails as the code deserves.
    /// (`a<a<a<…`, 1,472 of them, stopped it in the parser's lookahead; that chain is slow to
    /// parse as well, so it is left to the time limit below, not run here.)
    @Test(arguments: [("if a{}else ", 5_900, "{}"), ("try? ", 9_000, "1"), ("var ", 6_500, "a = 1")])
    func chainsThatStoppedTheProcessAreRefused(link: String, count: Int, end: String) throws {
        let failure = try #require(try error(of: "let a = 1\n" + String(repeating: link, count: count) + end))
        #expect(failure.line == 5 && failure.message.contains("nests more than 1,000 levels deep"), "\(failure.message.prefix(200))")
    }

    /// The shipped labs' trees are far from the depth limit, and parse quickly.
    @Test func shippedLabsAreFarFromTheLimits() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../labs").standardized
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }
        #expect(files.count >= 7)
        var deepest = 0
        for name in files {
            let file = try LabFile(path: name, text: String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
            for step in file.steps {
                #expect(step.source.utf8.count * 8 < GuardedParse.maximumBytes)
                let tree = try GuardedParse.parse(step.source, maximumNestingLevel: Evaluator.maximumNesting).get()
                deepest = max(deepest, GuardedParse.deepest(in: Syntax(tree)).depth)
            }
        }
        #expect(deepest > 10 && deepest * 4 < GuardedParse.maximumDepth, "\(deepest)")
    }

    @Test func aStepHoldsAtMost64KiB() throws {
        let failure = try #require(try error(of: String(repeating: "let a = 1\n", count: 7_000)))
        #expect(failure.line == 4 && failure.message.hasPrefix("this step holds 70,000 bytes; a step may hold at most 65,536 (64 KiB)"))
    }

    /// Brackets nested as deeply as the evaluator allows make a tree well within the limit.
    @Test func sixtyFourBracketsAreWithinTheDepth() throws {
        let code = "let a = " + String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64)
        let tree = try GuardedParse.parse(code, maximumNestingLevel: Evaluator.maximumNesting).get()
        #expect(GuardedParse.deepest(in: Syntax(tree)).depth < GuardedParse.maximumDepth / 2)
    }

    /// A run of '#' was read again from each '#' (by swift-syntax's lexer, and by our own scan).
    @Test func runsOfHashesAreShort() throws {
        let failure = try #require(try error(of: "let a = 1\nlet b = " + String(repeating: "#", count: 40_000)))
        #expect((failure.line, failure.column) == (5, 9) && failure.message.hasPrefix("'#' comes 40000 times in a row here"))
        let raw = try #require(try error(of: "let s = ##\"a\"##\nprint(s)\nlet t = ####"))
        #expect(raw.line == 6 && !raw.message.contains("in a row"), "\(raw.message)")
    }

    /// A parse past its time is given up: refused at once when asked again, and counted as
    /// running until its thread ends. (`#available(` 80 times takes swift-syntax a second or
    /// two in a debug build, its time growing with the cube of the count; the watch allows 20 ms.)
    @Test func aSlowParseIsGivenUp() throws {
        let watch = ParseWatch(longest: 0.02, shorter: 0.01)
        let slow = Array(String(repeating: "#available(", count: 80).utf8)
        let started = ContinuousClock.now
        #expect(GuardedParse.parse(bytes: slow, maximumNestingLevel: nil, watch: watch) == nil)
        #expect(watch.stillRunning == 1 && watch.timeout(for: slow) == nil)
        #expect(watch.timeout(for: Array("let a = 1".utf8)) == 0.01)
        #expect(ContinuousClock.now - started < .seconds(1))
        for _ in 0..<600 where watch.stillRunning > 0 { Thread.sleep(forTimeInterval: 0.05) }
        #expect(watch.stillRunning == 0 && watch.timeout(for: slow) == nil && watch.timeout(for: Array("let a = 1".utf8)) == 0.02)
        #expect(GuardedParse.parse(bytes: Array("let a = 1".utf8), maximumNestingLevel: nil, watch: watch) != nil)
    }
}
