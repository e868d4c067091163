import Foundation

/// The Keras timing script of the course material (`../shared/reference/keras_gan_step.py KIND
/// STEPS`), which `lab bench --keras` runs between our rounds: which of its model kinds is which
/// benchmark, and how to read its result.
public enum KerasReference {
    /// The script's model kind for each benchmark it has a counterpart of, in `lab bench`'s order.
    public static let kinds: [(benchmark: String, kind: String)] = [
        ("dense-gan-step", "dense"), ("dcgan-step", "dcgan"), ("dcgan64-step", "dcgan64"),
    ]

    /// The script's kind for `benchmark`, nil when it has none.
    public static func kind(of benchmark: String) -> String? {
        kinds.first { $0.benchmark == benchmark }?.kind
    }

    /// The name of the line in which `lab bench` gives the time of a step's products at the
    /// machine's multiply-add peak (`dense-gan-step-products-at-peak  26.93 ms  …`).
    public static func productsAtPeakLine(of benchmark: String) -> String { "\(benchmark)-products-at-peak" }

    /// The name of the line in which `lab bench` gives the mean time of a step's timed steps
    /// (`dcgan-step-mean  215.40 ms/step  …`). The script prints a mean, its loop's time over its
    /// steps, so this line, not the median beside it, is ours measured as Keras's is.
    public static func meanLine(of benchmark: String) -> String { "\(benchmark)-mean" }

    /// What the rounds of `lab bench --keras` say about the least share of Keras's step that
    /// `benchmark` could take on this machine: in each round, the time its products alone take at
    /// the multiply-add peak measured in our run (`productsAtPeak`, ms) over Keras's step in the
    /// same round (`keras`, ms). Rounds pair up in order; nil without a round on both sides.
    /// No step that does these multiplications in float32 can take less of Keras's time than
    /// that, whatever its kernels: a target below it is out of this machine's reach.
    public static func peakShareSummary(benchmark: String, productsAtPeak: [Double], keras: [Double]) -> String? {
        let shares = zip(productsAtPeak, keras).compactMap { ours, theirs in theirs > 0 ? ours / theirs : nil }
        guard let least = shares.min(), let most = shares.max() else { return nil }
        let range = fixed(least) == fixed(most) ? fixed(least) : "\(fixed(least))–\(fixed(most))"
        return "\(benchmark): its products alone, at the multiply-add peak measured in each of our rounds, take "
            + "\(shares.map(fixed).joined(separator: ", ")) of Keras's step in the same round (\(range)×): no float32 step "
            + "doing these multiplications can take a smaller share of Keras's time on this machine"
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.2f", value) }

    /// The milliseconds per step in the script's output for `kind`: its line
    /// `dcgan: 292.7 ms/step, 68.5 s/epoch (234 steps)`; nil when there is none, or not a
    /// positive number.
    public static func millisecondsPerStep(in output: String, kind: String) -> Double? {
        for line in output.split(separator: "\n") where line.hasPrefix("\(kind): ") {
            let fields = line.dropFirst(kind.count + 2).split(separator: " ")
            guard fields.count >= 2, fields[1].hasPrefix("ms/step"), let value = Double(fields[0]), value > 0, value.isFinite
            else { continue }
            return value
        }
        return nil
    }
}
