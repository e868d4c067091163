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
