import FileOutput
import Foundation
import Testing

/// Whole files or nothing: the target is replaced in one step, and a failure leaves the old
/// target and no temporary file behind.
@Suite struct AtomicFileTests {
    func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "lab-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func writesAndReplacesWholeFiles() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([4, 5]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.bin"])
    }

    @Test func aFailureNamesTheFileAndLeavesNothingBehind() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // No such folder: the temporary file cannot be made.
        #expect(throws: AtomicFileError.self) { try AtomicFile.write([1], to: folder + "/missing/a.bin") }
        // The target is a non-empty folder: the rename fails, the folder stays as it was.
        try FileManager.default.createDirectory(atPath: folder + "/taken/inside", withIntermediateDirectories: true)
        do {
            try AtomicFile.write([1], to: folder + "/taken")
            Issue.record("writing over a folder succeeded")
        } catch let error as AtomicFileError {
            #expect(error.path == folder + "/taken" && error.problem.hasPrefix("cannot move the finished file into place"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["taken"])
        #expect(AtomicFile.isTemporary("index.html.partial-123") && !AtomicFile.isTemporary("index.html"))
    }
}
