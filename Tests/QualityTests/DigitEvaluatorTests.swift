import Datasets
import Foundation
import NeuralNet
import Quality
import Testing

/// The evaluator network: it learns digits, its features and probabilities have the right
/// shapes, and its saved form comes back exactly or not at all.
@Suite struct DigitEvaluatorTests {
    static func digits(_ split: MNIST.Split, _ count: Int) -> (Tensor, [Int]) {
        let data = HandwrittenDigits.load(split: split, count: count).scaled(to: .zeroToOne)
        return (data.images, data.labels)
    }

    @Test func aSmallTrainingRunLearnsTheBuiltInDigits() throws {
        let (x, y) = Self.digits(.train, 600), (tx, ty) = Self.digits(.test, 200)
        let evaluator = try DigitEvaluator.train(images: x, labels: y, testImages: tx, testLabels: ty, epochs: 3)
        #expect(evaluator.testAccuracy >= 0.80, "test accuracy \(evaluator.testAccuracy)")
        let (features, probabilities) = try evaluator.featuresAndProbabilities(tx, batchSize: 64)
        #expect(features.count == 200 * 128 && probabilities.count == 200 * 10)
        #expect(features.allSatisfy { $0 >= 0 })  // after the ReLU
        for row in 0..<200 { #expect(abs(probabilities[(row * 10)..<(row * 10 + 10)].reduce(0, +) - 1) < 1e-4) }

        let bytes = evaluator.encoded()
        let loaded = try DigitEvaluator.decode(bytes)
        #expect(loaded.dataFingerprint == evaluator.dataFingerprint && loaded.testAccuracy == evaluator.testAccuracy)
        #expect(try loaded.featuresAndProbabilities(tx, batchSize: 64).probabilities == probabilities)
        for offset in [0, 20, bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[offset] ^= 0x40
            #expect(throws: NeuralNetError.self) { _ = try DigitEvaluator.decode(damaged) }
        }
        #expect(throws: NeuralNetError.self) { _ = try DigitEvaluator.decode(Array(bytes.dropLast(100))) }
    }
}

extension DigitEvaluatorTests {
    @Test func theStoreReturnsOnlyAnIntactEvaluatorOfTheSameData() throws {
        let (x, y) = Self.digits(.train, 200), (tx, ty) = Self.digits(.test, 50)
        let evaluator = try DigitEvaluator.train(images: x, labels: y, testImages: tx, testLabels: ty, epochs: 1)
        let folder = NSTemporaryDirectory() + "lab-evaluator-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = EvaluatorStore(folder: folder)
        #expect(store.load(fingerprint: evaluator.dataFingerprint).evaluator == nil)
        try store.save(evaluator)
        #expect(store.load(fingerprint: evaluator.dataFingerprint).evaluator?.testAccuracy == evaluator.testAccuracy)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: store.path(for: evaluator.dataFingerprint))))
        bytes[bytes.count / 3] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: store.path(for: evaluator.dataFingerprint)))
        let damaged = store.load(fingerprint: evaluator.dataFingerprint)
        #expect(damaged.evaluator == nil && damaged.problem?.contains("checksum mismatch") == true)

        // The folder is the user's, but its files are read as untrusted: a link (even to a good
        // evaluator), a FIFO (which would block) or a file past the size limit is not read.
        let file = store.path(for: evaluator.dataFingerprint), good = folder + "/good"
        try store.save(evaluator)
        try FileManager.default.moveItem(atPath: file, toPath: good)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: good)
        #expect(store.load(fingerprint: evaluator.dataFingerprint).problem?.hasSuffix("is a symbolic link, which lab does not follow here") == true)
        try FileManager.default.removeItem(atPath: file)
        #expect(mkfifo(file, 0o644) == 0)
        #expect(store.load(fingerprint: evaluator.dataFingerprint).problem?.contains("not a regular file") == true)
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: good, toPath: file)
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.truncate(atOffset: UInt64(EvaluatorStore.maximumFileBytes + 1))
        try handle.close()
        #expect(store.load(fingerprint: evaluator.dataFingerprint).problem?.hasSuffix("holds 67108865 bytes, more than the 67108864 lab reads from such a file") == true)
    }

    @Test func realDigitsScoreWellAgainstRealDigitsAndNoiseDoesNot() throws {
        let (x, y) = Self.digits(.train, 600), (tx, ty) = Self.digits(.test, 300)
        let evaluator = try DigitEvaluator.train(images: x, labels: y, testImages: tx, testLabels: ty, epochs: 3)
        let reference = try ReferenceSet(evaluator: evaluator, images: tx)
        let real = try QualityMeasures.measure(Self.digits(.train, 300).0, evaluator: evaluator, reference: reference)
        let noise = try QualityMeasures.measure(RandomGenerator(seed: 1).uniformTensor(shape: [300, 28, 28, 1], low: 0, high: 1),
                                                evaluator: evaluator, reference: reference)
        #expect(real.fid < noise.fid / 5, "FID real \(real.fid), noise \(noise.fid)")
        #expect(real.coverage.classesCovered == 10 && !real.isCollapsed, "\(real)")
        #expect(real.precision > 0.5 && real.recall > 0.5 && noise.precision < 0.1)
        #expect(noise.inceptionScore < real.inceptionScore, "IS real \(real.inceptionScore), noise \(noise.inceptionScore)")
    }
}
