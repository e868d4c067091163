import Crypto
import Foundation
import NeuralNet

/// The classifier whose features and class probabilities the quality measures use: a small
/// LeNet-like network trained by our own library on 28 × 28 digits, deterministic from a seed.
///
/// Conv2D(32, 3, relu) → MaxPooling2D(2) → Conv2D(64, 3, relu) → MaxPooling2D(2) → Flatten →
/// Dense(128, relu) → Dropout(0.5) → Dense(10) → Softmax. The features are the 128 values after
/// the first Dense layer's ReLU; the probabilities are the softmax output (dropout acts only in
/// training).
public final class DigitEvaluator {
    /// The trained network.
    public let model: Sequential
    /// What it was trained on (a fingerprint of the images and labels), and its test accuracy.
    public let dataFingerprint: String
    public let testAccuracy: Float

    /// How many layers (from the input) produce the 128 features.
    public static let featureLayers = 6
    public static let featureDimension = 128
    public static let classes = 10

    init(model: Sequential, dataFingerprint: String, testAccuracy: Float) {
        self.model = model
        self.dataFingerprint = dataFingerprint
        self.testAccuracy = testAccuracy
    }

    /// The untrained network.
    public static func makeModel(random: RandomGenerator) throws -> Sequential {
        try Sequential("DigitEvaluator", inputShape: [28, 28, 1], random: random) {
            Conv2D(32, kernelSize: 3, activation: .relu)
            MaxPooling2D(poolSize: 2)
            Conv2D(64, kernelSize: 3, activation: .relu)
            MaxPooling2D(poolSize: 2)
            Flatten()
            Dense(featureDimension, activation: .relu)
            Dropout(0.5)
            Dense(classes)
            Softmax()
        }
    }

    /// Trains a new evaluator on `images` (`[n, 28, 28, 1]`, values 0…1) with `labels`, and
    /// measures it on the test images: Adam(1e-3), batches of 128, shuffled every epoch.
    public static func train(
        images: Tensor, labels: [Int], testImages: Tensor, testLabels: [Int], epochs: Int = 3, seed: UInt64 = 2024,
        shouldStop: () -> Bool = { false }, progress: (FitProgress) -> Void = { _ in }
    ) throws -> DigitEvaluator {
        let random = RandomGenerator(seed: seed)
        let model = try makeModel(random: random)
        let history = try model.fit(images, labels: labels, epochs: epochs, batchSize: 128, optimizer: try Adam(learningRate: 1e-3),
                                    random: random, shouldStop: shouldStop, progress: progress)
        guard !history.wasInterrupted else { throw NeuralNetError("training the evaluator was interrupted") }
        let accuracy = try model.accuracy(testImages, labels: testLabels)
        return DigitEvaluator(model: model, dataFingerprint: fingerprint(images: images, labels: labels), testAccuracy: accuracy)
    }

    /// SHA-256 of the images' values and the labels: which data an evaluator was trained on.
    public static func fingerprint(images: Tensor, labels: [Int]) -> String {
        var sha = SHA256()
        images.withUnsafeBufferPointer { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        labels.map(Int64.init).withUnsafeBytes { sha.update(bufferPointer: $0) }
        return hexDigits(sha.finalize())
    }

    /// A digest as lowercase hex digits.
    static func hexDigits(_ digest: some Sequence<UInt8>) -> String {
        digest.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// The 128 features and the 10 class probabilities of each image (`[n, 28, 28, 1]`, 0…1),
    /// in inference mode, `batchSize` images at a time.
    public func featuresAndProbabilities(_ images: Tensor, batchSize: Int = 500) throws -> (features: [Float], probabilities: [Float]) {
        guard Array(images.shape.dropFirst()) == [28, 28, 1] else {
            throw NeuralNetError("the evaluator takes 28×28×1 images, got \(Array(images.shape.dropFirst()))")
        }
        var features: [Float] = [], probabilities: [Float] = []
        features.reserveCapacity(images.batchSize * Self.featureDimension)
        probabilities.reserveCapacity(images.batchSize * Self.classes)
        for batch in try Batches(images, batchSize: batchSize, dropRemainder: false) {
            var activations = batch
            for (index, layer) in model.layers.enumerated() {
                activations = layer.forward(activations, training: false, slot: 0)
                if index == Self.featureLayers - 1 { features += activations.scalars }
            }
            probabilities += activations.scalars
        }
        return (features, probabilities)
    }
}
