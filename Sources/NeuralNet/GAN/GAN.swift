/// How the discriminator's targets are made.
public enum GANLabelFormula: String, Sendable {
    /// `realLabel − labelNoise·u` for real images, `labelNoise·u` for generated ones (u ~ U[0, 1)):
    /// one-sided smoothing and noisy labels, always within [0, 1].
    case standard
    /// The `004_…` notebook's code as written: `1 + 0.1 + u` for real images (in [1.1, 2.1)) and
    /// `−0.1·u` for generated ones. Targets outside [0, 1] make the BCE negative where D is right,
    /// which is why that notebook's D loss goes below zero; only this explicit choice allows them.
    case notebook
}

/// How the discriminator's two losses are combined.
public enum GANDiscriminatorLoss: String, Sendable {
    /// BCE on real plus BCE on generated, as the chapter's `train_step`.
    case sum
    /// Their mean, `(d_real + d_fake) / 2`, as the `004_…` notebook (gradients halved too).
    case mean
}

/// Options of GAN training that the course uses.
public struct GANTrainingOptions: Sendable {
    /// The target for real images in the discriminator loss; 0.9 is one-sided label smoothing.
    public var realLabel: Float = 1
    /// With noise n > 0, real targets become `realLabel − n·u` and fake targets `n·u`, u ~ U[0, 1).
    public var labelNoise: Float = 0
    /// Discriminator updates per generator update; the extra ones use batches of their own.
    public var discriminatorSteps: Int = 1
    /// `.notebook` replaces the targets above by the `004_…` notebook's formula.
    public var labelFormula: GANLabelFormula = .standard
    /// Sum (the chapter) or mean (the `004_…` notebook) of the two discriminator losses.
    public var discriminatorLoss: GANDiscriminatorLoss = .sum
    /// β of an exponential moving average of G's weights kept for sampling (Karras et al. 2018;
    /// Yazıcı et al. 2019): after every G update avg ← β·avg + (1 − β)·w; 0 keeps none. With it,
    /// the monitor samples and the quality measured during training come from the averaged G.
    public var generatorAverage: Float = 0
    /// Feature matching (Salimans et al. 2016): when set, G minimises ‖E f(x) − E f(G(z))‖² over
    /// the batch, f being the output of D's layer of this name, instead of its adversarial loss;
    /// D trains as usual.
    public var featureMatchingLayer: String? = nil

    /// The chapter's plain settings.
    public init(realLabel: Float = 1, labelNoise: Float = 0, discriminatorSteps: Int = 1,
                labelFormula: GANLabelFormula = .standard, discriminatorLoss: GANDiscriminatorLoss = .sum,
                generatorAverage: Float = 0, featureMatchingLayer: String? = nil) {
        self.generatorAverage = generatorAverage
        self.featureMatchingLayer = featureMatchingLayer
        self.realLabel = realLabel
        self.labelNoise = labelNoise
        self.discriminatorSteps = discriminatorSteps
        self.labelFormula = labelFormula
        self.discriminatorLoss = discriminatorLoss
    }

    /// Checks the options, and that the cross-entropy's targets are left alone under an
    /// objective without them.
    func validate(for objective: GANObjective = .nonSaturating) throws {
        if !objective.usesCrossEntropy, realLabel != 1 || labelNoise != 0 || labelFormula != .standard || discriminatorLoss != .sum {
            throw NeuralNetError("realLabel, labelNoise, labelFormula and discriminatorLoss shape the cross-entropy's targets; "
                + "the \(objective.name) objective has none, so leave them at their defaults")
        }
        guard (0...1).contains(realLabel) else { throw NeuralNetError("the real label must be in [0, 1], got \(realLabel)") }
        guard (0..<1).contains(labelNoise) else { throw NeuralNetError("label noise must be in [0, 1), got \(labelNoise)") }
        guard realLabel - labelNoise >= 0 else {
            throw NeuralNetError("real label \(realLabel) minus label noise \(labelNoise) would make targets below 0; "
                + "targets outside [0, 1] come only with the notebook's label formula")
        }
        guard labelFormula == .standard || (realLabel == 1 && labelNoise == 0) else {
            throw NeuralNetError("the notebook's label formula makes its own targets; leave realLabel and labelNoise at 1 and 0")
        }
        guard (0..<1).contains(generatorAverage) else {
            throw NeuralNetError("the generator average's β must be in [0, 1) (0.999 is usual), got \(generatorAverage)")
        }
        guard discriminatorSteps >= 1 else {
            throw NeuralNetError("discriminator steps per generator step must be at least 1, got \(discriminatorSteps)")
        }
    }
}

