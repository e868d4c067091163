import Foundation
import Lab
import Report
import Testing

/// Data in labs: the built-in digits when MNIST is missing, CSV and image folders, and the rule
/// that a lab reads nothing outside the current directory.
@Suite struct LabDataTests {
    static let noMNISTHere = !FileManager.default.fileExists(atPath: "data/mnist")

    @Test(.enabled(if: noMNISTHere)) func withoutMNISTTheBuiltInDigitsStandInAndTheReportSaysSo() throws {
        let emptyHome = NSTemporaryDirectory() + "lab-home-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: emptyHome) }
        let (outcome, folder, console) = try runLab("""
            # 데이터

            ```swift
            let digits = MNIST(split: .test)
            print(digits.count)
            ```
            """) { runner in runner.settings.dataEnvironment = ["HOME": emptyHome] }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil)
        #expect(outcome.report.metadata.dataset?.hasPrefix("built-in generated digits (test, 10,000 images; not MNIST)") == true)
        let html = try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
        guard case .step(let step)? = outcome.report.blocks.last, case .notice(let notice)? = step.outputs.first else {
            Issue.record("no notice")
            return
        }
        #expect(notice.hasPrefix("MNIST was not found (looked in 'data/mnist', '\(emptyHome)/.cache/lab/mnist')"))
        #expect(notice.contains("lab data fetch mnist") && notice.contains("built-in generated handwritten digits"))
        #expect(html.contains("<p class=\"notice\">MNIST was not found") && html.contains("<pre class=\"output\">10000</pre>"))
        #expect(console.contains { $0.hasPrefix("note: MNIST was not found") })
    }

    /// `count:` left out gives as many digits as MNIST's split (a count given is checked, see
    /// `HostileLabTests`: `count: -1` is an error, not the whole set).
    @Test func handwrittenDigitsWithoutACountAreAWholeSplit() throws {
        let (outcome, folder, _) = try runLab("# 숫자\n\n```swift\nlet digits = HandwrittenDigits(split: .test)\nprint(digits.count)\n```\n", write: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil)
        let outputs = outcome.report.blocks.flatMap { block -> [StepOutput] in if case .step(let step) = block { step.outputs } else { [] } }
        #expect(outputs.contains(.text("10000")), "\(outputs)")
    }

    @Test func aFolderTheLabNamesMustHoldTheData() throws {
        let (outcome, folder, _) = try runLab("""
            # 데이터

            ```swift
            let digits = MNIST(split: .train, path: "no/such/folder")
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.message.contains("not found; looked in 'no/such/folder'") == true)
        #expect(outcome.error?.line == 4 && outcome.error?.column == 14)
    }

    @Test func labsCannotReadOutsideTheCurrentDirectory() throws {
        for path in ["/etc", "../secrets", "data/../../x", "~/.ssh"] {
            let (outcome, folder, _) = try runLab("""
                # 데이터

                ```swift
                let digits = CSVDigits("\(path)")
                ```
                """)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            #expect(outcome.error?.message.contains("a lab may read data only below the current directory, not '\(path)'") == true)
        }
    }

    @Test func csvAndImageFoldersLoadInALab() throws {
        // Relative to the current directory, as a lab must name them.
        let data = ".build/lab-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: data + "/faces/a", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        try Data("label,p1,p2,p3,p4\n5,0,255,255,0\n".utf8).write(to: URL(fileURLWithPath: data + "/tiny.csv"))
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: data + "/faces/a/broken.png"))
        let (outcome, folder, _) = try runLab("""
            # 데이터

            ```swift
            let csv = CSVDigits("\(data)/tiny.csv")
            print(csv.labels, csv.images.shape)
            let faces = ImageFolder("\(data)/faces", size: [8, 8], color: .rgb)
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard case .step(let step)? = outcome.report.blocks.last else { Issue.record("no step"); return }
        #expect(step.outputs == [.text("[5] [1, 2, 2, 1]")])
        #expect(outcome.error?.message.contains("1 of 1 images cannot be read") == true)
        #expect(outcome.error?.message.contains("broken.png") == true && outcome.error?.line == 6)
    }
}
