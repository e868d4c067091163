import Foundation
import Lab
import Report
import Testing

/// Quality measured while training, in small labs judged by the small test evaluator.
@Suite struct QualityInLabTests {
    /// The cache tests' tiny GAN and 64 built-in digits, seeded.
    static let models = "seed(5)\n" + CacheCoverageTests.gan

    func lab(_ code: String) -> String { "# 품질\n\n```swift\n\(Self.models)\n\(code)\n```\n" }

    func run(_ code: String, check: Bool = false) throws -> (LabRunner.Outcome, [String]) {
        let (outcome, folder, console) = try runLab(lab(code), write: !check) { $0.evaluatorSetup = try? TestEvaluator.setup() }
        try? FileManager.default.removeItem(atPath: folder)
        return (outcome, console)
    }

    @Test func measurementsDoNotChangeTheTraining() throws {
        // The evaluations draw from noise of their own: the losses and the generator's samples
        // are the same with and without them.
        let plain = try run("let h = gan.train(x, epochs: 3, batchSize: 32)\nprint(h.generatorLosses)\nprint(g(randomNormal([1, 4])).values)")
        let measured = try run("let h = gan.train(x, epochs: 3, batchSize: 32, evaluateEvery: 2, evaluationSamples: 100)\n"
                               + "print(h.generatorLosses)\nprint(g(randomNormal([1, 4])).values)")
        #expect(plain.0.error == nil && measured.0.error == nil, "\(String(describing: plain.0.error)) \(String(describing: measured.0.error))")
        func printed(_ outcome: LabRunner.Outcome) -> [String] {
            outcome.report.blocks.flatMap { block -> [String] in
                guard case .step(let step) = block else { return [] }
                return step.outputs.compactMap { if case .text(let text) = $0 { text } else { nil } }
            }.joined(separator: "\n").split(separator: "\n").map(String.init).filter { $0.hasPrefix("[") }
        }
        #expect(printed(plain.0).count == 2 && printed(plain.0) == printed(measured.0))
        // Epochs 2 and 3 (the last) were measured, each a line under its epoch.
        let text = measured.0.report.blocks.compactMap { block -> String? in
            guard case .step(let step) = block else { return nil }
            return step.outputs.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
        }.joined()
        let lines = text.split(separator: "\n").map(String.init)
        let measuredLines = lines.indices.filter { lines[$0].hasPrefix("    FID ") }
        #expect(measuredLines.count == 2, "\(lines)")
        #expect(measuredLines.map { lines[$0 - 1].hasPrefix("에포크  2/3") || lines[$0 - 1].hasPrefix("에포크  3/3") } == [true, true])
        #expect(text.contains("(quality: 100 samples per evaluation against 200 test images"))
    }

    @Test func chartsAndTablesNeedMeasuredHistoriesAndSaySoAtTheLine() throws {
        let (outcome, _) = try run("let h = gan.train(x, epochs: 1, batchSize: 32)\nqualityChart(h)")
        #expect(outcome.error?.line == 16 && outcome.error?.message.contains("train with evaluateEvery:") == true,
                "\(String(describing: outcome.error))")
        let (table, _) = try run("let h = gan.train(x, epochs: 1, batchSize: 32)\ncompareTrainedGANs([gan], histories: [h], names: [\"G\"], samples: 100)")
        #expect(table.error?.message.contains("train with evaluateEvery:") == true, "\(String(describing: table.error))")
    }

    @Test func labCheckAcceptsWhatItCannotMeasure() throws {
        // `lab check` trains one batch and measures nothing, yet the chart and the table check.
        let code = "let h = gan.train(x, epochs: 2, batchSize: 32, evaluateEvery: 1, evaluationSamples: 100)\nqualityChart(h)\n"
            + "compareTrainedGANs([gan], histories: [h], names: [\"G\"], samples: 100)"
        let (outcome, _) = try run(code, check: true)
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
    }

    @Test func theTableCountsCollapsedEvaluations() throws {
        let code = "let h = gan.train(x, epochs: 2, batchSize: 32, evaluateEvery: 1, evaluationSamples: 100)\n"
            + "compareTrainedGANs([gan], histories: [h], names: [\"G\"], samples: 100)"
        let (outcome, _) = try run(code)
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        let tables = outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
        let chapter = try #require(tables.first { $0.headers == ["항목", "G"] })
        // An untrained tiny generator makes one blob: every evaluation collapsed.
        #expect(chapter.rows[3][1].hasPrefix("collapsed in 2 of 2 evaluations; lowest coverage "), "\(chapter.rows[3])")
        #expect(chapter.rows[2][1].hasSuffix(" s (mean of 2 epochs)"))
    }
}

extension QualityInLabTests {
    @Test func aMeasuredTrainingComesFromTheCacheWithItsMeasurements() throws {
        let text = lab("let h = gan.train(x, epochs: 2, batchSize: 32, evaluateEvery: 1, evaluationSamples: 100)")
            + "\n```swift\nqualityChart(h)\nprint(h.completedEpochs)\n```\n"
        let folder = NSTemporaryDirectory() + "lab-quality-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func run() throws -> (statuses: [Bool], outputs: [String], console: [String]) {
            let (outcome, _, console) = try runLab(text, in: folder) { $0.evaluatorSetup = try? TestEvaluator.setup() }
            #expect(outcome.error == nil, "\(String(describing: outcome.error))")
            let steps = outcome.report.blocks.compactMap { block -> StepReport? in if case .step(let s) = block { s } else { nil } }
            return (steps.map { if case .ran(_, let cached) = $0.status { cached } else { false } },
                    steps.flatMap { $0.outputs.map { "\($0)" } }, console)
        }
        let first = try run()
        let second = try run()
        #expect(first.statuses == [false, false] && second.statuses == [true, true], "\(second.console)")
        #expect(first.outputs == second.outputs)
        // A later step that reads the measurements runs again after an edit, from the replayed history.
        let edited = text.replacingOccurrences(of: "print(h.completedEpochs)", with: "print(h.completedEpochs + 1)")
        let (outcome, _, console) = try runLab(edited, in: folder) { $0.evaluatorSetup = try? TestEvaluator.setup() }
        #expect(outcome.error == nil && !console.contains { $0.hasPrefix("cache: ") }, "\(console)")
    }
}
