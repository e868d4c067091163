import Foundation
@testable import Lab
import Report
import Testing

/// What a lab from someone else, or a doctored cache, must not be able to do: read through links,
/// write outside the report's folder, or replace a good report by mistake.
@Suite struct LabTrustTests {
    func report(_ outcome: LabRunner.Outcome) throws -> String {
        try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
    }

    @Test func linksOutOfTheLabsFoldersAreRefusedAndNothingOfTheTargetShows() throws {
        let data = ".build/lab-sandbox-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: data + "/faces/a", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createSymbolicLink(atPath: data + "/x.csv", withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: data + "/mnist", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: data + "/zero.csv", withDestinationPath: "/dev/zero")
        for (call, line) in [("CSVDigits(\"\(data)/x.csv\")", "x.csv"), ("MNIST(split: .train, path: \"\(data)/mnist\")", "mnist"),
                             ("CSVDigits(\"\(data)/zero.csv\")", "zero.csv")] {
            let (outcome, folder, _) = try runLab("# 링크\n\n```swift\nlet d = \(call)\n```\n")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let message = outcome.error?.message ?? ""
            #expect(message.contains("\(line): leads outside the folders a lab may read"), "\(call): \(message)")
            #expect(!(try report(outcome)).contains("root:"))
        }
    }

