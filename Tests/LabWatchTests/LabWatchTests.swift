import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Lab
@testable import LabWatch
import Synchronization
import Testing

/// `lab watch` for real: the `lab` executable this package builds watches a lab file in a
/// temporary folder and serves its report on loopback; the test edits the file on disk, reads
/// the page with an HTTP client, and stops the watcher with Ctrl-C (SIGINT). A process of its
/// own, so that the server answers whatever the test run's other suites are doing.
@Suite struct LabWatchTests {
    /// The `lab` executable beside the test bundle (`swift test` builds it).
    static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lab").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/lab").path
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Polls `url` until `condition` holds (at most `seconds`).
    static func waitFor(_ url: String, seconds: Double = 120, _ condition: (String) -> Bool) async throws -> String {
        // Checked once more after the deadline: in a busy test run this task may wake up late.
        let deadline = Date().addingTimeInterval(seconds)
        var last = false
        while !last {
            last = Date() >= deadline
            if let body = try? await get(url).body, condition(body) { return body }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(url)")
        return ""
    }

    @Test func editsOfTheLabFileReachTheServedPageAndCtrlCStopsIt() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "\(Self.executable) is built by swift test")
        let folder = NSTemporaryDirectory() + "lab-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = folder + "/w.md"
        func write(_ code: String) throws {
            try Data("# 지켜보기\n\n```swift\nprint(\"first step\")\n```\n\n```swift\n\(code)\n```\n".utf8).write(to: URL(fileURLWithPath: lab))
        }
        try write("print(\"answer:\", 6 * 7)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["watch", lab, "--out", folder + "/output", "--port", "0"]
        let log = folder + "/watch.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput  // not the test run's pipe, which must close when the run ends
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func console() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        // The port it chose, from its first line.
        var base = ""
        let deadline = Date().addingTimeInterval(120)
        var last = false
        while base.isEmpty, !last {
            last = Date() >= deadline  // checked once more after it: this task may wake up late
            if let range = console().range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) { base = String(console()[range]) }
            if base.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(!base.isEmpty, "lab watch said where it serves: \(console())")

        let first = try await Self.waitFor(base + "/") { $0.contains("answer: 42") }
        #expect(first.contains("/__lab/version") && first.contains("<script>"), "the served page reloads itself")
        let version = try await Self.get(base + "/__lab/version").body

        // An edit: the step runs again (the first comes from the cache) and the page follows.
        try await Task.sleep(for: .milliseconds(1100))  // a new modification time, whatever the file system's resolution
        try write("print(\"answer:\", 6 * 9)")
        let second = try await Self.waitFor(base + "/") { $0.contains("answer: 54") }
        #expect(!second.contains("answer: 42"))
        #expect(try await Self.get(base + "/__lab/version").body != version)

        // A broken step: the page shows the error at its step; fixing it brings the output back.
        try await Task.sleep(for: .milliseconds(1100))
        try write("print(Dens(3))")
        let broken = try await Self.waitFor(base + "/") { $0.contains("unknown function") }
        #expect(broken.contains("Dense"), "with its suggestion")
        try await Task.sleep(for: .milliseconds(1100))
        try write("print(\"fixed\")")
        _ = try await Self.waitFor(base + "/") { $0.contains("fixed") }

        // Only the report's own plain files are served.
        for path in ["/../w.md", "/.cache", "/%2e%2e/w.md", "/nothing.png"] {
            #expect(try await Self.get(base + path).status == 404, "\(path)")
        }
        // Ctrl-C: a clean stop.
        kill(process.processIdentifier, SIGINT)
        let stopBy = Date().addingTimeInterval(30)
        while process.isRunning, Date() < stopBy { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            Issue.record("lab watch did not stop within 30 s of Ctrl-C: \(console())")
            return
        }
        #expect(process.terminationStatus == 0)
        #expect(console().contains("stopped watching"))
        #expect(console().components(separatedBy: "waiting for changes").count - 1 == 4, "one run per change: \(console())")
    }

    /// The loop itself: one run at the start and one per change, none while nothing changes.
    @Test func theWatchLoopRunsOncePerChange() throws {
        let folder = NSTemporaryDirectory() + "lab-watch-loop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = folder + "/w.md"
        try Data("# w\n\n```swift\nprint(1)\n```\n".utf8).write(to: URL(fileURLWithPath: lab))
        var watcher = LabWatcher(runner: LabRunner(path: lab, settings: RunSettings(outputRoot: folder + "/output"), log: { _ in }))
        watcher.interval = .milliseconds(50)
        var runs = 0, checks = 0
        watcher.watch(shouldStop: {
            checks += 1
            if checks == 10 {
                Thread.sleep(forTimeInterval: 1.1)
                try? Data("# w\n\n```swift\nprint(2)\n```\n".utf8).write(to: URL(fileURLWithPath: lab))
            }
            return checks > 40
        }) { outcome in
            runs += 1
            #expect(outcome.error == nil)
        }
        #expect(runs == 2)
    }

    /// A plain file of the report folder is served; a link in it (to a file anywhere), a FIFO
    /// (which would block the server) or a folder is not.
    @Test func onlyRegularFilesOfTheFolderAreServed() throws {
        let folder = NSTemporaryDirectory() + "lab-watch-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outside = NSTemporaryDirectory() + "lab-watch-outside-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: outside))
        try Data("png".utf8).write(to: URL(fileURLWithPath: folder + "/figure.png"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked.txt", withDestinationPath: outside)
        #expect(mkfifo(folder + "/pipe.png", 0o644) == 0)
        let served = ReportServer.file("/figure.png", in: folder, version: 0)
        #expect(served.statusCode == .ok)
        for name in ["/linked.txt", "/pipe.png", "/sub"] {
            #expect(ReportServer.file(name, in: folder, version: 0).statusCode == .notFound, "\(name)")
        }
    }

    @Test func beforeTheFirstReportThePageWaitsForIt() throws {
        let response = ReportServer.file("/", in: NSTemporaryDirectory() + "no-such-report-\(UUID().uuidString)", version: 0)
        #expect(response.statusCode == .ok)
        let other = ReportServer.file("/a/b.png", in: NSTemporaryDirectory(), version: 0)
        #expect(other.statusCode == .notFound)
    }
}
