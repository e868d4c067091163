import CZlib
import Datasets
import Foundation
import Raster
import Testing

/// Data files built to hurt: headers that claim more than the file holds, decompression bombs,
/// FIFOs and devices, links out of the allowed folders. Each is a `DatasetError` (or an
/// `ImageFileError`) that names the file, and nothing is allocated for the claimed size.
@Suite struct HostileFileTests {
    func failure(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func anIDXHeaderClaimingBillionsOfImagesIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("a", idx([2051, 0x7fff_ffff, 28, 28], [UInt8](repeating: 0, count: 784)))
        #expect(failure { _ = try IDX.readImages(folder.file("a")) }.contains("truncated: 2147483647 images of 28×28 need"))
        // Sizes whose product does not fit in a number at all.
        try folder.write("b", idx([2051, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff], []))
        #expect(failure { _ = try IDX.readImages(folder.file("b")) }.contains("damaged: the header claims 4294967295 images"))
        try folder.write("c", idx([2049, 0x7fff_ffff], [1, 2]))
        #expect(failure { _ = try IDX.readLabels(folder.file("c")) }.contains("truncated: 2147483647 labels"))
    }

    @Test func aDecompressionBombStopsAtTheLimit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // 8 MiB of zeros compress to a few kilobytes.
        try folder.write("bomb.gz", [UInt8](repeating: 0, count: 8 << 20), gzip: true)
        let size = try FileManager.default.attributesOfItem(atPath: folder.file("bomb.gz"))[.size] as! NSNumber
        #expect(size.intValue < 100_000)
        #expect(failure { _ = try FileBytes.read(folder.file("bomb.gz"), maximumSize: 1 << 20) }
            .contains("bomb.gz: larger than 1.0 MiB (decompressed)"))
        #expect(try FileBytes.read(folder.file("bomb.gz"), maximumSize: 8 << 20).count == 8 << 20)
    }

    @Test func fifosDevicesAndFoldersAreNotReadAndDoNotBlock() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(mkfifo(folder.file("fifo"), 0o600) == 0)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(failure { _ = try FileBytes.read(folder.file("fifo")) }.contains("not a regular file"))
        #expect(failure { _ = try FileBytes.read("/dev/zero") }.contains("not a regular file"))
        #expect(failure { _ = try FileBytes.read(folder.path) }.contains("not a regular file"))
        #expect(failure { _ = try PNG.read(folder.file("fifo")) }.contains("not a regular file"))
        #expect(failure { _ = try CSVDigits.load(folder.file("fifo")) }.contains("not a regular file"))
        #expect(clock.now - start < .seconds(2))
    }

    @Test func aPNGHeaderClaimingAMillionByAMillionPixelsIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var bytes = try PNG.encode(PixelImage(width: 1, height: 1, channels: 1, bytes: [7]))
        // IHDR starts at byte 8: length (4), "IHDR" (4), width (4), height (4), … then its CRC.
        for (offset, value) in [(16, UInt32(1_000_000)), (20, UInt32(1_000_000))] {
            for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i))) }
        }
        let crc = bytes[12..<29].withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, 17)) }
        for i in 0..<4 { bytes[29 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        try folder.write("huge.png", bytes)
        #expect(failure { _ = try PNG.read(folder.file("huge.png"), channels: 1) }.contains("claims 1000000×1000000 pixels"))
    }

    @Test func linksOutOfTheAllowedFoldersAreRefused() throws {
        let inside = try TemporaryFolder(), outside = try TemporaryFolder()
        defer { inside.remove(); outside.remove() }
        try outside.write("secret.csv", Array("label,p1\n1,2\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: inside.file("x.csv"), withDestinationPath: outside.file("secret.csv"))
        try inside.write("ok.csv", Array("label,p1\n1,2\n".utf8))
        let policy = ReadPolicy(allowing: [inside.path])
        #expect(policy.allows(inside.file("ok.csv")))
        #expect(!policy.allows(inside.file("x.csv")))
        #expect(failure { try policy.check(inside.file("x.csv")) }.contains("leads outside the folders a lab may read"))
        #expect(failure { try policy.check(inside.file("missing.csv")) } == "no error")
        // A folder that is a prefix of the allowed one by name only is not inside it.
        #expect(!ReadPolicy(allowing: [outside.path + "-not"]).allows(outside.file("secret.csv")))

        // In an image folder, a linked file or folder leading out is listed as unreadable.
        try FileManager.default.createDirectory(atPath: inside.file("faces/a"), withIntermediateDirectories: true)
        try PNG.write(PixelImage(width: 2, height: 2, channels: 1, bytes: [1, 2, 3, 4]), to: inside.file("faces/a/1.png"))
        try PNG.write(PixelImage(width: 2, height: 2, channels: 1, bytes: [1, 2, 3, 4]), to: outside.file("2.png"))
        try FileManager.default.createSymbolicLink(atPath: inside.file("faces/a/2.png"), withDestinationPath: outside.file("2.png"))
        #expect(failure { _ = try ImageFolder.load(inside.file("faces"), height: 2, width: 2, policy: policy) }
            .contains("2.png: leads outside the folders a lab may read"))
        #expect(try ImageFolder.load(inside.file("faces"), height: 2, width: 2).count == 2)
    }
}
