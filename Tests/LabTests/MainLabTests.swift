import Foundation
import Lab
import Report
import Testing

/// The main lab, end to end on real MNIST with small overrides: one epoch on 512 images.
@Suite struct MainLabTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theSimpleGANLabRunsEndToEnd() throws {
        let output = NSTemporaryDirectory() + "lab-main-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var runner = LabRunner(
            path: Self.root.appendingPathComponent("labs/07-2-simple-gan.md").path,
            overrides: ["EPOCHS": "1", "TRAIN_IMAGES": "512", "COMPARE_STEPS": "1"], outputRoot: output, log: { _ in })
        runner.dataFolder = Self.root.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path
        let outcome = runner.run()
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        let path = try #require(outcome.reportPath)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("훈련 데이터 shape: [512, 784]"))
        #expect(html.contains("Total params: 1,493,520") && html.contains("Total params: 1,460,225"))
        #expect(html.contains("Total params: 2,330,945") && html.contains("Total params: 212,865"))
        #expect(html.contains("에포크  1/1 | G: "))
        #expect(outcome.report.metadata.dataset?.hasPrefix("MNIST (train, 60,000 images)") == true)
        #expect(outcome.report.metadata.parameters.filter(\.overridden).map(\.name).sorted() == ["COMPARE_STEPS", "EPOCHS", "TRAIN_IMAGES"])
        // The Dense vs DCGAN table, with measured step times.
        let tables = outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
        let comparison = try #require(tables.first { $0.headers.first == "model" })
        #expect(comparison.rows.map(\.first) == ["Dense GAN", "DCGAN"])
        #expect(comparison.rows.map { $0[1] } == ["1,493,520", "2,330,945"])
        #expect(comparison.rows.allSatisfy { (Double($0[4]) ?? 0) > 0 }, "step times were measured")
        // Figures: the data grid, the untrained outputs, the epoch-1 grid (the only milestone reached),
        // the animation and the loss chart.
        let folder = (path as NSString).deletingLastPathComponent
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.filter { $0.hasSuffix(".png") }.count == 4 && files.filter { $0.hasSuffix(".gif") }.count == 1)
        for file in files where file.hasPrefix("figure-") {
            #expect(html.contains("src=\"\(file)\""), "\(file) is shown in the report")
        }
    }
}
