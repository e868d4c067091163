@testable import Lab
import Testing

/// `lab bench --compare`'s summary of one benchmark: the ratio of the medians and the rounds in
/// which this build measured lower, pairing the rounds in order.
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
}
