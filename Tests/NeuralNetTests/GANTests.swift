import NeuralNet
import Testing

/// GAN training: it learns, it repeats from a seed, and it stops cleanly on divergence.
@Suite struct GANTests {
    /// A tiny GAN on 1-D data: noise [4] → sample [1].
    func smallGAN(seed: UInt64) throws -> GAN {
        let random = RandomGenerator(seed: seed)
        let generator = try Sequential("G", inputShape: [4], random: random) {
            Dense(32)
            LeakyReLU(alpha: 0.2)
            Dense(32)
            LeakyReLU(alpha: 0.2)
            Dense(1)
        }
        let discriminator = try Sequential("D", inputShape: [1], random: random) {
            Dense(32)
            LeakyReLU(alpha: 0.2)
            Dense(32)
            LeakyReLU(alpha: 0.2)
            Dense(1, activation: .sigmoid)
        }
        return try GAN(
            generator: generator, discriminator: discriminator,
            generatorOptimizer: Adam(learningRate: 1e-3, beta1: 0.5),
            discriminatorOptimizer: Adam(learningRate: 1e-3, beta1: 0.5),
            loss: BinaryCrossentropy(), random: random)
    }

    /// Samples of a two-component mixture: N(2, 0.5) and N(6, 0.5), equally likely (mean 4, sd ≈ 2.06).
    func mixture(count: Int, seed: UInt64) -> Tensor {
        let random = RandomGenerator(seed: seed)
        return Tensor(shape: [count, 1], scalars: (0..<count).map { i in
            (i % 2 == 0 ? 2 : 6) + 0.5 * random.nextNormal()
        })
    }

    func statistics(_ t: Tensor) -> (mean: Float, deviation: Float) {
        let mean = t.mean
        let variance = t.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(t.count)
        return (mean, variance.squareRoot())
    }

    /// Seeds 1 to 6 all end with |mean − 4| < 0.25, |sd − 2.06| < 0.35 and over 850 of 4,000
    /// samples near each mode (measured when the test was written); the bounds leave room.
    @Test func learnsAGaussianMixture() throws {
        let gan = try smallGAN(seed: 1)
        let data = mixture(count: 4096, seed: 1)
        let before = statistics(try gan.generator(gan.noise(count: 4000)))
        #expect(abs(before.mean - 4) > 2, "the untrained generator is far from the data")
        let history = try gan.train(on: data, epochs: 60, batchSize: 128)
        let samples = try gan.generator(gan.noise(count: 4000))
        let after = statistics(samples)
        #expect(abs(after.mean - 4) < 0.4, "mean \(after.mean)")
        #expect(abs(after.deviation - 2.06) < 0.45, "spread \(after.deviation)")
        let nearLow = samples.scalars.filter { abs($0 - 2) < 1 }.count
        let nearHigh = samples.scalars.filter { abs($0 - 6) < 1 }.count
        #expect(nearLow > 600 && nearHigh > 600, "both modes covered: \(nearLow), \(nearHigh)")
        #expect(history.completedEpochs == 60 && history.epochSamples.count == 60)
    }

    @Test func sameSeedRepeatsTheRunBitForBit() throws {
        func run() throws -> ([Float], [Tensor]) {
            let gan = try ChapterModels.denseGAN(seed: 7)
            let data = RandomGenerator(seed: 3).uniformTensor(shape: [64, 784], low: -1, high: 1)
            let history = try gan.train(on: data, epochs: 2, batchSize: 32)
            return (history.generatorLosses + history.discriminatorLosses, gan.generator.parameters.map(\.value))
        }
        let (lossesA, weightsA) = try run()
        let (lossesB, weightsB) = try run()
        #expect(lossesA == lossesB)
        #expect(weightsA == weightsB)
    }

