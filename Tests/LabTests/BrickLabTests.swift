import Datasets
import Foundation
import Lab
import Raster
import Report
import Testing

/// `labs/dcgan-64-bricks.md` (the `004_…` notebook): the stand-in data when the folder is absent,
/// the real folder when present, the notebook's models, both trainings, the equations.
@Suite struct BrickLabTests {
    static let labText = { try! String(contentsOf: MainLabTests.root.appendingPathComponent("labs/dcgan-64-bricks.md"), encoding: .utf8) }()
    static let small = ["TRAIN_IMAGES": "16", "EPOCHS": "1", "BATCH_SIZE": "8"]

    static func tables(_ outcome: LabRunner.Outcome) -> [TableOutput] {
        outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
    }

    @Test func theBrickLabRunsOnTheStandInBricks() throws {
        let (outcome, folder, console) = try runLab(Self.labText, name: "dcgan-64-bricks.md", overrides: Self.small)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        // Console and report both say the data is a stand-in, and how to use the real set.
        #expect(console.contains { $0.contains("built-in brick renders (16 images, 64×64 gray; a stand-in") && $0.contains("lego-brick-images") })
        let html = try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
        #expect(html.contains("a stand-in, not the Kaggle LEGO set") && html.contains("joosthazelzet/lego-brick-images"))
        // The notebook's models, with Keras's parameter counts.
        let tables = Self.tables(outcome)
        #expect(tables.filter { $0.caption == "Model: \"discriminator\"" }.allSatisfy { $0.footer.first == "Total params: 2,765,312" })
        #expect(tables.filter { $0.caption == "Model: \"generator\"" }.allSatisfy { $0.footer.first == "Total params: 3,576,576" })
        #expect(tables.contains { $0.caption == "Model: \"generator\"" } && tables.contains { $0.caption == "Model: \"discriminator\"" })
        let printed = ClassicLabTests.printed(outcome)
        #expect(printed.contains("x_train shape: [16, 64, 64, 1], 범위 ["))
        #expect(printed.contains("노트북 레이블: D 손실이 음수인 스텝 ") && printed.contains(" / 2"))
        // Every equation of the prose is notation the report understands.
        #expect(html.contains("<math display=\"block\">") && html.contains("<mi>JSD</mi>") == false && html.contains("<mtext>JSD</mtext>"))
        #expect(!html.contains("<merror>"), "an equation uses notation the report does not know")
        let files = try FileManager.default.contentsOfDirectory(atPath: (try #require(outcome.reportPath) as NSString).deletingLastPathComponent)
        #expect(files.filter { $0.hasSuffix(".png") }.count == 6, "data grid, two loss charts, three 3×10 sample grids")
    }

    /// With the Kaggle folder present, its images are read (and resized) and nothing is generated.
    /// Data paths are relative to the current directory, which tests share: the folder is made
    /// under `.build/` and the lab's path changed to it.
    @Test func aPresentFolderIsReadInsteadOfTheStandIn() throws {
        let data = ".build/lab-bricks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let images = data + "/lego-brick-images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let bricks = try BrickRenders.generate(count: 16, size: 64, seed: 3)
        for index in 0..<16 {
            // 80×80 files, as big renders are: the lab resizes them to 64×64.
            let values = BilinearResize.resize(Array(bricks.images.rows(index..<(index + 1)).scalars), height: 64, width: 64, channels: 1,
                                               toHeight: 80, toWidth: 80)
            try PNG.write(PixelImage(width: 80, height: 80, channels: 1, bytes: values.map { UInt8(max(0, min(255, $0.rounded()))) }),
                          to: images + "/brick \(index).png")
        }
        #expect(Self.labText.contains("\"data/lego-brick-images\""))
        let text = Self.labText.replacingOccurrences(of: "\"data/lego-brick-images\"", with: "\"\(images)\"")
        let (outcome, folder, console) = try runLab(text, name: "dcgan-64-bricks.md", overrides: Self.small)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        #expect(!console.contains { $0.contains("stand-in") })
        #expect(ClassicLabTests.printed(outcome).contains("lego-brick-images (16 images, 64×64 gray)"))
    }

    @Test func theStandInNeedsASquareGrayImage() throws {
        let text = "```swift\nlet b = ImageFolder(\"data/none\", size: [64, 32], color: .gray, standInBricks: 10)\n```\n"
        let (outcome, folder, _) = try runLab(text)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.description.contains("tiny.md:2:9: error: the built-in bricks are square and gray") == true,
                "\(outcome.error?.description ?? "")")
    }
}
