
/// Where a run is, reported after every batch.
public struct GANProgress: Sendable {
    /// 1-based epoch.
    public var epoch: Int
    /// Epochs in the run.
    public var epochs: Int
    /// 1-based batch within the epoch.
    public var batch: Int
    /// Batches per epoch.
    public var batches: Int
    /// The losses of this batch.
    public var losses: GANStepLosses
    /// Seconds since the epoch began.
    public var epochElapsed: Double
}

extension GAN {
    /// Trains for `epochs` passes over `data` (items on the first axis), shuffled every epoch.
    ///
    /// After each epoch the generator turns `monitorNoise` into samples (inference mode). A NaN or
    /// infinite loss stops the run with a `DivergenceError` naming the epoch and step. When
    /// `shouldStop` answers true (checked after every batch) the run ends early; the history then
    /// holds the finished epochs and says it was interrupted. With an `evaluation` schedule, the
    /// epochs it names end with a measurement of quality, kept in the history; its time is not
    /// counted in the epoch's seconds. `epochEnded` is told the epoch and the history so far when
    /// an epoch's losses, samples and seconds are in (before its quality measurement), for a log
    /// line per epoch. A conditional GAN (`conditionClasses` > 0) needs the items' `labels`.
    public func train(
        on items: Tensor, labels: [Int]? = nil, epochs: Int, batchSize: Int,
        options: GANTrainingOptions = .init(),
        monitorNoise: Tensor? = nil,
        evaluation: EpochEvaluationSchedule? = nil,
        shouldStop: () -> Bool = { false },
        progress: (GANProgress) -> Void = { _ in },
        epochEnded: (Int, GANHistory) -> Void = { _, _ in }
    ) throws -> GANHistory {
        guard epochs > 0 else { throw NeuralNetError("the number of epochs must be positive, got \(epochs)") }
        try options.validate(for: objective)
        if conditionClasses > 0, labels == nil {
            throw NeuralNetError("a conditional GAN learns from labelled items: pass the labels (train(x, labels: data.labels, …))")
        }
        if let name = options.featureMatchingLayer, !discriminator.layers.contains(where: { $0.name == name }) {
            throw NeuralNetError("feature matching needs a layer of \(discriminator.name) named '\(name)'; its layers are "
                + discriminator.layers.map(\.name).joined(separator: ", "))
        }
        let data = try labels.map { try conditionedData(items, labels: $0) } ?? items
        guard Array(data.shape.dropFirst()) == discriminator.inputShape else {
            throw NeuralNetError(
                "the data items are \(data.shape.dropFirst().map(String.init).joined(separator: "×")) but "
                    + "\(discriminator.name) takes \(kerasShape(discriminator.inputShape))")
        }
        // A finished (or stopped) run keeps the weights, not the last step's activations and
        // work buffers: the next model trained in the same lab reuses that memory.
        defer {
            generator.releaseWorkingMemory()
            discriminator.releaseWorkingMemory()
        }
        let monitor = monitorNoise ?? noise(count: 16)
        var history = GANHistory()
        history.evaluationInterval = evaluation?.every ?? 0
        let clock = ContinuousClock()
        for epoch in 1...epochs {
            let start = clock.now
            let batches = try Batches(data, batchSize: batchSize, dropRemainder: true, shuffle: random)
            let steps = batches.count / options.discriminatorSteps
            guard steps > 0 else {
                throw NeuralNetError(
                    "\(data.batchSize) items make no full batch of \(batchSize)"
                        + (options.discriminatorSteps > 1 ? " × \(options.discriminatorSteps) D steps" : ""))
            }
            var gSum: Double = 0, dSum: Double = 0, dCount = 0
            for step in 1...steps {
                let first = (step - 1) * options.discriminatorSteps
                for extra in 0..<(options.discriminatorSteps - 1) {
                    let dLoss = discriminatorStep(real: batches.batch(first + extra), options: options)
                    try check(dLoss, "discriminator", epoch, step)
                    dSum += Double(dLoss)
                    dCount += 1
                }
                let losses = trainStep(real: batches.batch(first + options.discriminatorSteps - 1), options: options)
                try check(losses.discriminator, "discriminator", epoch, step)
                try check(losses.generator, "generator", epoch, step)
                if options.generatorAverage > 0 { updateGeneratorAverage(beta: options.generatorAverage) }
                gSum += Double(losses.generator)
                dSum += Double(losses.discriminator)
                history.stepGeneratorLosses.append(losses.generator)
                history.stepDiscriminatorLosses.append(losses.discriminator)
                dCount += 1
                progress(GANProgress(
                    epoch: epoch, epochs: epochs, batch: step, batches: steps, losses: losses,
                    epochElapsed: (clock.now - start).inSeconds))
                if shouldStop() {
                    history.wasInterrupted = true
                    return history
                }
            }
            history.generatorLosses.append(Float(gSum / Double(steps)))
            history.discriminatorLosses.append(Float(dSum / Double(dCount)))
            // With a moving average of G, samples and measurements come from the averaged weights.
            let sampling: (() throws -> Void) throws -> Void = { body in
                if options.generatorAverage > 0 { try self.withAveragedGenerator(body) } else { try body() }
            }
            try sampling { history.epochSamples.append(self.generator.forward(monitor, training: false, slot: 0)) }
            history.epochSeconds.append((clock.now - start).inSeconds)
            epochEnded(epoch, history)
            if let evaluation, evaluation.isDue(after: epoch, of: epochs) {
                try sampling { history.evaluations.append(try evaluation.measure(epoch)) }
            }
        }
        return history
    }

    private func check(_ value: Float, _ loss: String, _ epoch: Int, _ step: Int) throws {
        if !value.isFinite { throw DivergenceError(epoch: epoch, step: step, loss: loss, value: value) }
    }
}

extension Duration {
    /// The duration in seconds, for timings.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