/// The losses of one training step.
public struct GANStepLosses: Sendable, Equatable {
    /// BCE(1, D(G(z))).
    public var generator: Float
    /// BCE(real, D(x)) + BCE(fake, D(G(z))).
    public var discriminator: Float
}

/// A generator and a discriminator trained against each other, each by its own optimizer.
///
/// One step follows the chapter's `train_step`: sample noise; run the generator in training mode;
/// run the discriminator on the real and on the fake batch in training mode; D loss =
/// BCE(1, D(real)) + BCE(0, D(fake)), G loss = BCE(1, D(fake)); both gradients come from that
/// one forward pass (the generator's through the discriminator's weights before its update);
/// then each optimizer updates its own model.
public final class GAN {
    /// Maps noise `[latentDimension]` to samples.
    public let generator: Sequential
    /// Maps samples to a probability (or a logit, with a logits loss) `[1]`.
    public let discriminator: Sequential
    /// Updates the generator.
    public let generatorOptimizer: any Optimizer
    /// Updates the discriminator.
    public let discriminatorOptimizer: any Optimizer
    /// The moving average of G's weights (every parameter, in `generator.parameters` order) when
    /// training keeps one (`GANTrainingOptions.generatorAverage`).
    public internal(set) var averagedGeneratorWeights: [Tensor]?
    /// The cross-entropy of both players under the `.minimax` and `.nonSaturating` objectives.
    public let loss: BinaryCrossentropy
    /// What D and G minimise (`GANObjective`); the chapter's non-saturating BCE by default.
    public let objective: GANObjective
    /// The source of noise and label noise.
    public let random: RandomGenerator

    /// The number of classes G and D are told (a conditional GAN, Mirza & Osindero 2014), 0 when
    /// they are told none. G takes noise ⊕ one-hot class, D takes item ⊕ one-hot class.
    public let conditionClasses: Int

    /// The length of a noise vector (without the one-hot class of a conditional GAN).
    public var latentDimension: Int { generator.inputShape[0] - conditionClasses }

    /// Pairs two models; their shapes must chain (G's output is D's input, D's output is `[1]`).
    public init(
        generator: Sequential, discriminator: Sequential,
        generatorOptimizer: any Optimizer, discriminatorOptimizer: any Optimizer,
        loss: BinaryCrossentropy, objective: GANObjective = .nonSaturating, classes: Int = 0, random: RandomGenerator
    ) throws {
        try objective.validate()
        try Self.checkConditioning(classes: classes, generator: generator, discriminator: discriminator)
        if case .wassersteinGP = objective { try Self.checkSecondOrderPath(through: discriminator) }
        guard generator.inputShape.count == 1 else {
            throw NeuralNetError("the generator must take flat noise vectors, not \(kerasShape(generator.inputShape))")
        }
        guard classes > 0 || generator.outputShape == discriminator.inputShape else {
            // The same numbers in another shape: a Reshape is what is missing.
            let sameCount = generator.outputShape.reduce(1, *) == discriminator.inputShape.reduce(1, *)
            let shape = discriminator.inputShape.map(String.init).joined(separator: ", ")
            throw NeuralNetError(
                "\(generator.name) makes \(kerasShape(generator.outputShape)) but \(discriminator.name) takes "
                    + kerasShape(discriminator.inputShape)
                    + (sameCount ? "; the same \(generator.outputShape.reduce(1, *)) numbers, so end \(generator.name) with Reshape([\(shape)])" : ""))
        }
        guard discriminator.outputShape == [1] else {
            throw NeuralNetError("\(discriminator.name) must output (None, 1), not \(kerasShape(discriminator.outputShape))")
        }
        guard generatorOptimizer !== discriminatorOptimizer else {
            throw NeuralNetError("the generator and the discriminator need optimizers of their own")
        }
        self.generator = generator
        self.discriminator = discriminator
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.loss = loss
        self.objective = objective
        self.conditionClasses = classes
        self.random = random
        reusesDiscriminatorBackward = !discriminator.layers.contains { $0.couplesBatchItems }
    }

