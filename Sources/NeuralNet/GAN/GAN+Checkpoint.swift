/// Everything that training changes in a GAN, as plain values: every weight of both models
/// (moving statistics and spectral-norm vectors included), both optimizers' state, and the
/// random generator's position. Restoring it into a GAN built the same way (with its layers
/// drawing from the GAN's generator, as the lab runner builds them) continues exactly as the saved
/// one would have; the lab runner's cache keeps trained GANs this way.
public struct GANCheckpoint: Sendable, Equatable {
    public var generatorWeights: [Tensor]
    public var discriminatorWeights: [Tensor]
    public var generatorOptimizer: OptimizerSnapshot
    public var discriminatorOptimizer: OptimizerSnapshot
    public var random: RandomGenerator.SavedState
    /// The moving average of G's weights (`GANTrainingOptions.generatorAverage`), empty when none.
    public var averagedGeneratorWeights: [Tensor]

    public init(generatorWeights: [Tensor], discriminatorWeights: [Tensor], generatorOptimizer: OptimizerSnapshot,
                discriminatorOptimizer: OptimizerSnapshot, random: RandomGenerator.SavedState, averagedGeneratorWeights: [Tensor] = []) {
        self.averagedGeneratorWeights = averagedGeneratorWeights
        self.generatorWeights = generatorWeights
        self.discriminatorWeights = discriminatorWeights
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.random = random
    }
}

extension GAN {
    /// A copy of the GAN's trainable and hidden state.
    public func checkpoint() -> GANCheckpoint {
        GANCheckpoint(
            generatorWeights: generator.parameters.map(\.value),
            discriminatorWeights: discriminator.parameters.map(\.value),
            generatorOptimizer: generatorOptimizer.saveState(for: generator.trainableParameters),
            discriminatorOptimizer: discriminatorOptimizer.saveState(for: discriminator.trainableParameters),
            random: random.savedState, averagedGeneratorWeights: averagedGeneratorWeights ?? [])
    }

    /// Puts a checkpoint back. Weights whose count or shapes differ from the models' are a thrown
    /// error before anything is changed.
    public func restore(_ checkpoint: GANCheckpoint) throws {
        for (model, weights) in [(generator, checkpoint.generatorWeights), (discriminator, checkpoint.discriminatorWeights)] {
            let parameters = model.parameters
            guard weights.count == parameters.count, zip(weights, parameters).allSatisfy({ $0.shape == $1.value.shape }) else {
                throw NeuralNetError("the checkpoint's weights do not fit \(model.name)")
            }
        }
        let averaged = checkpoint.averagedGeneratorWeights
        guard averaged.isEmpty || (averaged.count == generator.parameters.count
                                   && zip(averaged, generator.parameters).allSatisfy { $0.shape == $1.value.shape }) else {
            throw NeuralNetError("the checkpoint's averaged weights do not fit \(generator.name)")
        }
        averagedGeneratorWeights = averaged.isEmpty ? nil : averaged
        try generatorOptimizer.restoreState(checkpoint.generatorOptimizer, for: generator.trainableParameters)
        try discriminatorOptimizer.restoreState(checkpoint.discriminatorOptimizer, for: discriminator.trainableParameters)
        for (parameter, value) in zip(generator.parameters + discriminator.parameters,
                                      checkpoint.generatorWeights + checkpoint.discriminatorWeights) {
            parameter.value = value
        }
        random.savedState = checkpoint.random
    }
}
