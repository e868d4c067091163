import Datasets
import Foundation
import Testing

/// `lab data fetch mnist` against a server on loopback that serves files the test made.
@Suite struct MNISTDownloadTests {
    @Test func md5MatchesTheRFCExamplesAndTheRealFiles() throws {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8))
            == "57edf4a22be3c955ac49da2e2107b67a")
        let labels = MNISTTests.mnistFolder + "/t10k-labels-idx1-ubyte.gz"
        if let bytes = FileManager.default.contents(atPath: labels) {
            #expect(MD5.hex(Array(bytes)) == "ec29112dd5afa0611ce80d1b7f02629c")
        }
    }

    /// Small gzip'd IDX files standing in for MNIST, with their sums.
    static func smallMNIST(in folder: TemporaryFolder) throws -> (bytes: [String: [UInt8]], files: [MNISTDownload.File]) {
        var served: [String: [UInt8]] = [:]
        for (prefix, count) in [("train", 3), ("t10k", 2)] {
            try folder.write("\(prefix)-images-idx3-ubyte.gz", idx([2051, UInt32(count), 28, 28], [UInt8](repeating: 9, count: count * 784)), gzip: true)
            try folder.write("\(prefix)-labels-idx1-ubyte.gz", idx([2049, UInt32(count)], (0..<count).map(UInt8.init)), gzip: true)
        }
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            served[name] = Array(FileManager.default.contents(atPath: folder.file(name))!)
        }
        return (served, served.keys.sorted().map { MNISTDownload.File(name: $0, md5: MD5.hex(served[$0]!)) })
    }

    @Test func fetchesChecksAndLoadsTheFilesThenSkipsThemNextTime() async throws {
        let source = try TemporaryFolder(), cache = try TemporaryFolder()
        defer { source.remove(); cache.remove() }
        let (served, files) = try Self.smallMNIST(in: source)
        let server = try LoopbackHTTPServer(files: served)
        defer { server.stop() }
        let download = MNISTDownload(destination: cache.path + "/mnist", mirrors: [server.baseURL], files: files)
        let first = try await download.run()
        #expect(first.allSatisfy { if case .downloaded = $0 { true } else { false } } && first.count == 4)
        let train = try MNIST.load(from: cache.path + "/mnist", split: .train)
        #expect(train.count == 3 && train.labels == [0, 1, 2])
        let second = try await download.run()
        #expect(second.allSatisfy { if case .present = $0 { true } else { false } })
        #expect(server.requests.count == 4, "nothing fetched twice")
    }

    @Test func aWrongSumOrAMissingFileFallsThroughToTheNextMirrorAndLeavesNothingBehind() async throws {
        let source = try TemporaryFolder(), cache = try TemporaryFolder()
        defer { source.remove(); cache.remove() }
        let (served, files) = try Self.smallMNIST(in: source)
        var damaged = served
        damaged["train-images-idx3-ubyte.gz"]![20] ^= 0xFF
        damaged["t10k-labels-idx1-ubyte.gz"] = nil
        let bad = try LoopbackHTTPServer(files: damaged), good = try LoopbackHTTPServer(files: served)
        defer { bad.stop(); good.stop() }
        let results = try await MNISTDownload(destination: cache.path, mirrors: [bad.baseURL, good.baseURL], files: files).run()
        #expect(results.contains(.downloaded(cache.file("train-images-idx3-ubyte.gz"), from: good.baseURL + "train-images-idx3-ubyte.gz")))
        #expect(results.contains(.downloaded(cache.file("train-labels-idx1-ubyte.gz"), from: bad.baseURL + "train-labels-idx1-ubyte.gz")))
        // Only the bad mirror: the error lists what went wrong, and no file is left under a real name.
        let empty = try TemporaryFolder()
        defer { empty.remove() }
        let trainImages = files.first { $0.name == "train-images-idx3-ubyte.gz" }!
        let testLabels = files.first { $0.name == "t10k-labels-idx1-ubyte.gz" }!
        for (file, problem) in [(trainImages, "MD5 "), (testLabels, "HTTP status 404")] {
            do {
                _ = try await MNISTDownload(destination: empty.path, mirrors: [bad.baseURL], files: [file]).run()
                Issue.record("expected an error")
            } catch let error as DatasetError {
                #expect(error.description.hasPrefix(file.name + ": could not be downloaded") && error.description.contains(problem), "\(error)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
        await #expect(throws: DatasetError.self) {
            try await MNISTDownload(destination: empty.path, mirrors: ["http://example.com/mnist/"]).run()
        }
    }
}
