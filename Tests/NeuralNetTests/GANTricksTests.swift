@testable import NeuralNet
import Testing
import _TestSupport

/// The stabilising tricks that change how a GAN is trained or sampled: the moving average of G.
@Suite struct GANTricksTests {
    func smallGAN() throws -> GAN {
        let random = RandomGenerator(seed: 5)
        let generator = try Sequential("G", inputShape: [2], random: random, layers: [Dense(4), BatchNormalization(), Dense(3)])
        let discriminator = try Sequential("D", inputShape: [3], random: random, layers: [Dense(4), LeakyReLU(alpha: 0.2), Dense(1, activation: .sigmoid)])
        return try GAN(generator: generator, discriminator: discriminator, generatorOptimizer: Adam(learningRate: 0.01),
                       discriminatorOptimizer: Adam(learningRate: 0.01), loss: BinaryCrossentropy(), random: random)
    }

    /// avg starts at the weights, then follows β·avg + (1 − β)·w for trainable weights; moving
    /// statistics are copied; sampling through the average leaves the trained weights in place.
    @Test func theAverageFollowsItsRecurrenceAndSamplingRestoresTheWeights() throws {
        let gan = try smallGAN()
        let kernel = gan.generator.parameters[0], movingMean = gan.generator.parameters.first { $0.name == "moving_mean" }!
        let w0 = kernel.value
        gan.updateGeneratorAverage(beta: 0.5)
        kernel.value = Tensor(shape: w0.shape, scalars: w0.scalars.map { $0 + 2 })
        movingMean.value = Tensor(shape: movingMean.value.shape, repeating: 7)
        gan.updateGeneratorAverage(beta: 0.5)
        let averaged = try #require(gan.averagedGeneratorWeights)
        #expect(averaged[0].isClose(to: Tensor(shape: w0.shape, scalars: w0.scalars.map { $0 + 1 }), tolerance: 1e-6))
        let meanIndex = gan.generator.parameters.firstIndex { $0 === movingMean }!
        #expect(averaged[meanIndex].scalars.allSatisfy { $0 == 7 })
        let trained = kernel.value
        let inside = gan.withAveragedGenerator { kernel.value }
        #expect(inside == averaged[0] && kernel.value == trained)
    }

    /// Training with the average keeps it in the checkpoint; the monitor samples come from it.
    @Test func trainingWithTheAverageSamplesFromItAndCheckpointsIt() throws {
        let gan = try smallGAN()
        let data = gan.random.uniformTensor(shape: [64, 3], low: -1, high: 1)
        let monitor = gan.noise(count: 4)
        let history = try gan.train(on: data, epochs: 2, batchSize: 16, options: GANTrainingOptions(generatorAverage: 0.9), monitorNoise: monitor)
        let averagedSample = gan.withAveragedGenerator { gan.generator.forward(monitor, training: false, slot: 0) }
        let currentSample = gan.generator.forward(monitor, training: false, slot: 0)
        #expect(history.epochSamples.last == averagedSample && averagedSample != currentSample)
        let saved = gan.checkpoint()
        #expect(saved.averagedGeneratorWeights.count == gan.generator.parameters.count)
        let other = try smallGAN()
        try other.restore(saved)
        #expect(other.averagedGeneratorWeights == gan.averagedGeneratorWeights)
        #expect(throws: NeuralNetError.self) { try gan.train(on: data, epochs: 1, batchSize: 16, options: GANTrainingOptions(generatorAverage: 1)) }
    }

    /// Feature matching: G's loss is ‖mean f(real) − mean f(fake)‖² at D's named layer, worked
    /// by hand, and G's gradient of it matches difference quotients.
    @Test func featureMatchingMatchesItsFormulaAndItsNumericGradient() throws {
        let random = RandomGenerator(seed: 9)
        let generator = try Sequential("G", inputShape: [2], random: random, layers: [Dense(3, activation: .tanh)])
        let discriminator = try Sequential("D", inputShape: [3], random: random,
                                           layers: [Dense(4, name: "features"), LeakyReLU(alpha: 0.2), Dense(1, activation: .sigmoid)])
        let gan = try GAN(generator: generator, discriminator: discriminator, generatorOptimizer: SGD(learningRate: 0.1),
                          discriminatorOptimizer: SGD(learningRate: 0.1), loss: BinaryCrossentropy(), random: random)
        let real = random.uniformTensor(shape: [5, 3], low: -1, high: 1)
        let noise = random.normalTensor(shape: [5, 2])
        let features = discriminator.layers[0]
        // The loss by hand, before the step changes any weight.
        func distance() -> Double {
            let fReal = features.forward(real, training: false, slot: 7)
            let fFake = features.forward(generator.forward(noise, training: false, slot: 7), training: false, slot: 7)
            return (0..<4).reduce(0.0) { total, j in
                let meanReal = (0..<5).reduce(0.0) { $0 + Double(fReal.scalars[$1 * 4 + j]) } / 5
                let meanFake = (0..<5).reduce(0.0) { $0 + Double(fFake.scalars[$1 * 4 + j]) } / 5
                return total + (meanReal - meanFake) * (meanReal - meanFake)
            }
        }
        let expected = distance()
        let kernel = generator.parameters[0], before = kernel.value
        let numeric = GradientCheck.numericGradient(of: before, step: 1e-3) { shifted in
            kernel.value = shifted
            return distance()
        }
        kernel.value = before
        let losses = gan.trainStep(real: real, noise: noise, options: GANTrainingOptions(featureMatchingLayer: "features"))
        #expect(abs(Double(losses.generator) - expected) < 1e-5, "\(losses.generator) vs \(expected)")
        #expect(GradientCheck.maxRelativeError(kernel.gradient, numeric) < 1e-2, "\(kernel.gradient.scalars) vs \(numeric.scalars)")
        let data = random.uniformTensor(shape: [8, 3], low: -1, high: 1)
        #expect(throws: NeuralNetError.self) {
            try gan.train(on: data, epochs: 1, batchSize: 4, options: GANTrainingOptions(featureMatchingLayer: "nope"))
        }
    }
}
