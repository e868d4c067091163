import NeuralNet
import Testing

/// GAN checkpoints: a restored GAN continues exactly as the saved one.
@Suite struct CheckpointTests {
    /// A small GAN with every kind of hidden state: batch-norm statistics, dropout draws, Adam
    /// and RMSprop moments, a spectral-norm vector.
    static func smallGAN(seed: UInt64) throws -> GAN {
        let random = RandomGenerator(seed: seed)
        let generator = try Sequential("G", inputShape: [4], random: random) {
            Dense(16)
            BatchNormalization()
            LeakyReLU(alpha: 0.2)
            Dense(6, activation: .tanh)
        }
        let discriminator = try Sequential("D", inputShape: [6], random: random) {
            SpectralNormalization(Dense(16))
            LeakyReLU(alpha: 0.2)
            Dropout(0.3)
            Dense(1, activation: .sigmoid)
        }
        return try GAN(generator: generator, discriminator: discriminator,
                       generatorOptimizer: Adam(learningRate: 1e-3, beta1: 0.5), discriminatorOptimizer: RMSprop(learningRate: 1e-3),
                       loss: BinaryCrossentropy(), random: random)
    }

    @Test func aRestoredGANContinuesBitForBit() throws {
        let real = RandomGenerator(seed: 9).uniformTensor(shape: [8, 6], low: -1, high: 1)
        let original = try Self.smallGAN(seed: 1)
        for _ in 0..<3 { _ = original.trainStep(real: real) }
        let saved = original.checkpoint()
        let expected = (0..<3).map { _ in original.trainStep(real: real) }

        // A GAN built the same way from another seed, then restored: the same next steps.
        let restored = try Self.smallGAN(seed: 2)
        #expect(restored.checkpoint() != saved)
        try restored.restore(saved)
        #expect(restored.checkpoint() == saved)
        #expect((0..<3).map { _ in restored.trainStep(real: real) } == expected)
        #expect(restored.checkpoint() == original.checkpoint())
    }

    @Test func aCheckpointOfAnotherShapeIsRefused() throws {
        let gan = try Self.smallGAN(seed: 1)
        var saved = gan.checkpoint()
        saved.generatorWeights[0] = Tensor(shape: [3, 16])
        let before = gan.checkpoint()
        #expect(throws: NeuralNetError.self) { try gan.restore(saved) }
        #expect(gan.checkpoint() == before, "nothing changed")
    }
}
