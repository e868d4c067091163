import Foundation
import Lab

/// Writes `text` as the lab `name` in `folder` (by default a fresh temporary one) and runs it
/// there, reports under `folder/output`; returns the outcome, the folder (for the caller to
/// remove) and the console lines.
/// Runs a lab of one step (without writing a report) and gives the error it ended with; the
/// step's first line is line 4 of the file.
func errorOfStep(_ code: String) throws -> LabError? {
    let (outcome, folder, _) = try runLab("# 한 단계\n\n```swift\n\(code)\n```\n", write: false)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return outcome.error
}

func runLab(_ text: String, in given: String? = nil, name: String = "tiny.md", overrides: [String: String] = [:],
            write: Bool = true, configure: (inout LabRunner) -> Void = { _ in }) throws -> (LabRunner.Outcome, String, [String]) {
    let folder = given ?? NSTemporaryDirectory() + "lab-run-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    nonisolated(unsafe) var console: [String] = []
    var runner = LabRunner(path: path, settings: RunSettings(overrides: overrides, outputRoot: folder + "/output"), log: { console.append($0) })
    configure(&runner)
    let outcome = runner.run(writeReport: write)
    return (outcome, folder, console)
}
