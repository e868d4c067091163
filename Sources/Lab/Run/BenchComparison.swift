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

    /// The upper median, as `lab bench` takes a median of its steps.
    static func median(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.sorted()[values.count / 2] }
}
