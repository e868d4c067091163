import Datasets
import NeuralNet
import Foundation
import Raster
import Testing

/// The course's other formats: MNIST as CSV, and folders of PNG images.
@Suite struct CSVAndImageFolderTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: MNISTTests.mnistFolder)))
    func csvRowsOfRealMNISTLoadAsTheSameImages() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let mnist = try MNIST.load(from: MNISTTests.mnistFolder, split: .test).prefix(5)
        var text = "label," + (1...784).map { "pixel\($0)" }.joined(separator: ",") + "\r\n"
        for index in 0..<5 {
            let pixels = mnist.images.scalars[(index * 784)..<((index + 1) * 784)].map { String(Int($0)) }
            text += "\(mnist.labels[index])," + pixels.joined(separator: ",") + "\r\n"
        }
        try folder.write("mnist_test.csv", Array(text.utf8))
        let csv = try CSVDigits.load(folder.file("mnist_test.csv"))
        #expect(csv.images.shape == [5, 28, 28, 1])
        #expect(csv.labels == mnist.labels && csv.images.scalars == mnist.images.scalars)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: MNISTTests.mnistFolder)))
    func mnistWrittenAsCSVHasKagglesFormAndReadsBackExactly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let mnist = try MNIST.load(from: MNISTTests.mnistFolder, split: .test).prefix(30)
        let path = folder.file("mnist_test.csv")
        try CSVDigits.write(mnist, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 31)
        #expect(lines[0].hasPrefix("label,1x1,1x2,") && lines[0].hasSuffix(",28x27,28x28") && lines[0].split(separator: ",").count == 785)
        #expect(lines[1].hasPrefix("\(mnist.labels[0]),0,0,"))
        let back = try CSVDigits.load(path)
        #expect(back.labels == mnist.labels && back.images.scalars == mnist.images.scalars && back.images.shape == [30, 28, 28, 1])
    }

    @Test func csvMistakesNameTheLineAndColumn() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cases: [(String, String)] = [
            ("label,a,b,c,d\n1,0,0,0,0\n2,0,0\n", "line 3 has 3 values, the lines before it 5"),
            ("label,a,b,c,d\n1,0,0,300,0\n", "line 2, column 4: '300' is not a pixel value 0-255"),
            ("label,a,b,c,d\nx,0,0,0,0\n", "line 2, column 1: 'x' is not a label"),
            ("1,0,0,0\n", "3 pixels per row is not a square image"),
            ("label,a\n", "no image rows"),
        ]
        for (index, (text, problem)) in cases.enumerated() {
            let path = folder.file("bad\(index).csv")
            try folder.write("bad\(index).csv", Array(text.utf8))
            #expect(throws: DatasetError.self) { try CSVDigits.load(path) }
            do { _ = try CSVDigits.load(path) } catch let error as DatasetError {
                #expect(error.path == path && error.problem.contains(problem), "\(error)")
            }
        }
        // Without a header line, every line is an image; 4 pixels make 2×2.
        try folder.write("plain.csv", Array("3,0,255,255,0\n7,1,2,3,4\n".utf8))
        let plain = try CSVDigits.load(folder.file("plain.csv"))
        #expect(plain.labels == [3, 7] && plain.images.shape == [2, 2, 2, 1] && plain.images.scalars[4] == 1)
    }

    @Test func imageFoldersAreLabelledBySubfolderAndResizedBilinearly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file("cats"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("dogs/puppies"), withIntermediateDirectories: true)
        let ramp = PixelImage(width: 4, height: 4, channels: 1, bytes: (0..<16).map { UInt8($0 * 10) })
        try PNG.write(ramp, to: folder.file("cats/a.png"))
        try PNG.write(PixelImage(width: 2, height: 1, channels: 3, bytes: [255, 0, 0, 0, 0, 255]), to: folder.file("dogs/puppies/b.PNG"))
        try folder.write("dogs/notes.txt", Array("not an image".utf8))
        let gray = try ImageFolder.load(folder.path, height: 2, width: 2)
        #expect(gray.labels == [0, 1] && gray.images.shape == [2, 2, 2, 1])
        // Halving samples between each pair of pixels: the mean of each 2×2 block of the ramp.
        #expect(Array(gray.images.scalars[0..<4]) == [25, 45, 105, 125])
        let color = try ImageFolder.load(folder.path, height: 1, width: 4, color: .rgb)
        #expect(color.images.shape == [2, 1, 4, 3])
        // Doubling a red-blue pair: edges clamp, inner samples blend a quarter and three quarters.
        let reds = stride(from: 12, to: 24, by: 3).map { color.images.scalars[$0] }
        #expect(reds == [255, 191.25, 63.75, 0])
    }

    /// `count:` reads a random few (seeded, in path order) and labels them from all sub-folders.
    @Test func aCountReadsARandomSubsetOfTheFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for (index, name) in ["b/1", "b/2", "b/3", "c/1", "c/2", "c/3", "c/4", "c/5", "c/6", "c/7"].enumerated() {
            try FileManager.default.createDirectory(atPath: folder.file(String(name.prefix(1))), withIntermediateDirectories: true)
            try PNG.write(PixelImage(width: 2, height: 2, channels: 1, bytes: [UInt8](repeating: UInt8(index * 20), count: 4)),
                          to: folder.file(name + ".png"))
        }
        let all = try ImageFolder.load(folder.path, height: 2, width: 2)
        let four = try ImageFolder.load(folder.path, height: 2, width: 2, count: 4, random: RandomGenerator(seed: 1))
        let again = try ImageFolder.load(folder.path, height: 2, width: 2, count: 4, random: RandomGenerator(seed: 1))
        let other = try ImageFolder.load(folder.path, height: 2, width: 2, count: 4, random: RandomGenerator(seed: 2))
        #expect(all.count == 10 && four.count == 4 && four.images.shape == [4, 2, 2, 1])
        #expect(four.images.scalars == again.images.scalars && four.images.scalars != other.images.scalars)
        // Path order kept, each image's label its folder's (b → 0, c → 1): brightness = 20 × index.
        let firsts = (0..<4).map { Int(four.images.scalars[$0 * 4]) / 20 }
        #expect(firsts == firsts.sorted() && Set(firsts).count == 4)
        #expect(four.labels == firsts.map { $0 < 3 ? 0 : 1 })
        #expect(four.name.contains("a random 4 of 10"))
        #expect(try ImageFolder.load(folder.path, height: 2, width: 2, count: 50).count == 10)
        #expect(throws: DatasetError.self) { try ImageFolder.load(folder.path, height: 2, width: 2, count: 0) }
    }

    @Test func unreadableImagesAreAllListed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try PNG.write(PixelImage(width: 1, height: 1, channels: 1, bytes: [9]), to: folder.file("good.png"))
        try folder.write("text.png", Array("hello".utf8))
        let valid = try PNG.encode(PixelImage(width: 8, height: 8, channels: 1, bytes: [UInt8](repeating: 7, count: 64)))
        try folder.write("truncated.png", Array(valid.prefix(valid.count / 2)))
        do {
            _ = try ImageFolder.load(folder.path, height: 4, width: 4)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.problem.hasPrefix("2 of 3 images cannot be read"))
            #expect(error.problem.contains("text.png") && error.problem.contains("truncated.png") && !error.problem.contains("good.png"))
        }
        #expect(throws: DatasetError.self) { try ImageFolder.load(folder.file("missing"), height: 4, width: 4) }
    }

    @Test func manyUnreadableImagesAreCountedAndTheFirstNamed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for i in 0..<1_234 { try folder.write(String(format: "%04d.png", i), Array("not a png".utf8)) }
        do {
            _ = try ImageFolder.load(folder.path, height: 4, width: 4)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            let lines = error.problem.split(separator: "\n")
            #expect(lines.first == "1,234 of 1,234 images cannot be read:")
            #expect(lines.count == ImageFolder.maximumListedFailures + 2)
            #expect(lines[1].hasSuffix("0000.png: not a readable PNG file (Not a PNG file)"), "\(lines[1])")
            #expect(lines.last == "  … and 1,214 more")
        }
    }
}