    /// `stepPhases` records every part of each step (nearly all of its wall-clock time) and
    /// changes nothing about the step: the same losses and weights, bit for bit, as without it.
    @Test func stepPhasesCoverTheStepAndChangeNothing() throws {
        let real = RandomGenerator(seed: 3).uniformTensor(shape: [32, 784], low: -1, high: 1)
        func run(recording: Bool) throws -> (losses: [Float], weights: [Tensor], phases: GANStepPhases?, seconds: Double) {
            let gan = try ChapterModels.denseGAN(seed: 7)
            let phases = recording ? GANStepPhases() : nil
            gan.stepPhases = phases
            var losses: [Float] = []
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for _ in 0..<3 {
                    let step = gan.trainStep(real: real)
                    losses += [step.generator, step.discriminator]
                }
            }
            return (losses, (gan.generator.parameters + gan.discriminator.parameters).map(\.value), phases, elapsed.inSeconds)
        }
        let plain = try run(recording: false), recorded = try run(recording: true)
        #expect(plain.losses.map(\.bitPattern) == recorded.losses.map(\.bitPattern))
        #expect(plain.weights == recorded.weights)
        let phases = try #require(recorded.phases)
        #expect(phases.steps == 3)
        for phase: GANStepPhases.Phase in [.generatorForward, .discriminatorForward, .discriminatorBackward, .generatorBackward,
                                           .discriminatorUpdate, .generatorUpdate] {
            #expect(phases.seconds[phase.rawValue] > 0, "\(phase.name) was timed")
        }
        let total = phases.seconds.reduce(0, +)
        #expect(total <= recorded.seconds && total >= 0.8 * recorded.seconds, "phases \(total) s of \(recorded.seconds) s")
        #expect(abs(phases.milliseconds(.generatorBackward) - 1000 * phases.seconds[GANStepPhases.Phase.generatorBackward.rawValue] / 3) < 1e-9)
        // A discriminator-only step (several D steps per G step) is not a step of the record.
        let gan = try ChapterModels.denseGAN(seed: 7)
        let untouched = GANStepPhases()
        gan.stepPhases = untouched
        _ = gan.discriminatorStep(real: real)
        #expect(untouched.steps == 0 && untouched.seconds.allSatisfy { $0 == 0 })
    }

    @Test func aNaNLossStopsWithTheEpochAndStep() throws {
        let gan = try smallGAN(seed: 1)
        var data = mixture(count: 256, seed: 1).scalars
        data[200] = .nan
        let tensor = Tensor(shape: [256, 1], scalars: data)
        #expect(throws: DivergenceError.self) { try gan.train(on: tensor, epochs: 1, batchSize: 256) }
        do {
            _ = try gan.train(on: tensor, epochs: 1, batchSize: 256)
        } catch let error as DivergenceError {
            #expect(error.epoch == 1 && error.step == 1 && error.loss == "discriminator")
            #expect(error.description.contains("epoch 1, step 1"))
        }
    }

    @Test func stoppingEarlyKeepsFinishedEpochs() throws {
        let gan = try smallGAN(seed: 1)
        var batches = 0
        let history = try gan.train(
            on: mixture(count: 512, seed: 2), epochs: 5, batchSize: 64,
            shouldStop: { batches >= 12 }, progress: { _ in batches += 1 })
        #expect(history.wasInterrupted)
        #expect(history.completedEpochs == 1, "8 batches per epoch: one epoch finished before the stop")
    }

    @Test func optionsAreValidatedAndShapesChecked() throws {
        let gan = try smallGAN(seed: 1)
        let data = mixture(count: 64, seed: 1)
        #expect(throws: NeuralNetError.self) {
            try gan.train(on: data, epochs: 1, batchSize: 16, options: .init(discriminatorSteps: 0))
        }
        #expect(throws: NeuralNetError.self) { try gan.train(on: data, epochs: 0, batchSize: 16) }
        #expect(throws: NeuralNetError.self) { try gan.train(on: Tensor(shape: [64, 2]), epochs: 1, batchSize: 16) }
        #expect(throws: NeuralNetError.self) { try gan.train(on: data, epochs: 1, batchSize: 128) }
        let history = try gan.train(
            on: data, epochs: 1, batchSize: 16, options: .init(realLabel: 0.9, labelNoise: 0.1, discriminatorSteps: 2))
        #expect(history.completedEpochs == 1 && history.discriminatorLosses[0].isFinite)
    }

    @Test func targetsOutsideZeroToOneComeOnlyWithTheNotebooksFormula() throws {
        let gan = try smallGAN(seed: 1)
        let data = mixture(count: 64, seed: 1)
        for options in [GANTrainingOptions(realLabel: 0.3, labelNoise: 0.5), GANTrainingOptions(realLabel: 0.9, labelFormula: .notebook)] {
            #expect(throws: NeuralNetError.self) { try gan.train(on: data, epochs: 1, batchSize: 16, options: options) }
        }
    }

    /// `.mean` is `(d_real + d_fake) / 2`: from the same start, half the loss and half of every
    /// discriminator gradient of `.sum`, exactly (halving is exact in floating point).
    @Test func theMeanOfTheDiscriminatorLossesHalvesLossAndGradients() throws {
        let real = mixture(count: 16, seed: 3)
        let noise = RandomGenerator(seed: 4).normalTensor(shape: [16, 4])
        let (summed, averaged) = (try smallGAN(seed: 2), try smallGAN(seed: 2))
        let a = summed.trainStep(real: real, noise: noise, options: .init(discriminatorLoss: .sum))
        let b = averaged.trainStep(real: real, noise: noise, options: .init(discriminatorLoss: .mean))
        #expect(b.discriminator == a.discriminator / 2 && b.generator == a.generator)
        for (x, y) in zip(summed.discriminator.trainableParameters, averaged.discriminator.trainableParameters) {
            #expect(y.gradient.scalars == x.gradient.scalars.map { $0 / 2 }, "\(x.name)")
        }
    }

    /// The `004_…` notebook's targets (1.1 + u for real images) let the D loss go below zero once
    /// D is confident, as that notebook's log shows; targets within [0, 1] never do.
    @Test func theNotebooksLabelFormulaMakesTheDiscriminatorLossNegative() throws {
        let data = mixture(count: 256, seed: 5)
        let notebook = try smallGAN(seed: 5).train(on: data, epochs: 20, batchSize: 32,
                                                      options: .init(labelFormula: .notebook, discriminatorLoss: .mean))
        #expect(notebook.discriminatorLosses.contains { $0 < 0 }, "\(notebook.discriminatorLosses)")
        let standard = try smallGAN(seed: 5).train(on: data, epochs: 20, batchSize: 32,
                                                      options: .init(realLabel: 0.9, labelNoise: 0.1, discriminatorLoss: .mean))
        #expect(standard.discriminatorLosses.allSatisfy { $0 > 0 }, "\(standard.discriminatorLosses)")
    }
}
