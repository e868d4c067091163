/// What `lab bench` reports of a benchmark's timed runs (steps, iterations): the median, the
/// fastest and the mean. The median is steadier when another process briefly takes a core; the
/// mean is what a timing loop over all the runs measures (the total over the count), the
/// statistic the course's Keras script prints, so it is the one to set beside Keras's.
public struct StepTimes: Equatable, Sendable {
    /// The upper median, in seconds.
    public let median: Double
    /// The fastest run, in seconds.
    public let best: Double
    /// The mean of all the runs, in seconds.
    public let mean: Double

    /// The times of `seconds`, one per run; at least one run.
    public init(seconds: [Double]) {
        precondition(!seconds.isEmpty, "no timed run")
        let sorted = seconds.sorted()
        median = sorted[sorted.count / 2]
        best = sorted[0]
        mean = seconds.reduce(0, +) / Double(seconds.count)
    }
}
