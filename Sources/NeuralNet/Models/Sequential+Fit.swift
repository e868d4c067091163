/// What a supervised training run recorded: the mean loss and the accuracy of each epoch, on
/// the training batches as they were seen (Keras's `history.history['loss']`, `['accuracy']`).
public struct FitHistory: Sendable, Equatable {
    public var losses: [Float] = []
    public var accuracies: [Float] = []
    /// True when the run stopped early because it was asked to.
    public var wasInterrupted = false

    public init() {}
}

/// Where a supervised run is, reported after every batch.
public struct FitProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    public var loss: Float
}

extension Sequential {
    /// Keras's `fit` for a classifier: every epoch shuffles the items (with `random`), takes
    /// mini-batches of `batchSize` (the last, smaller one included, as Keras does), runs the
    /// model in training mode, and updates its weights with `optimizer` from the loss's
    /// gradient. Labels are class numbers. A loss that turns NaN is a `DivergenceError`.
    public func fit(
        _ x: Tensor, labels: [Int], epochs: Int, batchSize: Int, optimizer: any Optimizer,
        loss: SparseCategoricalCrossentropy = .init(), random: RandomGenerator,
        shouldStop: () -> Bool = { false }, progress: (FitProgress) -> Void = { _ in }
    ) throws -> FitHistory {
        guard x.batchSize == labels.count else {
            throw NeuralNetError("\(name): \(x.batchSize) items but \(labels.count) labels")
        }
        guard Array(x.shape.dropFirst()) == inputShape else {
            throw NeuralNetError("\(name) expects items of shape \(kerasShape(inputShape)), got \(Array(x.shape.dropFirst()))")
        }
        guard epochs > 0 else { throw NeuralNetError("epochs must be at least 1, got \(epochs)") }
        try checkBatchFits(batchSize)
        var history = FitHistory()
        for epoch in 1...epochs {
            let batches = try Batches(x, batchSize: batchSize, dropRemainder: false, shuffle: random)
            var lossSum: Double = 0, correct = 0, seen = 0
            for index in 0..<batches.count {
                if shouldStop() {
                    history.wasInterrupted = true
                    return history
                }
                let input = batches.batch(index)
                let start = index * batchSize
                let batchLabels = batches.order[start..<(start + input.batchSize)].map { labels[$0] }
                zeroGradients()
                let output = forward(input, training: true)
                let (value, gradient) = try loss(predictions: output, labels: batchLabels)
                guard value.isFinite else {
                    throw DivergenceError(epoch: epoch, step: index + 1, loss: "classifier", value: value)
                }
                backward(gradient)
                optimizer.update(trainableParameters)
                lossSum += Double(value) * Double(input.batchSize)
                correct += zip(Self.argmax(output), batchLabels).filter { $0 == $1 }.count
                seen += input.batchSize
                progress(FitProgress(epoch: epoch, epochs: epochs, batch: index + 1, batches: batches.count, loss: value))
            }
            history.losses.append(Float(lossSum / Double(seen)))
            history.accuracies.append(Float(correct) / Float(seen))
        }
        return history
    }

    /// The model's outputs in inference mode, `batchSize` items at a time.
    public func predict(_ x: Tensor, batchSize: Int = 256) throws -> Tensor {
        guard Array(x.shape.dropFirst()) == inputShape else {
            throw NeuralNetError("\(name) expects items of shape \(kerasShape(inputShape)), got \(Array(x.shape.dropFirst()))")
        }
        try checkBatchFits(batchSize)
        var scalars: [Float] = []
        scalars.reserveCapacity(x.batchSize * outputShape.reduce(1, *))
        for batch in try Batches(x, batchSize: batchSize, dropRemainder: false) {
            scalars += forward(batch, training: false).scalars
        }
        return Tensor(shape: [x.batchSize] + outputShape, scalars: scalars)
    }

    /// The fraction of items whose highest score is their label.
    public func accuracy(_ x: Tensor, labels: [Int], batchSize: Int = 256) throws -> Float {
        let scores = try predict(x, batchSize: batchSize)
        let hits = zip(Self.argmax(scores), labels).filter { $0 == $1 }.count
        return labels.isEmpty ? 0 : Float(hits) / Float(labels.count)
    }

    /// The index of the largest score of each row of `[n, classes]`.
    static func argmax(_ scores: Tensor) -> [Int] {
        let classes = scores.itemSize
        return scores.withUnsafeBufferPointer { s in
            (0..<scores.batchSize).map { row in
                var best = 0
                for c in 1..<max(classes, 1) where s[row * classes + c] > s[row * classes + best] { best = c }
                return best
            }
        }
    }
}