    /// Whether `trainStep` derives the G-loss gradient at D's input from the D-loss backward pass
    /// on the fake batch instead of a second backward pass through D.
    ///
    /// When D treats every item on its own and scores it with one number, the backward pass of
    /// item n is linear in the one gradient value at its score, with everything else (dropout
    /// masks, activations) fixed by the same forward pass. So the G gradient at fake item n is the
    /// D gradient there times gG[n] / gD[n], where gG and gD are the two losses' gradients at the
    /// score. Saves a backward pass through D, at the cost of D's first-layer input gradient in the
    /// D-loss pass. Off when D batch-normalises, and skipped for a batch where some gD[n] is zero
    /// while gG[n] is not.
    var reusesDiscriminatorBackward: Bool

    /// When set, `trainStep` adds the time of each of its parts to it (`lab bench --layers`).
    public var stepPhases: GANStepPhases?

    /// G's input for `count` samples: standard normal noise, followed in a conditional GAN by the
    /// one-hot code of a class drawn uniformly for each sample.
    public func noise(count: Int) -> Tensor {
        let z = random.normalTensor(shape: [count, latentDimension])
        guard conditionClasses > 0 else { return z }
        return generatorInput(latent: z, classes: (0..<count).map { _ in Int(random.next() % UInt64(conditionClasses)) })
    }

    /// One joint step on a batch of real samples; returns both losses. The generator's input is
    /// `noise` when given (one row per real sample), else drawn from the GAN's random generator.
    public func trainStep(real: Tensor, noise given: Tensor? = nil, options: GANTrainingOptions = .init()) -> GANStepLosses {
        let batch = real.batchSize
        precondition(given.map { $0.shape == [batch, generator.inputShape[0]] } ?? true, "noise must be [batch, generator input]")
        stepPhases?.beginStep()
        defer { stepPhases?.endStep() }
        let (input, conditions) = generatorInput(for: real, noise: given)
        stepPhases?.mark(.noise)
        let fake = conditioned(generator.forward(input, training: true, slot: 0), conditions)
        stepPhases?.mark(.generatorForward)
        let matched = options.featureMatchingLayer.flatMap { name in discriminator.layers.firstIndex { $0.name == name } }
        let pass = discriminatorPass(real: real, fake: fake, options: options,
                                     keepFakeInputGradient: reusesDiscriminatorBackward && matched == nil, keepingOutputOf: matched)
        stepPhases?.mark(.discriminatorBackward)
        // G loss through D's current weights, from the same forward pass.
        let gLoss: Float, fakeGradient: Tensor
        if let matched, let features = pass.features {
            let (distance, featureGradient) = Self.featureDistance(real: features.real, fake: features.fake)
            gLoss = distance
            fakeGradient = discriminator.inputGradient(fromOutputOf: matched, featureGradient, slot: 1)
        } else {
            let (adversarial, gGradient) = objective.generator(pass.fakeOutput, crossEntropy: loss)
            gLoss = adversarial
            fakeGradient = pass.fakeInputGradient.flatMap {
                Self.rescaled($0, from: pass.fakeOutputGradient, to: gGradient)
            } ?? discriminator.backward(gGradient, slot: 1, needsInputGradient: true, accumulateParameterGradients: false)!
        }
        stepPhases?.mark(.generatorGradientThroughDiscriminator)
        generator.zeroGradients()
        generator.backward(conditionClasses > 0 ? Self.leadingColumns(fakeGradient, generator.outputShape[0]) : fakeGradient, slot: 0)
        stepPhases?.mark(.generatorBackward)
        updateDiscriminator()
        stepPhases?.mark(.discriminatorUpdate)
        generatorOptimizer.update(generator.trainableParameters)
        stepPhases?.mark(.generatorUpdate)
        return GANStepLosses(generator: gLoss, discriminator: pass.loss)
    }

