import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Lab
@testable import LabWatch
import Synchronization
import Testing

/// `lab watch` for real: a lab file in a temporary folder, the watch loop on a thread of its own,
/// the report served on loopback and read with an HTTP client; the file is edited on disk and the
/// served page must follow, with the error of a broken step shown in it.
@Suite struct LabWatchTests {
    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Polls `url` until `condition` holds (at most `seconds`).
    static func waitFor(_ url: String, seconds: Double = 60, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let body = try? await get(url).body, condition(body) { return body }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(url)")
        return ""
    }

    /// On the server's own thread, like the server: a test run's other suites keep Swift's
    /// shared threads busy with training.
    @Test func editsOfTheLabFileReachTheServedPage() async throws {
        try await withTaskExecutorPreference(ReportServer.executor) { try await editAndRead() }
    }

    func editAndRead() async throws {
        let folder = NSTemporaryDirectory() + "lab-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = folder + "/w.md"
        func write(_ code: String) throws {
            try Data("# 지켜보기\n\n```swift\nprint(\"first step\")\n```\n\n```swift\n\(code)\n```\n".utf8).write(to: URL(fileURLWithPath: lab))
        }
        try write("print(\"answer:\", 6 * 7)")
        let output = folder + "/output"
        let server = try ReportServer(folder: output + "/w", port: 0)
        let port = try await server.start()
        let base = "http://127.0.0.1:\(port)"
        let state = WatchState()
        let loop = Thread {
            var watcher = LabWatcher(runner: LabRunner(path: lab, settings: RunSettings(outputRoot: output), log: { _ in }))
            watcher.interval = .milliseconds(100)
            watcher.watch(shouldStop: { state.stop.withLock { $0 } }) { _ in
                state.runs.withLock { $0 += 1 }
                server.reportChanged()
            }
        }
        loop.start()

        let first = try await Self.waitFor(base + "/") { $0.contains("answer: 42") }
        #expect(first.contains("/__lab/version") && first.contains("<script>"), "the served page reloads itself")
        let version = try await Self.get(base + "/__lab/version").body
        #expect(Int(version) ?? 0 >= 1)

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
        state.stop.withLock { $0 = true }
        let deadline = Date().addingTimeInterval(10)
        while !loop.isFinished, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(loop.isFinished, "the loop ends when asked to stop")
        #expect(state.runs.withLock { $0 } == 4, "one run per change, none while nothing changed")
        await server.stop()
    }

    @Test func beforeTheFirstReportThePageWaitsForIt() throws {
        let response = ReportServer.file("/", in: NSTemporaryDirectory() + "no-such-report-\(UUID().uuidString)", version: 0)
        #expect(response.statusCode == .ok)
        let other = ReportServer.file("/a/b.png", in: NSTemporaryDirectory(), version: 0)
        #expect(other.statusCode == .notFound)
    }
}

/// What the test and the watch loop's thread share.
final class WatchState: Sendable {
    let stop = Mutex(false)
    let runs = Mutex(0)
}
