import NeuralNet

/// What the evaluator's features and probabilities of a reference set (the MNIST test images)
/// are, computed once and compared with every generated set.
public struct ReferenceSet: Sendable {
    public let count: Int
    public let features: [Float]
    public let statistics: FeatureStatistics

    /// The reference for `images` (`[n, 28, 28, 1]`, 0…1).
    public init(evaluator: DigitEvaluator, images: Tensor) throws {
        let (features, _) = try evaluator.featuresAndProbabilities(images)
        self.count = images.batchSize
        self.features = features
        self.statistics = try FeatureStatistics(features: features, count: count, dimension: DigitEvaluator.featureDimension)
    }
}

/// Every measure of one set of generated images against the reference, each as its paper
/// defines it (see `FrechetDistance`, `ClassScores`, `PrecisionRecall`).
public struct QualityMeasures: Sendable, Equatable {
    public var samples: Int
    public var fid: Double
    public var inceptionScore: Double
    public var inceptionScoreDeviation: Double
    public var precision: Double
    public var recall: Double
    public var coverage: ClassScores.Coverage

    /// An evaluation counts as collapsed when fewer than 10 classes are covered (≥ 2 % of the
    /// samples each) or one class takes more than 30 % of the samples.
    public var isCollapsed: Bool { coverage.classesCovered < 10 || coverage.largestShare > 0.3 }

    /// Measures `images` (`[n, 28, 28, 1]`, values 0…1). Precision and recall compare at most
    /// `manifoldSamples` vectors of each set (the paper's k-NN radii need all pairwise distances).
    public static func measure(_ images: Tensor, evaluator: DigitEvaluator, reference: ReferenceSet,
                               manifoldSamples: Int = 10_000) throws -> QualityMeasures {
        let count = images.batchSize
        let (features, probabilities) = try evaluator.featuresAndProbabilities(images)
        let statistics = try FeatureStatistics(features: features, count: count, dimension: DigitEvaluator.featureDimension)
        let fid = try FrechetDistance.between(statistics, reference.statistics)
        // The paper's 10 splits, each of at least 1,000 samples (fewer splits for fewer samples:
        // a small split underestimates the marginal and so the score).
        let score = try ClassScores.inceptionScore(probabilities, count: count, classes: DigitEvaluator.classes,
                                                   splits: max(1, min(10, count / 1_000)))
        let dimension = DigitEvaluator.featureDimension
        let generatedPart = Array(features.prefix(min(count, manifoldSamples) * dimension))
        let referencePart = Array(reference.features.prefix(min(reference.count, manifoldSamples) * dimension))
        let manifold = try PrecisionRecall.compute(real: referencePart, generated: generatedPart, dimension: dimension)
        return QualityMeasures(samples: count, fid: fid, inceptionScore: score.mean, inceptionScoreDeviation: score.standardDeviation,
                               precision: manifold.precision, recall: manifold.recall,
                               coverage: ClassScores.coverage(probabilities, count: count, classes: DigitEvaluator.classes))
    }
}
