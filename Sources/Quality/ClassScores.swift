import NeuralNet

/// Measures from a classifier's class probabilities for generated samples.
public enum ClassScores {
    /// The Inception Score (Salimans et al. 2016, "Improved techniques for training GANs"):
    /// `exp(E_x KL(p(y|x) ‖ p(y)))`, with `p(y)` the mean prediction. As in the paper's code, the
    /// samples are cut into `splits` equal parts and the score is the mean (and the standard
    /// deviation) over the parts. `probabilities` holds `count` rows of `classes` values.
    public static func inceptionScore(_ probabilities: [Float], count: Int, classes: Int, splits: Int = 10) throws -> (mean: Double, standardDeviation: Double) {
        guard classes > 0, count >= splits, splits > 0, probabilities.count == count * classes else {
            throw NeuralNetError("the Inception Score needs at least \(splits) predictions of \(classes) classes")
        }
        var scores: [Double] = []
        for split in 0..<splits {
            let start = split * count / splits, end = (split + 1) * count / splits
            var marginal = [Double](repeating: 0, count: classes)
            for row in start..<end { for c in 0..<classes { marginal[c] += Double(probabilities[row * classes + c]) } }
            for c in 0..<classes { marginal[c] /= Double(end - start) }
            var divergence = 0.0
            for row in start..<end {
                for c in 0..<classes {
                    let p = Double(probabilities[row * classes + c])
                    if p > 0 { divergence += p * (log(p) - log(marginal[c])) }
                }
            }
            scores.append(exp(divergence / Double(end - start)))
        }
        let mean = scores.reduce(0, +) / Double(splits)
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(splits)
        return (mean, variance.squareRoot())
    }

    /// How the samples spread over the classes, by each sample's most likely class.
    public struct Coverage: Sendable, Equatable {
        /// Samples per class.
        public var histogram: [Int]
        /// Classes that take at least `threshold` of the samples (2 % by default).
        public var classesCovered: Int
        /// KL(histogram ‖ uniform) in nats: 0 when every class is equally frequent, ln(classes)
        /// when one class takes everything.
        public var divergenceFromUniform: Double
        /// The largest share one class takes.
        public var largestShare: Double
    }

    public static func coverage(_ probabilities: [Float], count: Int, classes: Int, threshold: Double = 0.02) -> Coverage {
        var histogram = [Int](repeating: 0, count: classes)
        for row in 0..<count {
            var best = 0
            for c in 1..<max(classes, 1) where probabilities[row * classes + c] > probabilities[row * classes + best] { best = c }
            histogram[best] += 1
        }
        let total = Double(max(count, 1))
        let shares = histogram.map { Double($0) / total }
        let divergence = shares.reduce(0) { $0 + ($1 > 0 ? $1 * log($1 * Double(classes)) : 0) }
        return Coverage(histogram: histogram, classesCovered: shares.filter { $0 >= threshold }.count,
                        divergenceFromUniform: divergence, largestShare: shares.max() ?? 0)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
