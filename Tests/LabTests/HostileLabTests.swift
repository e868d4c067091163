import Foundation
@testable import Lab
import NeuralNet
import Report
import Testing

/// Labs written to crash `lab`: each must end in a located error and a report, never a trap.
@Suite struct HostileLabTests {
    /// Runs one step; returns the error (nil when it ran) and the step's printed text.
    func run(_ code: String, overrides: [String: String] = [:],
             configure: (inout LabRunner) -> Void = { _ in }) throws -> (error: LabError?, text: String) {
        let (outcome, folder, _) = try runLab("# 공격\n\n```swift\n\(code)\n```\n", overrides: overrides, configure: configure)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.reportPath != nil, "no report for \(code)")
        guard case .step(let step)? = outcome.report.blocks.last(where: { if case .step = $0 { true } else { false } }) else {
            return (outcome.error, "")
        }
        let text = step.outputs.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined(separator: "\n")
        return (outcome.error, text)
    }

    @Test(arguments: [
        ("let m = -9223372036854775807 - 1\nprint(m / -1)", "overflows", 2),
        ("let m = -9223372036854775807 - 1\nprint(-m)", "overflows", 2),
        ("print(9223372036854775807 + 1)", "9223372036854775807 + 1 overflows", 1),
        ("print(3037000500 * 3037000500)", "overflows", 1),
        ("let r = 0..<10000000000", "has 10000000000 numbers, too many to hold as an array", 1),
        ("let r = 0...9223372036854775807", "numbers, too many to hold as an array", 1),
        ("let x = randomNormal([100000, 100000, 100])", "randomNormal([100000, 100000, 100]) needs 3.6 TiB of memory", 1),
        ("let x = randomNormal([4294967296, 4294967296])", "too large to count", 1),
        ("let g = Sequential(\"G\", input: [4]) {\n    Dense(8)\n    Dense(1000000000000)\n}", "kernel of 8×1000000000000 needs", 3),
        ("let g = Sequential(\"G\", input: [4]) {\n    Dense(8)\n    Dense(-5)\n}", "Dense expects a positive unit count, got -5", 3),
        ("imageGrid(randomNormal([1, 4, 4, 1]), rows: 1, columns: 1, scale: 100000)", "would be larger than 8192×8192 pixels", 1),
        ("let d = HandwrittenDigits(split: .test, count: 20)\nlet e = d.examples(of: [0], occurrence: [-1])", "occurrence -1 is negative", 2),
        ("let d = HandwrittenDigits(split: .train, count: 1000000000)", "count must be from 1 to 1,000,000", 1),
        ("let d = HandwrittenDigits(split: .test, count: -1)", "count must be from 1 to 1,000,000, got -1", 1),
        ("let g = Sequential(\"G\", input: [2, 2, 1]) { UpSampling2D(size: 9223372036854775807) }", "makes images too large to count", 1),
        ("let x = 1e400", "'1e400' is not a finite number", 1),
        ("print(\"\\u{110000}\")", "invalid escape sequence", 1),
        ("let x = [[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]", "'[' nests 13 deep here; a step may nest at most 12", 1),
        ("var line = \"0123456789\"\nfor i in 0..<40 {\n    line = line + line\n}", "a string may hold at most 16 MiB; this one would hold 20,971,520 bytes", 3),
        ("var a = [1]\nfor i in 0..<1_000_000 {\n    a = [a]\n}", "arrays may nest at most 32 deep; this one would nest deeper", 3),
        ("var m = Sequential(\"M\", input: [2]) {\n    Dense(2)\n}\nfor i in 0..<100_000 {\n    m = Sequential(\"M\", input: [2]) {\n        m\n    }\n}",
         "models may nest at most 16 deep; 'M' already nests 16", 6),
    ] as [(String, String, Int)])
    func endsInALocatedError(code: String, message: String, line: Int) throws {
        let (error, _) = try run(code)
        #expect(error?.message.contains(message) == true, "\(code): \(String(describing: error?.message))")
        // The step's first code line is line 4 of the lab file.
        #expect(error?.line == 3 + line, "\(code): line \(String(describing: error?.line))")
    }

    /// A character that is not an ordinary space right next to `=`, with spaces around both:
    /// swift-syntax's Fix-It for it stopped the process (found by `FuzzLabStep`); now a located
    /// error that names the character, at its column (characters, not bytes).
    @Test(arguments: [
        ("let b \u{3000}= 2", "U+3000 (IDEOGRAPHIC SPACE) stands right before '='", 7),
        ("let b \u{3}= 2", "U+0003 (a control character) stands right before '='", 7),
        ("let b \u{B}= 2", "U+000B (a control character) stands right before '='", 7),
        ("let b \u{FEFF}= 2", "U+FEFF (ZERO WIDTH NO-BREAK SPACE) stands right before '='", 7),
        ("let b \u{2028}= 2", "U+2028 (LINE SEPARATOR) stands right before '='", 7),
        ("let 값 \u{3000}= 2", "U+3000 (IDEOGRAPHIC SPACE) stands right before '='", 7),
        ("let b= 2", "'=' needs the same whitespace on both sides", 6),
    ] as [(String, String, Int)])
    func anEqualSignBesideAnInvisibleCharacterEndsInALocatedError(code: String, message: String, column: Int) throws {
        let (error, _) = try run("let a = 1\n" + code)
        #expect(error?.message.contains(message) == true, "\(code.unicodeScalars.map(\.value)): \(String(describing: error?.message))")
        #expect(error?.line == 5 && error?.column == column, "\(String(describing: error?.line)):\(String(describing: error?.column))")
    }

    @Test func aThousandsOfTermsExpressionIsRefusedBeforeItIsFolded() throws {
        let (error, _) = try run("let x = " + Array(repeating: "1", count: 5_000).joined(separator: " + "))
        #expect(error?.message.contains("chains 4999 operators; at most 1000") == true)
        let nested = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        #expect(try run("let y = " + nested).error != nil)
    }

    /// Every step fingerprints every name the lab holds, so the names are bounded. (The names
    /// held before the step are bound directly: a debug build's parser takes seconds over 10,000
    /// lines.)
    @Test func aLabHoldsAtMostTenThousandNames() throws {
        let file = try LabFile(path: "names.md", text: "# 이름\n\n```swift\nlet a = 1\nvar b = 2\nb = 3\nfor i in 1...2 {\n}\nlet c = 4\n```\n")
        let environment = Environment(file: file, overrides: [:])
        for index in 0..<(Evaluator.maximumNames - 2) { environment.bindings["held\(index)"] = .int(index) }
        environment.beginStep(1, replaying: nil)
        #expect {
            try Evaluator(step: file.steps[0], environment: environment).run()
        } throws: { error in
            guard let error = error as? LabError else { return false }
            return error.message == "a lab may hold at most 10,000 names at once; 'c' would be one more (keep values together in arrays)"
                && error.line == 3 + 6 && error.column == 5
        }
        // `a` and `b` were the 9,999th and 10,000th names; assigning to `b` added none.
        guard case .int(3)? = environment.bindings["b"] else { Issue.record("b is not 3"); return }
        #expect(environment.bindings.count == 10_000)
    }

    /// A loop of prints or figures leaves a report of bounded size and one notice that says so.
    @Test func aLoopOfPrintsOrFiguresKeepsTheReportBounded() throws {
        let prints = "var line = \"0123456789\"\nfor i in 0..<7 {\n    line = line + line\n}\nfor i in 0..<1_000 {\n    print(line)\n}"
        let (outcome, folder, console) = try runLab("# 출력\n\n```swift\n\(prints)\n```\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let isStep = { (block: ReportBlock) in if case .step = block { true } else { false } }
        guard case .step(let step)? = outcome.report.blocks.last(where: isStep), case .text(let text)? = step.outputs.first,
              case .notice(let notice)? = step.outputs.last else {
            Issue.record("no text and notice"); return
        }
        #expect(outcome.error == nil && step.outputs.count == 2)
        // 818 whole lines of 1,280 digits and a newline, and the start of the 819th, cut with "…".
        let lines = text.split(separator: "\n")
        #expect(lines.count == 819 && lines.dropLast().allSatisfy { $0.count == 1_280 })
        #expect(lines.last?.hasSuffix("…") == true && text.utf8.count + 1 <= Environment.maximumPrintedBytes)
        #expect(lines.last.map { "0123456789".hasPrefix($0.prefix(10)) } == true)
        #expect(notice.contains("this step printed more than 1 MiB of text; the report keeps the first 1,048,576 bytes"))
        #expect(console.filter { $0.contains("printed more than 1 MiB") }.count == 1)

        let figures = "let x = randomNormal([1, 2, 2, 1])\nfor i in 0..<1_003 {\n    imageGrid(x, rows: 1, columns: 1)\n}"
        let (drawn, drawnFolder, _) = try runLab("# 그림\n\n```swift\n\(figures)\n```\n")
        defer { try? FileManager.default.removeItem(atPath: drawnFolder) }
        guard case .step(let drawnStep)? = drawn.report.blocks.last(where: isStep) else { Issue.record("no step"); return }
        let kept = drawnStep.outputs.filter { if case .figure = $0 { true } else { false } }
        #expect(drawn.error == nil && kept.count == Environment.maximumOutputs && drawnStep.outputs.count == kept.count + 1)
        guard case .notice(let cut)? = drawnStep.outputs.last else { Issue.record("no notice"); return }
        #expect(cut.contains("made more than 1,000 outputs or 256 MiB of figures, files and tables; the report keeps the first 1,000"))
        let files = try FileManager.default.contentsOfDirectory(atPath: try #require(drawn.reportPath).replacingOccurrences(of: "/index.html", with: ""))
        #expect(files.filter { $0.hasPrefix("figure-") }.count == 1_000)
    }

    /// Each step within its own limits, but many steps together: the lab's outputs stop at its
    /// limit (1 GiB; 500 kB here), cut with one notice, and a cached run shows the same.
    @Test func aLabsStepsTogetherStopAtTheLabsOutputLimit() throws {
        let step = "```swift\nfor i in 0..<20_000 {\n    print(\"0123456789\")\n}\nimageGrid(randomNormal([1, 2, 2, 1]), rows: 1, columns: 1)\n```\n"
        let lab = "# 출력\n\n" + Array(repeating: step, count: 3).joined(separator: "\n")
        let folder = NSTemporaryDirectory() + "lab-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for pass in ["ran", "from cache"] {
            let (outcome, _, console) = try runLab(lab, in: folder) { $0.labOutputLimit = 500_000 }
            let steps = outcome.report.blocks.compactMap { block -> StepReport? in if case .step(let s) = block { s } else { nil } }
            try #require(steps.count == 3 && outcome.error == nil, "\(pass): \(String(describing: outcome.error))")
            // Steps 1 and 2 whole (220,000 bytes of text and a figure each), step 3 cut at the limit.
            for whole in steps.prefix(2) {
                #expect(whole.outputs.count == 2, "\(pass)")
                guard case .text(let text)? = whole.outputs.first else { Issue.record("no text"); continue }
                #expect(text.utf8.count == 20_000 * 11 - 1)
            }
            guard case .text(let cut)? = steps[2].outputs.first, case .notice(let notice)? = steps[2].outputs.last else {
                Issue.record("\(pass): no cut text and notice"); continue
            }
            #expect(steps[2].outputs.count == 2, "\(pass): the figure is left out")
            // Whole lines, and the start of the next with "…" where 4 bytes or more were left.
            let lines = cut.split(separator: "\n")
            #expect(lines.dropLast().allSatisfy { $0 == "0123456789" } && (lines.last == "0123456789" || lines.last?.hasSuffix("…") == true))
            let total = steps.prefix(2).reduce(0) { $0 + Environment.bytes(of: $1.outputs) } + cut.utf8.count + 1
            #expect(total <= 500_000 && total > 500_000 - 11, "\(pass): \(total)")
            #expect(notice.hasPrefix("this lab's steps have made more than 488 KiB of figures, files, tables and text in all"))
            if pass == "ran" { #expect(console.filter { $0.contains("this lab's steps have made more than") }.count == 1) }
        }
    }

    /// `a = [a, a]` thirty times holds 2³⁰ numbers in thirty small arrays: printing it stops at the
    /// step's print budget, the state fingerprint meets each array once (the next step runs),
    /// and spelling it into a string stops at the string limit.
    @Test func anArrayNestedInItselfIsPrintedAndFingerprintedInBoundedTime() throws {
        let code = "var a = [1.5]\nfor i in 0..<30 {\n    a = [a, a]\n}\nprint(a)"
        let (outcome, folder, _) = try runLab("# 중첩\n\n```swift\n\(code)\n```\n\n```swift\nprint(1)\n```\n\n```swift\nlet s = \"\\(a)\"\n```\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let steps = outcome.report.blocks.compactMap { block -> StepReport? in if case .step(let step) = block { step } else { nil } }
        guard steps.count == 3, case .text(let text)? = steps[0].outputs.first, case .text(let next)? = steps[1].outputs.first else {
            Issue.record("steps: \(steps.count)"); return
        }
        #expect(text.hasPrefix(String(repeating: "[", count: 31) + "1.5], [1.5]], [[1.5], [1.5]]]") && text.hasSuffix("…"))
        #expect(text.utf8.count + 1 == Environment.maximumPrintedBytes)
        #expect(next == "1")
        #expect(outcome.error?.message == "a string may hold at most 16 MiB; this one would hold 16,777,224 bytes" && outcome.error?.line == 16)
    }

    /// Each tensor fits the budget, but a loop that keeps them adds up: the whole process is
    /// measured, and the step stops at the loop with an error before the system kills `lab`.
    /// (The limit is set below the test process's size: other tests run beside this one, so its
    /// memory is no fixed amount above any start.)
    @Test func aLoopThatKeepsTensorsStopsAtTheProcessLimit() throws {
        let resident = try #require(MemoryBudget.residentBytes())
        #expect(resident > 1 << 20 && resident < MemoryBudget.processBytes * 2)
        let code = "var kept = [ones([1, 1])]\nfor i in 0..<100_000 {\n    kept += [ones([10, 10])]\n}"
        let (error, _) = try run(code) { runner in runner.residentMemoryLimit = 1 << 20 }
        #expect(error?.message.contains("of memory now, past the 1.0 MiB it allows on this machine") == true,
                "\(String(describing: error?.message))")
        // Measured ten times a second at statements and loop turns: whichever comes first once
        // the time is up, the loop's line or its body's (one CI run found it at the body's).
        #expect([3 + 2, 3 + 3].contains(error?.line ?? 0), "line \(String(describing: error?.line))")
    }

    @Test func wholeNumbersCompareExactlyAndStringsUnescape() throws {
        let (error, text) = try run("""
            print(9007199254740993 == 9007199254740992, 9007199254740993 > 9007199254740992.0, 2 < 2.5, 3 == 3.0)
            print("say \\"hi\\"", "\\u{2713}", "a\\\\b", #"raw \\n"#)
            """)
        #expect(error == nil)
        #expect(text == "false true true true\nsay \"hi\" ✓ a\\b raw \\n")
    }

    @Test func parametersMustBeFiniteNumbers() throws {
        let code = "let LR = 2e-4  // 학습률\nprint(LR)"
        for bad in ["nan", "1e400", "-inf"] {
            let (error, _) = try run(code, overrides: ["LR": bad])
            #expect(error?.message.contains("LR is a Double (a finite number), and '\(bad)' is not one") == true, "\(bad)")
        }
    }

    @Test func aLongLoopStopsWithinASecondOfCtrlC() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let (error, _) = try run("var n = 0\nfor i in 0...9223372036854775807 {\n    n = n + 1\n}") { runner in
            runner.interrupted = { clock.now - start > .milliseconds(300) }
        }
        #expect(error?.message.contains("interrupted (Ctrl-C)") == true)
        #expect(clock.now - start < .seconds(2))
    }
}
