import Foundation

/// One benchmark's numbers from `lab bench --compare`: this build's and the other's, one per
/// round, measured in alternating rounds.
public struct BenchComparison: Equatable, Sendable {
    /// This build's number in each round.
    public let this: [Double]
    /// The other build's number in each round.
    public let other: [Double]

    public init(this: [Double], other: [Double]) {
        self.this = this
        self.other = other
    }

    /// The ratio of the medians (this / other), nil when either side has no number.
    public var medianRatio: Double? {
        guard let mine = Self.median(this), let theirs = Self.median(other), theirs != 0 else { return nil }
        return mine / theirs
    }

    /// The rounds in which this build's number was lower than the other's, and the rounds with a
    /// number on both sides. Rounds pair up in order: the machine's speed drifts between minutes,
    /// and a pair ran minutes apart at most.
    public var roundsLower: (lower: Int, of: Int) {
        (zip(this, other).filter { $0 < $1 }.count, min(this.count, other.count))
    }

    /// How likely rounds as lopsided as these are when neither build is faster: the two-sided
    /// p-value of Wilcoxon's signed-rank test on the rounds' log ratios, log(this / other),
    /// rounds paired in order, exact up to 50 rounds (`signedRankP(of:)`). Rounds with equal
    /// numbers are left out and tied magnitudes share their mean rank. Nil without
    /// a round whose two numbers differ. A small value (under 0.05, say) says the difference is
    /// unlikely to be the machine's drift alone; a large one says these rounds cannot tell the
    /// builds apart, not that they are equal. With n rounds it is never below 2 / 2ⁿ: 0.0625 for
    /// 5, 0.031 for 6, 0.0078 for 8.
    public var signedRankP: Double? {
        let logRatios = zip(this, other).compactMap { mine, theirs -> Double? in
            guard mine > 0, theirs > 0, mine != theirs else { return nil }
            return log(mine / theirs)
        }
        return logRatios.isEmpty ? nil : Self.signedRankP(of: logRatios)
    }

    /// The two-sided signed-rank p-value of non-zero paired differences `d`. Up to
    /// `largestExactCount` of them it is exact: every one of the 2ⁿ ways of giving the ranks signs
    /// is as likely, and the p-value is twice the smaller tail at the sum of the positive ones'
    /// ranks (at most 1); ranks are doubled so that mean ranks of ties stay whole numbers, and
    /// the distribution is built as probabilities, halved at each rank. Beyond that (more rounds
    /// than anyone runs, where the exact sum would take n³ steps) it is the normal approximation
    /// with the ties' correction of the variance and no continuity correction, as SciPy's
    /// `wilcoxon(method="approx")`.
    static func signedRankP(of d: [Double]) -> Double {
        let order = d.indices.sorted { abs(d[$0]) < abs(d[$1]) }
        var doubledRank = [Int](repeating: 0, count: d.count)
        var tieCorrection = 0.0  // Σ (t³ − t) over groups of t tied magnitudes
        var first = 0
        while first < order.count {
            var last = first
            while last + 1 < order.count, abs(d[order[last + 1]]) == abs(d[order[first]]) { last += 1 }
            // Ranks first + 1 … last + 1 share their mean, (first + last + 2) / 2.
            for position in first...last { doubledRank[order[position]] = first + last + 2 }
            let tied = Double(last - first + 1)
            tieCorrection += tied * tied * tied - tied
            first = last + 1
        }
        let positiveSum = d.indices.filter { d[$0] > 0 }.reduce(0) { $0 + doubledRank[$1] }
        guard d.count <= largestExactCount else {
            let n = Double(d.count)
            let variance = n * (n + 1) * (2 * n + 1) / 24 - tieCorrection / 48
            guard variance > 0 else { return 1 }
            let z = (Double(positiveSum) / 2 - n * (n + 1) / 4) / variance.squareRoot()
            return min(1, erfc(abs(z) / 2.0.squareRoot()))
        }
        let largest = doubledRank.reduce(0, +)
        // chance[s]: the share of sign patterns whose positive ranks sum to s.
        var chance = [Double](repeating: 0, count: largest + 1)
        chance[0] = 1
        for rank in doubledRank {
            for sum in stride(from: largest, through: 0, by: -1) {
                chance[sum] = (chance[sum] + (sum >= rank ? chance[sum - rank] : 0)) / 2
            }
        }
        let atMost = chance[...positiveSum].reduce(0, +)
        let atLeast = chance[positiveSum...].reduce(0, +)
        return min(1, 2 * min(atMost, atLeast))
    }

    /// The most differences whose signed-rank p-value is exact (as SciPy's `wilcoxon` chooses).
    static let largestExactCount = 50

    /// The upper median, as `lab bench` takes a median of its steps.
    static func median(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.sorted()[values.count / 2] }
}
