import Foundation
import NeuralNet
import Quality
import Testing

/// The quality measures against values known in closed form.
@Suite struct QualityMeasureTests {
    func features(_ count: Int, _ dimension: Int, seed: UInt64, scale: Float = 1, shift: Float = 0) -> [Float] {
        RandomGenerator(seed: seed).normalTensor(shape: [count, dimension]).scalars.map { $0 * scale + shift }
    }

    @Test func aSetIsAtDistanceZeroFromItself() throws {
        let x = features(2_000, 128, seed: 1)
        let stats = try FeatureStatistics(features: x, count: 2_000, dimension: 128)
        #expect(try FrechetDistance.between(stats, stats) < 1e-6)
        let other = try FeatureStatistics(features: features(2_000, 128, seed: 2, scale: 1.5, shift: 0.3), count: 2_000, dimension: 128)
        let forward = try FrechetDistance.between(stats, other), backward = try FrechetDistance.between(other, stats)
        #expect(forward > 10 && abs(forward - backward) < 1e-6 * forward)
    }

    @Test func twoGaussiansMatchTheClosedForm() throws {
        // Diagonal (commuting) covariances: d² = ‖μ₁ − μ₂‖² + Σ (σ₁ᵢ − σ₂ᵢ)².
        let a = FeatureStatistics(mean: [0, 1, 2], covariance: [4, 0, 0, 0, 1, 0, 0, 0, 9], count: 10)
        let b = FeatureStatistics(mean: [1, 1, 0], covariance: [1, 0, 0, 0, 1, 0, 0, 0, 4], count: 10)
        #expect(abs(try FrechetDistance.between(a, b) - (1 + 4 + 1 + 0 + 1)) < 1e-9)
        // 2 × 2, not commuting: Tr((Σ₁Σ₂)^½) = √(tr M + 2 √det M) for M = Σ₁Σ₂.
        let s1: [Double] = [2, 0.8, 0.8, 1], s2: [Double] = [1, -0.3, -0.3, 3]
        let m = [s1[0] * s2[0] + s1[1] * s2[2], s1[0] * s2[1] + s1[1] * s2[3], s1[2] * s2[0] + s1[3] * s2[2], s1[2] * s2[1] + s1[3] * s2[3]]
        let traceRoot = (m[0] + m[3] + 2 * (m[0] * m[3] - m[1] * m[2]).squareRoot()).squareRoot()
        let expected = 0.25 + 0.25 + (2 + 1) + (1 + 3) - 2 * traceRoot
        let fid = try FrechetDistance.between(FeatureStatistics(mean: [0.5, 0], covariance: s1, count: 10),
                                              FeatureStatistics(mean: [0, 0.5], covariance: s2, count: 10))
        #expect(abs(fid - expected) < 1e-9, "\(fid) vs \(expected)")
    }

    @Test func statisticsUseTheUnbiasedCovariance() throws {
        let stats = try FeatureStatistics(features: [1, 2, 3, 6, 5, 10], count: 3, dimension: 2)
        #expect(stats.mean == [3, 6])
        #expect(stats.covariance == [4, 8, 8, 16])
    }

    @Test func inceptionScoreOfOneHotPredictionsIsTheNumberOfClasses() throws {
        var oneHot = [Float](repeating: 0, count: 1_000 * 10)
        for row in 0..<1_000 { oneHot[row * 10 + row % 10] = 1 }
        let score = try ClassScores.inceptionScore(oneHot, count: 1_000, classes: 10)
        #expect(abs(score.mean - 10) < 1e-9 && score.standardDeviation < 1e-9)
        let uniform = [Float](repeating: 0.1, count: 1_000 * 10)
        #expect(abs(try ClassScores.inceptionScore(uniform, count: 1_000, classes: 10).mean - 1) < 1e-6)
        var collapsed = [Float](repeating: 0, count: 1_000 * 10)
        for row in 0..<1_000 { collapsed[row * 10 + 3] = 1 }
        #expect(abs(try ClassScores.inceptionScore(collapsed, count: 1_000, classes: 10).mean - 1) < 1e-9)
    }

    @Test func coverageCountsClassesAndDivergence() {
        var predictions = [Float](repeating: 0, count: 100 * 4)
        // 70 × class 0, 29 × class 1, 1 × class 2, none of class 3.
        for row in 0..<100 { predictions[row * 4 + (row < 70 ? 0 : row < 99 ? 1 : 2)] = 1 }
        let coverage = ClassScores.coverage(predictions, count: 100, classes: 4)
        #expect(coverage.histogram == [70, 29, 1, 0] && coverage.classesCovered == 2 && coverage.largestShare == 0.7)
        let expected = 0.7 * log(0.7 * 4) + 0.29 * log(0.29 * 4) + 0.01 * log(0.01 * 4)
        #expect(abs(coverage.divergenceFromUniform - expected) < 1e-12)
    }

    @Test func precisionAndRecallOnConstructedManifolds() throws {
        // Real: a 20 × 20 grid on the unit square.
        var real: [Float] = []
        for i in 0..<20 { for j in 0..<20 { real += [Float(i) / 19, Float(j) / 19] } }
        // The same points: both 1.
        let same = try PrecisionRecall.compute(real: real, generated: real, dimension: 2)
        #expect(same.precision == 1 && same.recall == 1)
        // Far away: both 0.
        let far = try PrecisionRecall.compute(real: real, generated: real.map { $0 + 10 }, dimension: 2)
        #expect(far.precision == 0 && far.recall == 0)
        // A dense copy of the left half only: precise, but it misses the right half.
        var left: [Float] = []
        for i in 0..<20 { for j in 0..<40 { left += [Float(i) / 19 * 0.45, Float(j) / 39] } }
        let half = try PrecisionRecall.compute(real: real, generated: left, dimension: 2)
        #expect(half.precision == 1)
        #expect(half.recall > 0.4 && half.recall < 0.6, "\(half.recall)")
    }
}
