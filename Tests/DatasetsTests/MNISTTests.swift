import Datasets
import Foundation
import NeuralNet
import Testing
import _TestSupport

/// MNIST-format files: the real ones from the shared folder, and small ones the tests write.
@Suite struct MNISTTests {
    static let mnistFolder = Golden.sharedFolder.appendingPathComponent("data/mnist").path

    @Test func realMNISTHasTheDocumentedCounts() throws {
        let train = try MNIST.load(from: Self.mnistFolder, split: .train)
        #expect(train.images.shape == [60_000, 28, 28, 1])
        #expect(train.labelCounts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(train.images.range?.min == 0 && train.images.range?.max == 255)
        #expect(train.name == "MNIST (train, 60,000 images)")
        let test = try MNIST.load(from: Self.mnistFolder, split: .test)
        #expect(test.labelCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    @Test func realMNISTThroughTheChaptersPipeline() throws {
        let train = try MNIST.load(from: Self.mnistFolder, split: .train).scaled(to: .minusOneToOne)
        #expect(train.images.range?.min == -1 && train.images.range?.max == 1)
        #expect(train.flattenedImages.shape == [60_000, 784])
        // The chapter's 2×8 grid: digit i % 10, its (i / 10)-th example.
        let grid = try train.examples(of: (0..<16).map { $0 % 10 }, occurrence: (0..<16).map { $0 / 10 })
        #expect(grid.labels == (0..<16).map { $0 % 10 })
        #expect(grid.count == 16 && grid.images.shape == [16, 28, 28, 1])
    }

    @Test func smallFilesRoundTripRawAndGzip() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pixels = (0..<(3 * 2 * 2)).map { UInt8($0 * 20) }
        try folder.write("train-images-idx3-ubyte.gz", idx([2051, 3, 2, 2], pixels), gzip: true)
        try folder.write("train-labels-idx1-ubyte", idx([2049, 3], [7, 0, 9]))
        let data = try MNIST.load(from: folder.path, split: .train)
        #expect(data.images.shape == [3, 2, 2, 1])
        #expect(data.images.scalars == pixels.map(Float.init))
        #expect(data.labels == [7, 0, 9])
        #expect(try data.prefix(2).labels == [7, 0])
        #expect(data.withLabel(9).images.scalars == [160, 180, 200, 220])
        let subset = try data.randomSubset(2, random: RandomGenerator(seed: 1))
        #expect(subset.count == 2 && Set(subset.labels).isSubset(of: [7, 0, 9]))
    }

    /// The message of the error `body` throws.
    func failure(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func corruptFilesAreErrorsThatNameTheFileAndTheProblem() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let labels = folder.file("train-labels-idx1-ubyte")
        try folder.write("train-labels-idx1-ubyte", idx([2049, 3], [1, 2, 3]))

        try folder.write("train-images-idx3-ubyte", idx([2049, 3, 2, 2], [UInt8](repeating: 0, count: 12)))
        #expect(failure { _ = try MNIST.load(from: folder.path, split: .train) }
            .contains("train-images-idx3-ubyte: not an IDX image file: magic number 2049 (a label file)"))

        try folder.write("train-images-idx3-ubyte", idx([2051, 3, 2, 2], [UInt8](repeating: 0, count: 10)))
        #expect(failure { _ = try MNIST.load(from: folder.path, split: .train) }
            .contains("truncated: 3 images of 2×2 need 28 bytes, the file has 26"))

        try folder.write("train-images-idx3-ubyte", idx([2051, 4, 2, 2], [UInt8](repeating: 0, count: 16)))
        #expect(failure { _ = try MNIST.load(from: folder.path, split: .train) }
            .contains("\(labels): 3 labels for 4 images"))

        try folder.write("train-images-idx3-ubyte", [1, 2, 3])
        #expect(failure { _ = try MNIST.load(from: folder.path, split: .train) }.contains("too short"))

        try folder.write("train-images-idx3-ubyte", idx([2051, 3, 2, 2], [UInt8](repeating: 0, count: 12)))
        try folder.write("train-labels-idx1-ubyte", idx([2049, 3], [1, 12, 3]))
        #expect(failure { _ = try MNIST.load(from: folder.path, split: .train) }
            .contains("label 12 at index 1 is not a digit"))
    }

    @Test func aTruncatedGzipStreamIsAnError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("whole.gz", idx([2049, 2000], [UInt8](repeating: 5, count: 2000)), gzip: true)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("whole.gz"))))
        try folder.write("train-labels-idx1-ubyte.gz", Array(bytes.prefix(bytes.count - 12)))
        #expect(failure { _ = try IDX.readLabels(folder.file("train-labels-idx1-ubyte.gz")) }
            .contains("truncated or corrupt"))
    }

    @Test func aMissingDataSetSaysWhereItLooked() throws {
        #expect(failure { _ = try MNIST.load(from: "/nonexistent/mnist", split: .test) }
            .contains("/nonexistent/mnist: no t10k-images-idx3-ubyte[.gz]"))
        #expect(failure { _ = try IDX.readImages("/nonexistent/file") }.contains("cannot open"))
    }
}