    /// A discriminator-only step (for several D steps per G step); returns the D loss.
    public func discriminatorStep(real: Tensor, options: GANTrainingOptions = .init()) -> Float {
        let (input, conditions) = generatorInput(for: real, noise: nil)
        let fake = conditioned(generator.forward(input, training: true, slot: 0), conditions)
        let pass = discriminatorPass(real: real, fake: fake, options: options, keepFakeInputGradient: false)
        updateDiscriminator()
        return pass.loss
    }

    /// What the discriminator pass leaves for the generator's update.
    private struct DiscriminatorPass {
        var loss: Float
        var fakeOutput: Tensor
        /// The D loss's gradient at D(fake), and at the fake batch when asked for.
        var fakeOutputGradient: Tensor
        var fakeInputGradient: Tensor?
        /// The kept layer's outputs on both batches, for feature matching.
        var features: (real: Tensor, fake: Tensor)? = nil
    }

    /// D forward on both batches (keeping the output of layer `kept` for feature matching), D
    /// loss, and D's parameter gradients.
    private func discriminatorPass(
        real: Tensor, fake: Tensor, options: GANTrainingOptions, keepFakeInputGradient: Bool, keepingOutputOf kept: Int? = nil
    ) -> DiscriminatorPass {
        let realOutput: Tensor, fakeOutput: Tensor
        var features: (real: Tensor, fake: Tensor)?
        if let kept {
            let (r, realFeatures) = discriminator.forward(real, training: true, slot: 0, keepingOutputOf: kept)
            let (f, fakeFeatures) = discriminator.forward(fake, training: true, slot: 1, keepingOutputOf: kept)
            (realOutput, fakeOutput, features) = (r, f, (realFeatures, fakeFeatures))
        } else {
            realOutput = discriminator.forward(real, training: true, slot: 0)
            fakeOutput = discriminator.forward(fake, training: true, slot: 1)
        }
        stepPhases?.mark(.discriminatorForward)
        var pass = discriminatorLoss(real: real, fake: fake, realOutput: realOutput, fakeOutput: fakeOutput, options: options,
                                     keepFakeInputGradient: keepFakeInputGradient)
        pass.features = features
        return pass
    }

