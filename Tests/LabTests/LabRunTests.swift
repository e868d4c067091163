import Foundation
import Lab
import Report
import Testing

/// Real runs of small lab files: reports, located errors, parameters.
@Suite struct LabRunTests {
    func run(_ text: String, overrides: [String: String] = [:], write: Bool = true) throws -> (LabRunner.Outcome, String, [String]) {
        try runLab(text, overrides: overrides, write: write)
    }

    static let tiny = """
        # 작은 실습

        설명 문단입니다.

        ```swift
        let UNITS = 8      // 은닉 유닛 수
        let RATE = 2e-4    // 학습률
        seed(7)
        print("units = \\(UNITS), rate = \\(RATE)")
        ```

        ## 모델

        ```swift
        let model = Sequential("Tiny", input: [4]) {
            Dense(UNITS)
            LeakyReLU(alpha: 0.2)
            Dense(1, activation: .sigmoid)
        }
        model.summary()
        let y = model(randomNormal([3, 4]))
        print(y.shape)
        for i in 1...2 {
            if i == 1 {
                print("loop \\(i * 10)")
            } else if i > 5 {
                print("never")
            } else {
                print("loop \\(i * 10)")
            }
        }
        ```
        """

    @Test func aTinyLabWritesAReportWithEveryStepsOutput() throws {
        let (outcome, folder, console) = try run(Self.tiny)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil)
        let path = try #require(outcome.reportPath)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("<h1>작은 실습</h1>"))
        #expect(html.contains("units = 8, rate = 0.0002"))
        #expect(html.contains("Model: &quot;Tiny&quot;") && html.contains("dense_1 (Dense)") && html.contains("<td class=\"num\">9</td>"))
        #expect(html.contains("[3, 1]") && html.contains("loop 10") && html.contains("loop 20"))
        let printed = outcome.report.blocks.flatMap { block -> [String] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .text(let text) = $0 { text } else { nil } }
        }.joined(separator: "\n")
        #expect(printed.hasSuffix("[3, 1]\nloop 10\nloop 20"), "the else-if branch that does not hold is not run")
        #expect(html.contains("<h2>모델</h2>"), "prose rendered as Markdown")
        #expect(html.contains("<span class=\"comment\">// 은닉 유닛 수</span>"), "code highlighted from tokens")
        #expect(console.count == 2 && console[1].hasPrefix("Step 2/2 · 모델 · "))
        let written = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(written.contains("index.html") && !written.contains { $0.contains(".partial") }, "no temporary file is left: \(written)")
        #expect(outcome.report.metadata.seed == 7)
    }

    @Test func parametersCanBeOverriddenAndTyposAreCaught() throws {
        let (outcome, folder, _) = try run(Self.tiny, overrides: ["UNITS": "16"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil)
        let html = try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
        #expect(html.contains("units = 16") && html.contains("title=\"-P로 바꾼 값 (set with -P)\""))
        #expect(outcome.report.metadata.parameters.map(\.name) == ["UNITS", "RATE"])

        let (typo, folder2, _) = try run(Self.tiny, overrides: ["UNIT": "16"])
        defer { try? FileManager.default.removeItem(atPath: folder2) }
        #expect(typo.error?.message.contains("no parameter 'UNIT'; did you mean 'UNITS'?") == true)
        #expect(typo.report.failure != nil && typo.reportPath != nil, "a report with the banner is still written")

        let (wrongType, folder3, _) = try run(Self.tiny, overrides: ["UNITS": "many"])
        defer { try? FileManager.default.removeItem(atPath: folder3) }
        #expect(wrongType.error?.description.contains("UNITS is an Int (a whole number), and 'many' is not one") == true)
        #expect(wrongType.error?.line == 6)
    }

    @Test func mistakesPointAtTheirLineAndColumnInTheMarkdownFile() throws {
        let cases: [(String, Int, Int, String)] = [
            ("let x = Dens(3)", 5, 9, "unknown function 'Dens'; did you mean 'Dense'?"),
            ("let x = Dense(3, activaton: .tanh)", 5, 18, "Dense has no argument 'activaton:'; did you mean 'activation'?"),
            ("let x = Dense(\"wide\")", 5, 15, "Dense expects Int for its value, got the string \"wide\""),
            ("let x = Dropout(0.3, 0.4)", 5, 22, "Dropout takes no more unlabelled arguments"),
            ("let x = Conv2D(8)", 5, 9, "Conv2D is missing its argument 'kernelSize:'"),
            ("let x = 3 +", 5, 12, "expected expression"),
            ("let x = undefinedName", 5, 9, "unknown name 'undefinedName'"),
            ("struct S {}", 5, 1, "unsupported syntax"),
            ("let m = Sequential(\"M\", input: [7, 7, 1]) {\n    Dense(10)\n}", 6, 5, "M: dense (Dense) takes flat items, got input shape (None, 7, 7, 1); add Flatten() before it"),
            ("let gan = GAN(generator: Sequential(\"G\", input: [4]) { Dense(784) }, discriminator: Sequential(\"D\", input: [28, 28, 1]) { Flatten(); Dense(1) },\n"
                + "    generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())", 5, 11,
             "G makes (None, 784) but D takes (None, 28, 28, 1); the same 784 numbers, so end G with Reshape([28, 28, 1])"),
        ]
        for (code, line, column, message) in cases {
            let (outcome, folder, _) = try run("# t\n\nText.\n\n```swift\n\(code)\n```\n")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let error = try #require(outcome.error, "\(code)")
            #expect(error.line == line + 1 && error.column == column, "\(code): \(error)")
            #expect(error.message.contains(message), "\(code): \(error.message)")
            #expect(error.description.contains("\n    ") && error.description.hasSuffix("^"), "source line and caret")
        }
    }

    @Test func aFailingStepLeavesABannerAndMarksLaterStepsNotRun() throws {
        let lab = "# t\n\n```swift\nprint(\"first\")\n```\n\n```swift\nlet x = (1 +\n```\n\n```swift\nprint(\"third\")\n```\n"
        let (outcome, folder, _) = try run(lab)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let html = try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
        #expect(html.contains("<div class=\"banner\" role=\"alert\"><strong><a href=\"#step-2\">Step 2</a> failed.</strong>"))
        #expect(html.contains("first") && !html.contains("<pre class=\"output\">third"))
        let statuses = outcome.report.blocks.compactMap { block -> String? in
            guard case .step(let step) = block else { return nil }
            switch step.status {
            case .ran: return "ran"
            case .failed: return "failed"
            case .notRun: return "not run"
            }
        }
        #expect(statuses == ["ran", "failed", "not run"])
    }

    @Test func anUnclosedFenceIsReportedAtTheFence() throws {
        let (outcome, folder, _) = try run("# t\n\n```swift\nprint(1)\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.line == 3 && outcome.error?.message.contains("never closed") == true)
        #expect(outcome.reportPath != nil)
    }
}
