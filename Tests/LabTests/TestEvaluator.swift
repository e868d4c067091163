import Datasets
import Lab
import NeuralNet
import Quality

/// A small digit evaluator for tests that run labs on full MNIST, where training the real one
/// (4 epochs over 60,000 images) would take a debug build far too long. Trained once per test
/// process on 300 built-in digits; every caller gets its own copy, since a model keeps the memory
/// of its forward pass and tests run in parallel.
enum TestEvaluator {
    private static let trained: Result<(bytes: [UInt8], reference: ReferenceSet, training: Tensor), any Error> = Result {
        let train = HandwrittenDigits.load(split: .train, count: 300).scaled(to: .zeroToOne)
        let test = HandwrittenDigits.load(split: .test, count: 200).scaled(to: .zeroToOne)
        let evaluator = try DigitEvaluator.train(images: train.images, labels: train.labels, testImages: test.images,
                                                 testLabels: test.labels, epochs: 2)
        return (evaluator.encoded(), try ReferenceSet(evaluator: evaluator, images: test.images), train.images)
    }

    /// A fresh copy of the small evaluator, its reference set (200 built-in test digits) and its
    /// training images.
    static func setup() throws -> EvaluatorSetup {
        let parts = try trained.get()
        return EvaluatorSetup(evaluator: try DigitEvaluator.decode(parts.bytes), reference: parts.reference, trainingImages: parts.training,
                              dataDescription: "built-in digits (300 images; a test's small evaluator)")
    }
}
