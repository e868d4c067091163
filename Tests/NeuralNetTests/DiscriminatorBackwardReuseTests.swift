@testable import NeuralNet
import Testing

/// The G-loss gradient at D's input, derived from the D-loss backward pass, equals the one a
/// second backward pass through D gives.
@Suite struct DiscriminatorBackwardReuseTests {
    func gan(seed: UInt64, reuse: Bool, batchNormalizedDiscriminator: Bool = false) throws -> GAN {
        let random = RandomGenerator(seed: seed)
        let generator = try Sequential("G", inputShape: [8], random: random) {
            Dense(64)
            LeakyReLU(alpha: 0.2)
            Dense(6 * 6 * 2, activation: .tanh)
            Reshape([6, 6, 2])
        }
        let discriminator = try Sequential("D", inputShape: [6, 6, 2], random: random) {
            Conv2D(4, kernelSize: 3, strides: 2, padding: .same)
            LeakyReLU(alpha: 0.2)
            Dropout(0.3)
            if batchNormalizedDiscriminator { BatchNormalization() }
            Flatten()
            Dense(16)
            LeakyReLU(alpha: 0.2)
            Dropout(0.3)
            Dense(1, activation: .sigmoid)
        }
        let gan = try GAN(generator: generator, discriminator: discriminator,
                          generatorOptimizer: try Adam(learningRate: 1e-3, beta1: 0.5),
                          discriminatorOptimizer: try Adam(learningRate: 1e-3, beta1: 0.5),
                          loss: try BinaryCrossentropy(labelSmoothing: 0.1), random: random)
        gan.reusesDiscriminatorBackward = reuse
        return gan
    }

    @Test func theDerivedGeneratorGradientEqualsASecondBackwardPass() throws {
        let real = RandomGenerator(seed: 4).uniformTensor(shape: [16, 6, 6, 2], low: -1, high: 1)
        let shortcut = try gan(seed: 3, reuse: true), reference = try gan(seed: 3, reuse: false)
        let options = GANTrainingOptions(realLabel: 0.9, labelNoise: 0.05)
        for _ in 0..<5 {
            let (a, b) = (shortcut.trainStep(real: real, options: options), reference.trainStep(real: real, options: options))
            #expect(abs(a.generator - b.generator) < 1e-5 && abs(a.discriminator - b.discriminator) < 1e-5)
        }
        for (p, q) in zip(shortcut.generator.parameters, reference.generator.parameters) {
            #expect(p.value.isClose(to: q.value, tolerance: 1e-5), "\(p.name)")
        }
        // The derived gradient is not the D-loss gradient itself: G actually moved.
        let untouched = try gan(seed: 3, reuse: true)
        #expect(!shortcut.generator.parameters[0].value.isClose(to: untouched.generator.parameters[0].value, tolerance: 1e-4))
    }

    @Test func aBatchNormalizedDiscriminatorTakesTheSecondPass() throws {
        let gan = try gan(seed: 1, reuse: true, batchNormalizedDiscriminator: true)
        let fresh = try GAN(generator: gan.generator, discriminator: gan.discriminator, generatorOptimizer: try Adam(),
                            discriminatorOptimizer: try Adam(), loss: try BinaryCrossentropy(), random: gan.random)
        #expect(!fresh.reusesDiscriminatorBackward)
    }

    @Test func aZeroDiscriminatorGradientFallsBack() {
        let inputGradient = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let scaled = GAN.rescaled(inputGradient, from: Tensor(shape: [2, 1], scalars: [2, -1]),
                                  to: Tensor(shape: [2, 1], scalars: [1, 3]))
        #expect(scaled == Tensor(shape: [2, 3], scalars: [0.5, 1, 1.5, -12, -15, -18]))
        #expect(GAN.rescaled(inputGradient, from: Tensor(shape: [2, 1], scalars: [0, 1]),
                             to: Tensor(shape: [2, 1], scalars: [1, 1])) == nil)
        #expect(GAN.rescaled(inputGradient, from: Tensor(shape: [2, 1], scalars: [0, 1]),
                             to: Tensor(shape: [2, 1], scalars: [0, 1])) == Tensor(shape: [2, 3], scalars: [0, 0, 0, 4, 5, 6]))
    }
}