    @Test func aDoctoredCacheEntryCannotWriteOutsideTheReportFolder() throws {
        let folder = NSTemporaryDirectory() + "lab-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = "# 그림\n\n```swift\nimageGrid(randomNormal([2, 4, 4, 1]), rows: 1, columns: 2, title: \"noise\")\n```\n"
        _ = try runLab(lab, in: folder, name: "evil.md")
        let cache = StepCache(folder: folder + "/output/evil/.cache")
        let entryName = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.folder).first { $0.hasSuffix(".step") })
        var entry = try #require(try cache.load(String(entryName.dropLast(5))))
        guard case .figure(let figure) = entry.outputs.first else { Issue.record("no figure"); return }
        entry.outputs = [.figure(FigureOutput(fileName: "../../escaped.png", caption: "x", data: figure.data))]
        try cache.store(entry)  // a valid checksum, as an attacker would compute it
        #expect(throws: CacheFormatError.self) { _ = try cache.load(entry.key) }

        let (second, _, console) = try runLab(lab, in: folder, name: "evil.md")
        #expect(console.contains { $0.contains("entry is damaged (bad figure name)") })
        #expect(!FileManager.default.fileExists(atPath: folder + "/escaped.png"))
        #expect(second.error == nil && second.reportPath != nil)
    }

    @Test func aDoctoredCacheEntryCannotSaveFilesOutsideTheReportFolderEither() throws {
        let folder = NSTemporaryDirectory() + "lab-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = "# 저장\n\n```swift\n\(CacheCoverageTests.history)\nsaveEpochImages(history, prefix: \"epoch_\")\n```\n"
        let (first, _, _) = try runLab(lab, in: folder, name: "evil.md")
        #expect(first.error == nil, "\(String(describing: first.error))")
        let report = folder + "/output/evil"
        #expect(FileManager.default.fileExists(atPath: report + "/epoch_0001.png") && FileManager.default.fileExists(atPath: report + "/epoch_0002.png"))
        let cache = StepCache(folder: report + "/.cache")
        let entryName = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.folder).first { $0.hasSuffix(".step") })
        var entry = try #require(try cache.load(String(entryName.dropLast(5))))
        // A replay writes the saved files again (here after they were deleted).
        try FileManager.default.removeItem(atPath: report + "/epoch_0001.png")
        let (replayed, _, _) = try runLab(lab, in: folder, name: "evil.md")
        #expect(replayed.error == nil && FileManager.default.fileExists(atPath: report + "/epoch_0001.png"))
        for bad in ["../../escaped.png", ".hidden.png", "index.png", "figure-01-1.png", "x.html", "a/b.png"] {
            entry.outputs = entry.outputs.map { output in
                guard case .files(var saved) = output else { return output }
                saved.files[0].name = bad
                return .files(saved)
            }
            try cache.store(entry)
            #expect(throws: CacheFormatError.self, "\(bad)") { _ = try cache.load(entry.key) }
        }
        let (second, _, console) = try runLab(lab, in: folder, name: "evil.md")
        #expect(console.contains { $0.contains("entry is damaged (bad saved file name)") })
        #expect(!FileManager.default.fileExists(atPath: folder + "/output/escaped.png") && !FileManager.default.fileExists(atPath: folder + "/escaped.png"))
        #expect(second.error == nil && second.reportPath != nil)
    }

    /// An entry is refused from what it is before it is read: a file past the size limit (here a
    /// sparse file that takes no disk, which `lab` used to read whole: 20 s and 6 GB for 3 GB), a
    /// link (to `/dev/zero`, to a file elsewhere) or a FIFO (which would block a read). Each is
    /// said, deleted and its step runs again.
    @Test(arguments: ["too large", "a link to /dev/zero", "a link to a file", "a FIFO"])
    func anEntryThatIsNotAPlainFileOfSensibleSizeIsRefusedUnread(kind: String) throws {
        let folder = NSTemporaryDirectory() + "lab-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = "# 캐시\n\n```swift\nprint(\"안녕\")\n```\n"
        _ = try runLab(lab, in: folder, name: "evil.md")
        let cache = StepCache(folder: folder + "/output/evil/.cache")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.folder).first { $0.hasSuffix(".step") })
        let entry = cache.folder + "/" + name
        let good = try Data(contentsOf: URL(fileURLWithPath: entry))
        try FileManager.default.removeItem(atPath: entry)
        let expected: String
        switch kind {
        case "too large":
            #expect(FileManager.default.createFile(atPath: entry, contents: good))
            let handle = try #require(FileHandle(forWritingAtPath: entry))
            try handle.truncate(atOffset: UInt64(StepCache.maximumEntryBytes + 1))
            try handle.close()
            expected = "holds \(StepCache.maximumEntryBytes + 1) bytes, more than the \(StepCache.maximumEntryBytes) lab reads from such a file"
        case "a link to /dev/zero", "a link to a file":
            let target = kind.hasSuffix("zero") ? "/dev/zero" : folder + "/good.step"
            try good.write(to: URL(fileURLWithPath: folder + "/good.step"))
            try FileManager.default.createSymbolicLink(atPath: entry, withDestinationPath: target)
            expected = "is a symbolic link"
        default:
            #expect(mkfifo(entry, 0o644) == 0)
            expected = "not a regular file"
        }
        let (second, _, console) = try runLab(lab, in: folder, name: "evil.md")
        #expect(console.contains { $0.contains("step 1's entry is damaged") && $0.contains(expected) }, "\(console)")
        #expect(second.error == nil)
        #expect(try report(second).contains("안녕"))
        // The step ran again and its fresh entry, a plain file, replaced what was there.
        let status = try FileManager.default.attributesOfItem(atPath: entry)
        #expect(status[.type] as? FileAttributeType == .typeRegular)
        #expect(try cache.load(String(name.dropLast(5))) != nil)
    }

    @Test func aMissingLabFileLeavesTheGoodReportAlone() throws {
        let folder = NSTemporaryDirectory() + "lab-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (good, _, _) = try runLab("# 좋은 실습\n\n```swift\nimageGrid(randomNormal([1, 4, 4, 1]), rows: 1, columns: 1)\n```\n",
                                      in: folder, name: "ok.md")
        let page = try report(good)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/output/ok").sorted()
        var runner = LabRunner(path: folder + "/ok", settings: RunSettings(outputRoot: folder + "/output"), log: { _ in })
        runner.settings.force = true
        let typo = runner.run()
        #expect(typo.error?.message.contains("cannot read the lab file") == true && typo.reportPath == nil)
        #expect(try report(good) == page)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/output/ok").sorted() == files)
    }

    @Test func aReportThatCannotBeWrittenIsAFailure() throws {
        let (outcome, folder, console) = try runLab("# t\n\n```swift\nprint(1)\n```\n") { $0.settings.outputRoot = "/dev/null" }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.reportPath == nil)
        #expect(console.contains { $0.contains("cannot write the report") })
    }
}
