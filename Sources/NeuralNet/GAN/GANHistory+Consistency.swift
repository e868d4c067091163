extension GANHistory {
    /// Why this history cannot have come from a training run whose monitor samples have the shape
    /// `sampleShape`, or nil when it could: the per-epoch lists (losses, seconds, samples) are
    /// equally long, the two per-step lists too, every loss and time is a finite number (a run
    /// stops at a loss that is not), times are not negative, every sample has the shape, and the
    /// evaluations are of finished epochs, in order. What draws from a history (charts, grids,
    /// the epoch lines) counts on this; a history from a step-cache entry, which anyone can
    /// write, is checked before it is used.
    public func inconsistency(sampleShape: [Int]) -> String? {
        let epochs = completedEpochs
        guard discriminatorLosses.count == epochs, epochSeconds.count == epochs, epochSamples.count == epochs else {
            return "its per-epoch lists differ in length (\(epochs) G losses, \(discriminatorLosses.count) D losses, "
                + "\(epochSeconds.count) times, \(epochSamples.count) sample sets)"
        }
        guard stepGeneratorLosses.count == stepDiscriminatorLosses.count else { return "its per-step lists differ in length" }
        let losses = [generatorLosses, discriminatorLosses, stepGeneratorLosses, stepDiscriminatorLosses]
        guard losses.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { return "a loss is not a finite number" }
        guard epochSeconds.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "an epoch's time is not a finite, non-negative number" }
        guard epochSamples.allSatisfy({ $0.shape == sampleShape }) else { return "its samples do not have the generator's shape \(sampleShape)" }
        guard evaluationInterval >= 0 else { return "its evaluation interval is negative" }
        let evaluated = evaluations.map(\.epoch)
        guard evaluated.allSatisfy({ $0 >= 1 && $0 <= epochs }), zip(evaluated, evaluated.dropFirst()).allSatisfy({ $0 < $1 }) else {
            return "its evaluations are not of its finished epochs in order"
        }
        return nil
    }
}
