import Foundation
import Lab
import Report
import Testing

/// `labs/dense-gan-logits.md` (the `003_…` notebook), end to end on real MNIST with small
/// overrides, judged by the small test evaluator.
@Suite struct LogitsLabTests {
    @Test func theLogitsLabRunsEndToEndAndSavesAnImagePerEpoch() throws {
        let output = NSTemporaryDirectory() + "lab-logits-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var runner = LabRunner(
            path: MainLabTests.root.appendingPathComponent("labs/dense-gan-logits.md").path,
            settings: RunSettings(overrides: ["EPOCHS": "3", "TRAIN_IMAGES": "512", "FINAL_SAMPLES": "200"], outputRoot: output,
                                  dataFolder: MainLabTests.root.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path),
            log: { _ in })
        runner.evaluatorSetup = try TestEvaluator.setup()
        let outcome = runner.run()
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        let path = try #require(outcome.reportPath)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("train_images shape: [512, 28, 28, 1]"))
        // Generator 100·256+256 + 2·256 + 256·512+512 + 2·512 + 512·1024+1024 + 2·1024 + 1024·784+784
        // (BN's moving statistics not trainable); discriminator 784·512+512 + 512·256+256 + 256+1.
        #expect(html.contains("Total params: 1,493,520") && html.contains("Total params: 533,505"))
        // The loss on logits against the loss on clipped probabilities, as the prose explains.
        #expect(html.contains("-20.0 | 20.000000 | 16.118095") && html.contains("-5.0 | 5.006715 | 5.006715"))
        #expect(html.contains("Time for epoch 3 is ") && html.contains("총 학습 시간: ") && html.contains("(에포크 3개)"))
        #expect(html.contains("진짜 이미지 512장의 로짓: [") && html.contains("BCE(1, 가짜) (생성자 손실)  로짓에서: "))
        // One PNG per epoch beside the report, linked from it; the GIF, the last grid, the loss chart.
        let folder = (path as NSString).deletingLastPathComponent
        for epoch in 1...3 {
            let name = "image_at_epoch_000\(epoch).png"
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + name))
            #expect(bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(name) is a PNG")
            #expect(html.contains("<a href=\"\(name)\">"))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.filter { $0.hasPrefix("figure-") && $0.hasSuffix(".png") }.count == 2 && files.filter { $0.hasSuffix(".gif") }.count == 1)
        let tables = outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
        let quality = try #require(tables.last { $0.headers.contains("FID ↓") })
        #expect(quality.rows.map(\.first) == ["real digits (training images)", "GAN samples"])
    }

    @Test func aLossAppliedToMismatchedBatchesIsALocatedError() throws {
        let (outcome, folder, _) = try runLab("""
            # 손실

            ```swift
            let bce = BinaryCrossentropy(fromLogits: true)
            print(bce(ones([3]), tensor([1.0, 2.0])))
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.line == 5)
        #expect(outcome.error?.message == "bce expects as many targets as predictions, got shapes [3] and [2]")
    }
}
