import Datasets
import Foundation
import NeuralNet
import Quality

/// The evaluator for a data search: MNIST when it is found (else the built-in digits, said so),
/// trained on the training split on first use and kept in the user's cache, with the test split
/// as the reference set.
public struct EvaluatorSetup {
    public let evaluator: DigitEvaluator
    public let reference: ReferenceSet
    /// The training images (`[n, 28, 28, 1]`, 0…1): the real-data row beside generated samples.
    public let trainingImages: Tensor
    /// What the evaluator was trained on, in words, e.g. "MNIST from data/mnist".
    public let dataDescription: String
    /// True when it was trained now rather than read from the cache.
    public let trainedNow: Bool
    public let path: String

    /// A setup from parts (tests use a small evaluator this way).
    public init(evaluator: DigitEvaluator, reference: ReferenceSet, trainingImages: Tensor, dataDescription: String,
                trainedNow: Bool = false, path: String = "") {
        self.evaluator = evaluator
        self.reference = reference
        self.trainingImages = trainingImages
        self.dataDescription = dataDescription
        self.trainedNow = trainedNow
        self.path = path
    }

    /// The per-user folder: beside the MNIST cache.
    public static func storeFolder(_ search: DataSearch) -> String {
        ((search.cacheFolder as NSString).deletingLastPathComponent as NSString).appendingPathComponent("evaluator")
    }

    /// Loads or trains the evaluator; `retrain` ignores a stored one. `log` receives progress
    /// lines (training takes a minute or two on two cores).
    public static func prepare(search: DataSearch, policy: ReadPolicy? = nil, retrain: Bool = false, epochs: Int = 4,
                               shouldStop: @escaping () -> Bool = { false }, log: (String) -> Void) throws -> EvaluatorSetup {
        let (train, trainNotice) = try search.loadMNISTOrBuiltIn(split: .train, policy: policy)
        let (test, _) = try search.loadMNISTOrBuiltIn(split: .test, policy: policy)
        if let trainNotice { log("note: " + trainNotice) }
        let x = train.scaled(to: .zeroToOne), tx = test.scaled(to: .zeroToOne)
        let fingerprint = DigitEvaluator.fingerprint(images: x.images, labels: x.labels)
        let store = EvaluatorStore(folder: storeFolder(search))
        var evaluator: DigitEvaluator?
        if !retrain {
            let (stored, problem) = store.load(fingerprint: fingerprint)
            if let problem { log("evaluator: \(problem); training a new one") }
            evaluator = stored
        }
        let trainedNow = evaluator == nil
        if evaluator == nil {
            log("evaluator: training on \(train.name) (\(epochs) epochs; once, then kept in \(store.folder))")
            var lastShown = -1
            let trained = try DigitEvaluator.train(
                images: x.images, labels: x.labels, testImages: tx.images, testLabels: tx.labels, epochs: epochs,
                shouldStop: shouldStop,
                progress: { p in
                    let percent = (100 * ((p.epoch - 1) * p.batches + p.batch)) / (p.epochs * p.batches)
                    if percent / 10 != lastShown { lastShown = percent / 10; log("evaluator: epoch \(p.epoch)/\(p.epochs) · \(percent) % · loss \(String(format: "%.4f", p.loss))") }
                })
            try store.save(trained)
            evaluator = trained
        }
        let ready = evaluator!
        return EvaluatorSetup(evaluator: ready, reference: try ReferenceSet(evaluator: ready, images: tx.images),
                              trainingImages: x.images, dataDescription: train.name, trainedNow: trainedNow, path: store.path(for: fingerprint))
    }
}

extension Environment {
    /// The run's evaluator: the one given or loaded before, else the user's stored one (trained
    /// now when there is none), kept for the rest of the run.
    func preparedEvaluator() throws -> EvaluatorSetup {
        if let evaluatorSetup { return evaluatorSetup }
        let setup = try EvaluatorSetup.prepare(search: dataSearch(), policy: readPolicy,
                                               shouldStop: { [interruption] in interruption?() ?? false }, log: { [log] in log?($0) })
        evaluatorSetup = setup
        return setup
    }
}
