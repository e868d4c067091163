/// What happened in a training run, epoch by epoch.
public struct GANHistory: Sendable {
    /// Mean generator loss of each finished epoch.
    public var generatorLosses: [Float] = []
    /// Mean discriminator loss of each finished epoch.
    public var discriminatorLosses: [Float] = []
    /// The generator loss of every training step (one per generator update), in order: the
    /// per-batch curve Keras's progress bar averages.
    public var stepGeneratorLosses: [Float] = []
    /// The discriminator loss of every training step (that step's last D update).
    public var stepDiscriminatorLosses: [Float] = []
    /// Wall-clock seconds of each finished epoch (training only; evaluations are not counted).
    public var epochSeconds: [Double] = []
    /// The generator's output for the fixed monitor noise after each epoch (inference mode).
    public var epochSamples: [Tensor] = []
    /// The quality measured during the run, in epoch order (empty unless the run evaluated).
    public var evaluations: [EpochEvaluation] = []
    /// The run's evaluation interval in epochs (`EpochEvaluationSchedule.every`); 0 when it did
    /// not evaluate. Set even where measuring was skipped (a shapes-only check), so that what
    /// reads the measurements can tell a run that was asked to measure from one that was not.
    public var evaluationInterval = 0
    /// True when the run stopped before its last epoch because it was asked to.
    public var wasInterrupted = false

    /// The number of finished epochs.
    public var completedEpochs: Int { generatorLosses.count }

    /// Seconds of training up to the end of `epoch` (1-based).
    public func trainingSeconds(through epoch: Int) -> Double {
        epochSeconds.prefix(epoch).reduce(0, +)
    }

    /// An empty history (no epochs yet).
    public init() {}
}

/// The quality of a generator's samples measured after an epoch of training.
///
/// NeuralNet does not measure quality itself; the caller's `EpochEvaluationSchedule` does (the lab
/// runner uses its digit evaluator) and the history keeps the result.
public struct EpochEvaluation: Sendable, Equatable {
    /// The epoch (1-based) after which the samples were drawn.
    public var epoch: Int
    /// How many samples were measured.
    public var samples: Int
    /// Fréchet distance of the samples' features to the reference set's.
    public var fid: Double
    /// Inception-style score of the samples' class probabilities.
    public var inceptionScore: Double
    /// Improved precision and recall on the feature manifold.
    public var precision: Double
    public var recall: Double
    /// Classes that take at least 2 % of the samples.
    public var classesCovered: Int
    /// The largest share one class takes (0…1).
    public var largestClassShare: Double
    /// Whether this evaluation counts as mode collapse.
    public var isCollapsed: Bool

    public init(epoch: Int, samples: Int, fid: Double, inceptionScore: Double, precision: Double, recall: Double,
                classesCovered: Int, largestClassShare: Double, isCollapsed: Bool) {
        self.epoch = epoch
        self.samples = samples
        self.fid = fid
        self.inceptionScore = inceptionScore
        self.precision = precision
        self.recall = recall
        self.classesCovered = classesCovered
        self.largestClassShare = largestClassShare
        self.isCollapsed = isCollapsed
    }
}

/// When and how `GAN.train` measures quality: after every `every`-th epoch and after the last.
public struct EpochEvaluationSchedule {
    /// Evaluate after epochs `every`, 2·`every`, … (and the run's last epoch).
    public var every: Int
    /// Measures the generator as it is after `epoch`; must not draw from the GAN's random
    /// generator, so that training continues as it would without evaluations.
    public var measure: (_ epoch: Int) throws -> EpochEvaluation

    public init(every: Int, measure: @escaping (_ epoch: Int) throws -> EpochEvaluation) {
        self.every = every
        self.measure = measure
    }

    /// Whether to evaluate after `epoch` of `epochs`.
    public func isDue(after epoch: Int, of epochs: Int) -> Bool {
        every > 0 && (epoch % every == 0 || epoch == epochs)
    }
}
