import Foundation
import Report
import Testing

/// The whole HTML of a small report against a golden copy (`Tests/Golden/small-report.html`), so
/// that any change to the page shows as a diff to review. After an intended change, run with
/// `RECORD_REPORT_SNAPSHOT=1` once to write the new golden file, and commit it with the change.
@Suite struct ReportSnapshotTests {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/small-report.html").path

    /// Every kind of block and output once: prose, a step that ran (text, a notice, a table with
    /// numeric columns and a footer, a figure), a cached one with saved files, a failed one and
    /// one not run.
    static var report: LabReport {
        let code = [CodeToken("let", .keyword), CodeToken(" x = ", .plain), CodeToken("randomNormal", .call), CodeToken("([", .plain),
                    CodeToken("2", .number), CodeToken("]) ", .plain), CodeToken("// 노이즈", .comment)]
        let table = TableOutput(caption: "Model: \"G\"", headers: ["Layer (type)", "Output Shape", "Param #"],
                                rows: [["dense (Dense)", "(None, 8)", "40"], ["<b>", "(None, 1)", "9"]],
                                numericColumns: [2], footer: ["Total params: 49"])
        var metadata = RunMetadata(date: "2026-12-03 04:00", machine: "a test machine", dataset: "MNIST (train, 60,000 images)", seed: 2024,
                                   parameters: [ReportParameter(name: "EPOCHS", value: "5", comment: "학습 에포크 수", overridden: true)],
                                   totalSeconds: 12.5)
        metadata.warnings = ["a warning & <b>"]
        return LabReport(title: "작은 보고서", sourcePath: "labs/small.md", metadata: metadata, blocks: [
            .prose("# 작은 보고서\n\n**굵게**, `code`, [link](https://example.org)"),
            .step(StepReport(number: 1, code: code, status: .ran(seconds: 1.25, cached: false),
                             outputs: [.text("shape: [2]"), .notice("built-in digits stand in for MNIST"), .table(table),
                                       .figure(FigureOutput(fileName: "figure-01-1-0123456789ab.png", caption: "a grid"))], line: 5)),
            .step(StepReport(number: 2, code: [CodeToken("print(x)", .plain)], status: .ran(seconds: 0.5, cached: true),
                             outputs: [.text("[1.0, 2.0]"), .files(SavedFilesOutput(caption: "4×4 samples after each epoch", files: [
                                 .init(name: "image_at_epoch_0001.png", data: [1]), .init(name: "image_at_epoch_0002.png", data: [2]),
                             ]))], line: 9)),
            .step(StepReport(number: 3, code: [CodeToken("Dens(3)", .plain)], status: .failed(seconds: 0), outputs: [], line: 13)),
            .step(StepReport(number: 4, code: [CodeToken("print(1)", .plain)], status: .notRun, outputs: [], line: 17)),
        ], failure: ReportFailure(stepNumber: 3, message: "labs/small.md:13:1: error: unknown function 'Dens'; did you mean 'Dense'?"))
    }

    @Test func aSmallReportRendersAsItsGoldenCopy() throws {
        let html = Self.report.html()
        if ProcessInfo.processInfo.environment["RECORD_REPORT_SNAPSHOT"] != nil {
            try html.write(toFile: Self.goldenPath, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: Self.goldenPath, encoding: .utf8)
        if html != golden {
            let ours = html.components(separatedBy: "\n"), theirs = golden.components(separatedBy: "\n")
            let first = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }.map(\.offset) ?? min(ours.count, theirs.count)
            let ourLine = first < ours.count ? ours[first] : "<end>", goldenLine = first < theirs.count ? theirs[first] : "<end>"
            Issue.record("the report differs from \(Self.goldenPath) from line \(first + 1): \(ourLine) — golden: \(goldenLine)")
        }
    }

    @Test func savedFilesTakeOnlyPlainNamesTheReportDoesNotUse() {
        for good in ["image_at_epoch_0001.png", "epoch-12.gif", "A1.png"] { #expect(SavedFilesOutput.isValidFileName(good), "\(good)") }
        for bad in ["../x.png", "a/b.png", ".png", ".hidden.png", "x.png.png", "x.html", "index.png", "index_1.png", "figure-01-1.png",
                    "이미지.png", "x y.png", String(repeating: "a", count: 97) + ".png", ""] {
            #expect(!SavedFilesOutput.isValidFileName(bad), "\(bad)")
        }
    }
}
