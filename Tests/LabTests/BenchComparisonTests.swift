@testable import Lab
import Testing

/// `lab bench --compare`'s summary of one benchmark: the ratio of the medians, the rounds in
/// which this build measured lower, pairing the rounds in order, and the signed-rank p-value.
@Suite struct BenchComparisonTests {
    @Test func mediansAndRoundsPairInOrder() {
        let comparison = BenchComparison(this: [140, 150, 138, 160, 139], other: [165, 147, 152, 159, 158])
        #expect(comparison.medianRatio == 140.0 / 158.0)
        #expect(comparison.roundsLower.lower == 3 && comparison.roundsLower.of == 5)
        let uneven = BenchComparison(this: [1, 2, 3], other: [2, 1])
        #expect(uneven.roundsLower.lower == 1 && uneven.roundsLower.of == 2, "a round without the other's number does not count")
        #expect(BenchComparison(this: [], other: [1]).medianRatio == nil)
        #expect(BenchComparison(this: [1], other: [0]).medianRatio == nil)
    }

    /// The signed-rank p-value against SciPy's exact `scipy.stats.wilcoxon` (1.17.1) on the same
    /// log ratios: 0.3125 for the five rounds above, 0.7421875 for eight rounds of the 64×64 step
    /// measured on Zen 4 (a scratch build against the committed code).
    @Test func signedRankPMatchesSciPy() throws {
        let five = BenchComparison(this: [140, 150, 138, 160, 139], other: [165, 147, 152, 159, 158])
        #expect(abs(try #require(five.signedRankP) - 0.3125) < 1e-12)
        let eight = BenchComparison(this: [693.27, 715.73, 680.48, 686.67, 685.36, 673.65, 676.39, 712.06],
                                    other: [732.21, 719.79, 662.61, 683.01, 665.85, 682.53, 707.55, 703.59])
        #expect(abs(try #require(eight.signedRankP) - 0.7421875) < 1e-12)
    }

    /// Every round lower gives the least p-value n rounds can give, 2 / 2ⁿ, whichever side is
    /// lower; rounds with equal numbers are left out; none that differ, no p-value.
    @Test func signedRankPOfOneSidedRounds() {
        #expect(BenchComparison(this: [1, 2, 3, 4, 5], other: [2, 3, 4, 5, 6]).signedRankP == 2.0 / 32)
        #expect(BenchComparison(this: [2, 3, 4, 5, 6, 7], other: [1, 2, 3, 4, 5, 6]).signedRankP == 2.0 / 64)
        #expect(BenchComparison(this: [1, 2, 3, 4, 5, 7], other: [2, 3, 4, 5, 6, 7]).signedRankP == 2.0 / 32)
        #expect(BenchComparison(this: [1, 2], other: [1, 2]).signedRankP == nil)
        #expect(BenchComparison(this: [], other: []).signedRankP == nil)
    }

    /// Past 50 rounds, the normal approximation, as SciPy's `wilcoxon(method="approx")` (1.17.1)
    /// gives it for the same 60 log ratios: without ties, and with 35 distinct magnitudes among
    /// 60 (the same pair of numbers every 35 rounds). 1,200 rounds all lower give a p-value far
    /// below any exact one 50 rounds can give, and no overflow.
    @Test func signedRankPOfManyRoundsIsTheNormalApproximation() throws {
        let distinct = BenchComparison(this: (0..<60).map { Double(100 + $0 * 7 % 13) },
                                       other: (0..<60).map { Double(100 + $0 * 5 % 11) + 0.25 })
        #expect(abs(try #require(distinct.signedRankP) - 0.4439103494290324) < 1e-12)
        let tied = BenchComparison(this: (0..<60).map { Double(100 + $0 % 7) }, other: (0..<60).map { Double(100 + $0 % 5) + 0.5 })
        #expect(abs(try #require(tied.signedRankP) - 0.44387175955619373) < 1e-12)
        let many = try #require(BenchComparison(this: (1...1200).map(Double.init), other: (1...1200).map { Double($0) + 0.5 }).signedRankP)
        #expect(many >= 0 && many < 1e-100)
    }

    /// Tied magnitudes share their mean rank: for differences −1, +1, +2 the ranks are 1.5, 1.5
    /// and 3, the positive ones sum to 4.5, and 3 of the 8 sign patterns reach that sum (4.5,
    /// 4.5, 6), so p = 2 · 3/8. Ranking the tie 1 and 2 in either order would give 0.5 or 0.75
    /// depending on the order, not on the data. SciPy's `wilcoxon` (1.17.1) gives the same four
    /// values.
    @Test func tiedMagnitudesShareTheirMeanRank() {
        #expect(BenchComparison.signedRankP(of: [-1, 1, 2]) == 0.75)
        #expect(BenchComparison.signedRankP(of: [1, -1, 2]) == 0.75)
        #expect(BenchComparison.signedRankP(of: [-1, -1, 2]) == 1.0)
        #expect(BenchComparison.signedRankP(of: [-3]) == 1.0)
    }
}
