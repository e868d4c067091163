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
