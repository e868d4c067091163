@testable import Lab
import Testing

/// The check that keeps swift-syntax's parser, whose time doubles with each `[` open at once,
/// from hanging `lab` (`SquareBracketNesting`): where it counts, where it does not, and where it
/// points.
@Suite struct SquareBracketNestingTests {
    func nest(_ depth: Int) -> String { String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) }

    @Test func twelveLevelsPassAndTheThirteenthIsFoundWhereItOpens() throws {
        #expect(SquareBracketNesting.check("let x = " + nest(12)) == nil)
        let finding = try #require(SquareBracketNesting.check("let a = 1\nlet x = " + nest(13)))
        #expect(finding.message.hasPrefix("'[' nests 13 deep here; a step may nest at most 12"))
        #expect(finding.utf8Offset == 10 + 8 + 12, "the thirteenth '['")
        #expect(finding.lineAndColumn(in: "let a = 1\nlet x = " + nest(13)) == (2, 21))
        #expect(SquareBracketNesting.check("let x = " + String(repeating: "[", count: 13)) != nil, "unclosed ones count too")
        #expect(SquareBracketNesting.check("let x = " + String(repeating: "[(", count: 13) + "1") != nil, "other brackets between")
    }

    @Test func stringsAndCommentsDoNotCountInterpolationsDo() {
        let deep = String(repeating: "[", count: 30)
        for quiet in ["print(\"\(deep)\")", "print(#\"\(deep)\"#)", "print(#\"a\\\"\(deep)\"#)", "print(\"\"\"\n\(deep)\n\"\"\")",
                      "print(\"say \\\"\(deep)\")", "// \(deep)", "/* \(deep) /* nested */ \(deep) */ let x = 1",
                      "print(\"\\(1) \(deep)\")"] {
            #expect(SquareBracketNesting.check(quiet) == nil, "\(quiet)")
        }
        for loud in ["print(\"\\(\(nest(13)))\")", "print(#\"\\#(\(nest(13)))\"#)", "print(\"\\((1))\" + \(nest(13)).description)",
                     "/* a */ let x = \(nest(13))", "print(\"\(deep)\n let x = \(nest(13))"] {
            #expect(SquareBracketNesting.check(loud) != nil, "\(loud)")
        }
    }

    /// Strings inside interpolations: eight levels pass, the ninth is found where it opens;
    /// swift-syntax's lexer needed 4.7 GB for 10,000 levels and ran out of memory at 100,000.
    @Test func stringsNestAtMostEightDeep() throws {
        func strings(_ depth: Int) -> String {
            "let s = " + String(repeating: "\"\\(", count: depth - 1) + "\"x\"" + String(repeating: ")\"", count: depth - 1)
        }
        #expect(SquareBracketNesting.check(strings(8)) == nil)
        let finding = try #require(SquareBracketNesting.check(strings(9)))
        #expect(finding.message == "string literals nest 9 deep here, each inside the last's \\(…); a step may nest at most 8")
        #expect(finding.utf8Offset == 8 + 8 * 3, "the ninth '\"'")
        #expect(SquareBracketNesting.check("let s = " + String(repeating: "#\"\\#(", count: 9)) != nil, "raw strings count too")
        #expect(SquareBracketNesting.check(String(repeating: "let s = \"\\(\"x\")\"\n", count: 1_000)) == nil, "one after another")
        #expect(SquareBracketNesting.check("let s = " + String(repeating: "\"\\(", count: 100_000)) != nil)
    }

    @Test func theBudgetAddsUpTheCostOfEveryBracket() throws {
        // A nest of 12 costs 2 + 4 + … + 4096 = 8190: sixteen fit in 2^17, the seventeenth does not.
        let sixteen = (0..<16).map { "let x\($0) = \(nest(12))" }.joined(separator: "\n")
        #expect(SquareBracketNesting.check(sixteen) == nil)
        let finding = try #require(SquareBracketNesting.check(sixteen + "\nlet y = " + nest(12)))
        #expect(finding.message.hasPrefix("too many nested '['"))
        #expect(finding.lineAndColumn(in: sixteen + "\nlet y = " + nest(12)).line == 17)
        let scan = SquareBracketNesting.scan("[[1]]", spent: 10, budget: .max, maximumDepth: .max)
        #expect(scan.cost == 10 + 2 + 4 && scan.finding == nil)
    }

    /// A file of many steps, each within its own budget, is refused as a whole where the steps'
    /// brackets together pass the file's budget.
    @Test func aLabFileOfManyCostlyStepsIsRefusedWhereTheTotalPasses() throws {
        let step = "```swift\n" + (0..<16).map { "let x\($0) = \(nest(12))" }.joined(separator: "\n") + "\n```\n"
        let four = "# t\n\n" + Array(repeating: step, count: 4).joined(separator: "\ntext\n")
        #expect(throws: Never.self) { try LabFile(path: "four.md", text: four) }
        do {
            _ = try LabFile(path: "five.md", text: four + "\ntext\n" + step)
            Issue.record("five steps of sixteen nests each were read")
        } catch let error as LabError {
            #expect(error.message.contains("too many nested '['") && error.message.hasSuffix("in this lab"))
            // Steps of 18 lines (fences included) two lines apart, the first fence on line 3: the
            // fifth step's first code line is 3 + 4 · 20 + 1. Four steps spent 4 · 16 · 8190 of
            // 2^19, which leaves 128: its first nest passes it at its seventh '[', column 9 + 7.
            #expect(error.line == 84 && error.column == 16, "line \(error.line), column \(error.column)")
        }
    }
}
