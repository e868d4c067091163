import Foundation
import Lab
import Report
import Testing

/// `labs/gan-losses-and-tricks.md`: every loss and trick of the study trains on the same data,
/// and the study table has a measured row for each; `studyTable`'s checks.
@Suite struct StudyLabTests {
    static let names = ["기준 (BCE)", "minimax", "LSGAN", "hinge", "WGAN", "WGAN-GP", "스무딩 0.9", "잡음 레이블", "스펙트럴 정규화",
                        "미니배치 표준편차", "피처 매칭", "G 이동 평균", "TTUR", "강한 판별자"]

    @Test func theStudyRunsEveryConfigurationAndMeasuresEach() throws {
        let output = NSTemporaryDirectory() + "lab-study-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let overrides = ["TRAIN_IMAGES": "160", "EPOCHS": "1", "BATCH_SIZE": "32", "EVALUATE_EVERY": "1", "EVAL_SAMPLES": "100",
                         "FINAL_SAMPLES": "100"]
        var runner = LabRunner(path: MainLabTests.root.appendingPathComponent("labs/gan-losses-and-tricks.md").path,
                               settings: RunSettings(overrides: overrides, outputRoot: output, dataFolder: ClassicLabTests.mnist), log: { _ in })
        runner.evaluatorSetup = try TestEvaluator.setup()
        let outcome = runner.run()
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        let tables = outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
        let study = try #require(tables.first { $0.caption.hasPrefix("Each run measured on 100 fresh samples") })
        #expect(study.rows.map { $0[0] } == ["real digits (training images)"] + Self.names)
        // Every run has its one evaluation counted and a time per epoch.
        #expect(study.rows.dropFirst().allSatisfy { $0[7].hasSuffix(" / 1") && Double($0[8]) != nil })
        // The conditional GAN: its accuracy per digit asked for, and its grid.
        let accuracy = try #require(tables.first { $0.caption == "Generated digit = digit asked for, over 100 samples" })
        #expect(accuracy.headers == ["asked for", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "all"] && accuracy.rows.count == 1)
        let html = try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
        #expect(html.contains("조건부 GAN: 줄마다 요청한 숫자 0–9"))
        #expect(!html.contains("<merror>"), "an equation uses notation the report does not know")
        #expect(html.contains("Last epoch&#39;s monitor samples, one row per run") || html.contains("Last epoch's monitor samples, one row per run"))
    }

    @Test func studyTableNeedsMeasuredHistories() throws {
        let code = CacheCoverageTests.gan + "\nlet h = gan.train(x, epochs: 1, batchSize: 32)\nstudyTable([gan], histories: [h], names: [\"a\"])"
        let (outcome, folder, _) = try runLab("```swift\n\(code)\n```\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.description.contains("every run needs its quality measured while training: train with evaluateEvery:") == true,
                "\(outcome.error?.description ?? "")")
    }
}