    /// D's loss on its two outputs and D's parameter gradients.
    private func discriminatorLoss(
        real: Tensor, fake: Tensor, realOutput: Tensor, fakeOutput: Tensor, options: GANTrainingOptions, keepFakeInputGradient: Bool
    ) -> DiscriminatorPass {
        if let (realLoss, realGradient) = objective.criticReal(realOutput), let (fakeLoss, fakeGradient) = objective.criticFake(fakeOutput) {
            discriminator.zeroGradients()
            discriminator.backward(realGradient, slot: 0)
            let fakeInputGradient = discriminator.backward(fakeGradient, slot: 1, needsInputGradient: keepFakeInputGradient)
            var loss = realLoss + fakeLoss
            if case .wassersteinGP(let lambda) = objective, lambda > 0 {
                loss += addGradientPenalty(real: real, fake: fake, lambda: lambda)
            }
            return DiscriminatorPass(loss: loss, fakeOutput: fakeOutput, fakeOutputGradient: fakeGradient, fakeInputGradient: fakeInputGradient)
        }
        let (realTargets, fakeTargets): (Tensor, Tensor)
        switch options.labelFormula {
        case .standard:
            realTargets = targets(like: realOutput, value: options.realLabel, noise: -options.labelNoise)
            fakeTargets = targets(like: fakeOutput, value: 0, noise: options.labelNoise)
        case .notebook:
            realTargets = targets(like: realOutput, value: 1.1, noise: 1)
            fakeTargets = targets(like: fakeOutput, value: 0, noise: -0.1)
        }
        var (realLoss, realGradient) = loss(predictions: realOutput, targets: realTargets)
        var (fakeLoss, fakeGradient) = loss(predictions: fakeOutput, targets: fakeTargets)
        if options.discriminatorLoss == .mean {
            (realLoss, fakeLoss) = (realLoss / 2, fakeLoss / 2)
            realGradient = Tensor(shape: realGradient.shape, scalars: realGradient.scalars.map { $0 / 2 })
            fakeGradient = Tensor(shape: fakeGradient.shape, scalars: fakeGradient.scalars.map { $0 / 2 })
        }
        discriminator.zeroGradients()
        discriminator.backward(realGradient, slot: 0)
        let fakeInputGradient = discriminator.backward(fakeGradient, slot: 1, needsInputGradient: keepFakeInputGradient)
        return DiscriminatorPass(loss: realLoss + fakeLoss, fakeOutput: fakeOutput,
                                 fakeOutputGradient: fakeGradient, fakeInputGradient: fakeInputGradient)
    }

    /// Feature matching's G loss Σⱼ (mean over n of real[n, j] − mean over n of fake[n, j])² and its
    /// gradient with respect to `fake`: −2(μ_real − μ_fake)ⱼ / N for every item.
    static func featureDistance(real: Tensor, fake: Tensor) -> (loss: Float, gradient: Tensor) {
        let width = fake.itemSize
        func means(_ t: Tensor) -> [Double] {
            var sums = [Double](repeating: 0, count: width)
            for (i, v) in t.scalars.enumerated() { sums[i % width] += Double(v) }
            return sums.map { $0 / Double(t.batchSize) }
        }
        let difference = zip(means(real), means(fake)).map { $0 - $1 }
        let loss = difference.reduce(0) { $0 + $1 * $1 }
        let batch = Double(fake.batchSize)
        let rowGradient = difference.map { Float(-2 * $0 / batch) }
        return (Float(loss), Tensor(shape: fake.shape, scalars: (0..<fake.count).map { rowGradient[$0 % width] }))
    }

    /// `inputGradient` with item n scaled by `to[n] / from[n]`; nil when some `from[n]` is zero
    /// and `to[n]` is not (the scale is unknown there).
    static func rescaled(_ inputGradient: Tensor, from: Tensor, to: Tensor) -> Tensor? {
        let scales = zip(from.scalars, to.scalars).map { old, new in old == 0 ? (new == 0 ? 0 : Float.nan) : new / old }
        guard !scales.contains(where: \.isNaN) else { return nil }
        var result = inputGradient
        let itemSize = result.itemSize
        result.withUnsafeMutableBufferPointer { g in
            for (n, scale) in scales.enumerated() { VectorMath.scale(g.baseAddress! + n * itemSize, by: scale, count: itemSize) }
        }
        return result
    }

    /// D's optimizer step, then WGAN's weight clipping when the objective asks for it.
    private func updateDiscriminator() {
        discriminatorOptimizer.update(discriminator.trainableParameters)
        if case .wasserstein(let clip) = objective {
            for parameter in discriminator.trainableParameters {
                parameter.value.withUnsafeMutableBufferPointer { w in
                    for i in w.indices { w[i] = min(max(w[i], -clip), clip) }
                }
            }
        }
    }

    private func targets(like output: Tensor, value: Float, noise: Float) -> Tensor {
        guard noise != 0 else { return Tensor(shape: output.shape, repeating: value) }
        return Tensor(shape: output.shape) { t in
            for i in t.indices { t[i] = value + noise * random.nextUniform() }
        }
    }
}
