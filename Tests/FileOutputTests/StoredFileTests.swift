import FileOutput
import Foundation
import Testing

/// Files read back as untrusted: what each refusal says, and that nothing is read before it.
@Suite struct StoredFileTests {
    @Test func readsARegularFileAndRefusesAnythingElseFirst() throws {
        let folder = NSTemporaryDirectory() + "lab-stored-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/good"))
        #expect(try StoredFile.read(folder + "/good", maximumSize: bytes.count) == bytes)
        #expect(try StoredFile.read(folder + "/good", maximumSize: 1 << 20).count == 70_000)
        try Data().write(to: URL(fileURLWithPath: folder + "/empty"))
        #expect(try StoredFile.read(folder + "/empty", maximumSize: 0) == [])

        func problem(_ name: String, limit: Int = 1 << 20) -> StoredFileError.Problem? {
            do {
                _ = try StoredFile.read(folder + "/" + name, maximumSize: limit)
                return nil
            } catch let error as StoredFileError {
                #expect(error.description == folder + "/" + name + ": " + error.reason)
                return error.problem
            } catch {
                return nil
            }
        }
        #expect(problem("good", limit: 69_999) == .tooLarge(size: 70_000, limit: 69_999))
        // A sparse file of 1 TiB: refused from its size, so this takes no time and no memory.
        let handle = try #require(FileHandle(forWritingAtPath: folder + "/empty"))
        try handle.truncate(atOffset: 1 << 40)
        try handle.close()
        #expect(problem("empty") == .tooLarge(size: 1 << 40, limit: 1 << 20))
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/good")
        #expect(problem("link") == .link)
        #expect(mkfifo(folder + "/fifo", 0o644) == 0)
        #expect(problem("fifo") == .notRegular)
        #expect(problem("sub") == .notRegular)
        #expect(problem("missing") == .missing)
        // Following links is for files a lab names (its read policy checks where they lead).
        let (descriptor, size) = try StoredFile.openRegular(folder + "/link", followingLinks: true)
        close(descriptor)
        #expect(size == 70_000)
    }

    @Test func sizesAreWrittenInBinaryUnits() {
        #expect(ByteCount.describe(900) == "900 bytes")
        #expect(ByteCount.describe(1536) == "1.5 KiB")
        #expect(ByteCount.describe(640 << 20) == "640 MiB")
        #expect(ByteCount.describe(3 << 30) == "3.0 GiB")
    }
}
