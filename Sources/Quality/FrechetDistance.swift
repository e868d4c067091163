import NeuralNet

/// The mean and covariance of a set of feature vectors, in double precision.
public struct FeatureStatistics: Sendable {
    public let dimension: Int
    public let count: Int
    public let mean: [Double]
    /// Row-major `dimension × dimension`, with the unbiased 1 / (n − 1) normalisation of
    /// `numpy.cov`, as the FID reference code uses.
    public let covariance: [Double]

    /// Statistics given directly (a covariance row-major, `mean.count` on a side).
    public init(mean: [Double], covariance: [Double], count: Int) {
        precondition(covariance.count == mean.count * mean.count, "a square covariance")
        self.dimension = mean.count
        self.count = count
        self.mean = mean
        self.covariance = covariance
    }

    /// The statistics of `features`, `count` rows of `dimension` values.
    public init(features: [Float], count: Int, dimension: Int) throws {
        guard count >= 2, features.count == count * dimension, dimension > 0 else {
            throw NeuralNetError("feature statistics need at least 2 vectors of \(dimension) values, got \(features.count) values for \(count)")
        }
        self.dimension = dimension
        self.count = count
        var mean = [Double](repeating: 0, count: dimension)
        for row in 0..<count {
            for j in 0..<dimension { mean[j] += Double(features[row * dimension + j]) }
        }
        for j in 0..<dimension { mean[j] /= Double(count) }
        // Σ = Xcᵀ Xc / (n − 1), accumulated in double over the centred rows.
        var covariance = [Double](repeating: 0, count: dimension * dimension)
        var centred = [Double](repeating: 0, count: dimension)
        for row in 0..<count {
            for j in 0..<dimension { centred[j] = Double(features[row * dimension + j]) - mean[j] }
            for i in 0..<dimension {
                let ci = centred[i]
                if ci == 0 { continue }
                for j in i..<dimension { covariance[i * dimension + j] += ci * centred[j] }
            }
        }
        for i in 0..<dimension {
            for j in i..<dimension {
                let value = covariance[i * dimension + j] / Double(count - 1)
                covariance[i * dimension + j] = value
                covariance[j * dimension + i] = value
            }
        }
        self.mean = mean
        self.covariance = covariance
    }
}

/// The Fréchet distance between two Gaussians fitted to feature sets (Heusel et al. 2017, "GANs
/// trained by a two time-scale update rule converge to a local Nash equilibrium"), the FID when
/// the features are a classifier's:
///
/// `d² = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁ Σ₂)^½)`.
///
/// `Tr((Σ₁Σ₂)^½)` is computed as `Tr((Σ₁^½ Σ₂ Σ₁^½)^½)`, which has the same eigenvalues: both
/// square roots are of symmetric positive semi-definite matrices, taken through LAPACK's
/// symmetric eigendecomposition in double precision (eigenvalues below zero from rounding count
/// as zero).
public enum FrechetDistance {
    public static func between(_ a: FeatureStatistics, _ b: FeatureStatistics) throws -> Double {
        guard a.dimension == b.dimension else {
            throw NeuralNetError("feature sets of \(a.dimension) and \(b.dimension) dimensions cannot be compared")
        }
        let n = a.dimension
        var meanTerm = 0.0
        for i in 0..<n { meanTerm += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]) }
        var traces = 0.0
        for i in 0..<n { traces += a.covariance[i * n + i] + b.covariance[i * n + i] }
        let rootA = try squareRoot(a.covariance, size: n)
        let middle = multiply(multiply(rootA, b.covariance, n), rootA, n)
        // Symmetrise against rounding before the eigensolver.
        var symmetric = middle
        for i in 0..<n { for j in 0..<n { symmetric[i * n + j] = (middle[i * n + j] + middle[j * n + i]) / 2 } }
        let values = try LinearAlgebra.symmetricEigen(symmetric, size: n).values
        let traceRoot = values.reduce(0) { $0 + max($1, 0).squareRoot() }
        return max(meanTerm + traces - 2 * traceRoot, 0)
    }

    /// The symmetric square root `V diag(√λ) Vᵀ` of a symmetric PSD matrix.
    static func squareRoot(_ matrix: [Double], size n: Int) throws -> [Double] {
        let (values, vectors) = try LinearAlgebra.symmetricEigen(matrix, size: n)
        var result = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            let root = max(values[k], 0).squareRoot()
            if root == 0 { continue }
            for i in 0..<n {
                let vi = vectors[k * n + i] * root
                if vi == 0 { continue }
                for j in 0..<n { result[i * n + j] += vi * vectors[k * n + j] }
            }
        }
        return result
    }

    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n {
                let aik = a[i * n + k]
                if aik == 0 { continue }
                for j in 0..<n { c[i * n + j] += aik * b[k * n + j] }
            }
        }
        return c
    }
}
