import Foundation
import Lab
import Report
import Testing

/// The main lab, end to end on real MNIST with small overrides: one epoch of each GAN on 512
/// images, judged by a small evaluator (`TestEvaluator`).
@Suite struct MainLabTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theSimpleGANLabRunsEndToEnd() throws {
        let output = NSTemporaryDirectory() + "lab-main-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var runner = LabRunner(
            path: Self.root.appendingPathComponent("labs/07-2-simple-gan.md").path,
            settings: RunSettings(overrides: ["EPOCHS": "1", "TRAIN_IMAGES": "512", "COMPARE_STEPS": "1", "DCGAN_EPOCHS": "1", "EVALUATE_EVERY": "1",
                        "EVAL_SAMPLES": "100", "FINAL_SAMPLES": "200"],
                                  outputRoot: output), log: { _ in })
        runner.evaluatorSetup = try TestEvaluator.setup()
        runner.settings.dataFolder = Self.root.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
        let outcome = runner.run()
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        let path = try #require(outcome.reportPath)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("훈련 데이터 shape: [512, 784]"))
        #expect(html.contains("Total params: 1,493,520") && html.contains("Total params: 1,460,225"))
        #expect(html.contains("Total params: 2,330,945") && html.contains("Total params: 212,865"))
        #expect(html.contains("에포크  1/1 | G: "))
        #expect(outcome.report.metadata.dataset?.hasPrefix("MNIST (train, 60,000 images)") == true)
        #expect(outcome.report.metadata.parameters.filter(\.overridden).map(\.name).sorted()
                    == ["COMPARE_STEPS", "DCGAN_EPOCHS", "EPOCHS", "EVALUATE_EVERY", "EVAL_SAMPLES", "FINAL_SAMPLES", "TRAIN_IMAGES"])
        // The Dense vs DCGAN table, with measured step times.
        let tables = outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
        let comparison = try #require(tables.first { $0.headers.first == "model" })
        #expect(comparison.rows.map(\.first) == ["Dense GAN", "DCGAN"])
        #expect(comparison.rows.map { $0[1] } == ["1,493,520", "2,330,945"])
        #expect(comparison.rows.allSatisfy { (Double($0[4]) ?? 0) > 0 }, "step times were measured")
        // The chapter's table, every cell from a measurement.
        let chapter = try #require(tables.first { $0.headers == ["항목", "Dense GAN", "DCGAN"] })
        #expect(chapter.rows.map(\.first) == ["생성 이미지 품질", "파라미터 수", "학습 시간/에포크", "Mode Collapse 빈도"])
        #expect(chapter.rows[0].dropFirst().allSatisfy { $0.hasPrefix("FID ") && $0.contains("recall ") }, "\(chapter.rows[0])")
        #expect(Array(chapter.rows[1].dropFirst()) == ["2,953,745 (G 1,493,520 + D 1,460,225)", "2,543,810 (G 2,330,945 + D 212,865)"])
        #expect(chapter.rows[2].dropFirst().allSatisfy { $0.hasSuffix(" s (1 epoch)") && !$0.hasPrefix("0.0 ") }, "\(chapter.rows[2])")
        #expect(chapter.rows[3].dropFirst().allSatisfy { $0.hasPrefix("collapsed in ") && $0.contains(" of 1 evaluations") }, "\(chapter.rows[3])")
        #expect(chapter.footer.first?.contains("built-in digits (300 images; a test's small evaluator)") == true)
        #expect(html.contains("(quality: 100 samples per evaluation against 200 test images; evaluator trained on built-in digits"))
        let quality = try #require(tables.last { $0.headers.first == "" && $0.headers.contains("FID ↓") })
        #expect(quality.rows.map(\.first) == ["real digits (training images)", "Dense GAN", "DCGAN"])
        #expect(html.contains("    FID ") && html.contains("/10 classes"), "an evaluation line under the epoch line")
        // Figures: the data grid, the untrained outputs, the epoch-1 grid (the only milestone reached),
        // the animation, the loss chart, the Dense GAN's quality chart, the two last grids side by
        // side and the two GANs' quality chart; and the two exported sample files.
        let folder = (path as NSString).deletingLastPathComponent
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.filter { $0.hasSuffix(".png") }.count == 7 && files.filter { $0.hasSuffix(".gif") }.count == 1)
        #expect(files.contains("dense-gan-samples.idx") && files.contains("dcgan-samples.idx"))
        for file in files where file.hasPrefix("figure-") {
            #expect(html.contains("src=\"\(file)\""), "\(file) is shown in the report")
        }
    }
}
