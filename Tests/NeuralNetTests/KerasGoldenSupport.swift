import Foundation
import NeuralNet
import Testing

/// The start both sides of a Keras parity test compute exactly (`scripts/keras_dcgan_step.py`).
enum HashedStart {
    /// u(i, k) = ((i + 1) · 2654435761 + k · 40503) mod 2³² / 2³², as the script computes it.
    static func hashedUniform(_ count: Int, _ k: Int) -> [Double] {
        (0..<count).map { i in
            let h = (UInt64(i + 1) &* 2_654_435_761 &+ UInt64(k) &* 40503) & 0xFFFF_FFFF
            return Double(h) / 4_294_967_296
        }
    }

    /// The script's start weights, in Keras's `model.weights` order (which is ours).
    static func initialise(_ model: Sequential, firstK: Int) -> Int {
        var k = firstK
        for parameter in model.parameters {
            let u = hashedUniform(parameter.value.count, k)
            let shape = parameter.value.shape
            switch parameter.name {
            case "kernel":
                // Dense [in, out]: fan-in shape[0]; Conv2D [kh, kw, in, out]; Conv2DTranspose [kh, kw, out, in].
                let fanIn = shape.count == 2 ? shape[0] : shape[0] * shape[1] * (isTransposed(parameter, in: model) ? shape[3] : shape[2])
                let limit = (3.0 / Double(fanIn)).squareRoot()
                parameter.value = Tensor(shape: shape, scalars: u.map { Float((2 * $0 - 1) * limit) })
            case "bias":
                parameter.value = Tensor(shape: shape, scalars: u.map { Float(0.05 * (2 * $0 - 1)) })
            default:
                break  // BatchNormalization keeps gamma 1, beta 0, moving mean 0, moving variance 1.
            }
            k += 1
        }
        return k
    }

    static func isTransposed(_ parameter: Parameter, in model: Sequential) -> Bool {
        model.layers.contains { layer in layer is Conv2DTranspose && layer.parameters.contains { $0 === parameter } }
    }
}

/// A golden summary of one tensor: Σ|x| and every `stride`-th element.
struct GoldenSummary {
    var absSum: Double, stride: Int, samples: [Double]
    init(_ object: Any?) throws {
        let o = try #require(object as? [String: Any])
        absSum = try #require(o["abs_sum"] as? Double)
        stride = try #require(o["stride"] as? Int)
        samples = try #require(o["samples"] as? [Double])
    }
}

/// Checks `actual` against a summary, in units of the tensor's mean magnitude: the median
/// sampled difference at most `median`, and at most 2 % of the samples further off than
/// `outlier` (a pre-activation within float rounding of LeakyReLU's kink takes the other slope
/// in float32, and Adam's first steps turn a tiny gradient's sign into a full learning-rate step).
/// The tensor's Σ|x| must also agree within `sum` (relative).
func expectMatchesGolden(_ actual: Tensor, _ golden: GoldenSummary, median: Double, outlier: Double, sum: Double, _ what: String) {
    let scalars = actual.scalars.map(Double.init)
    let scale = max(golden.absSum / Double(scalars.count), 1e-12)
    let sampled = stride(from: 0, to: scalars.count, by: golden.stride).map { scalars[$0] }
    #expect(sampled.count == golden.samples.count, "\(what): sample count")
    let differences = zip(sampled, golden.samples).map { abs($0 - $1) / scale }.sorted()
    let middle = differences[differences.count / 2]
    let far = differences.filter { $0 > outlier }.count
    let absSum = scalars.reduce(0) { $0 + abs($1) }, sumDifference = abs(absSum - golden.absSum) / max(golden.absSum, 1e-30)
    if ProcessInfo.processInfo.environment["PARITY_REPORT"] != nil {
        print(String(format: "PARITY %@ median %.1e worst %.1e far %d/%d Σ|x| %.1e", what, middle, differences.last!, far,
                     differences.count, sumDifference))
    }
    #expect(middle <= median, "\(what): median difference \(middle) of the mean magnitude \(scale)")
    #expect(sumDifference <= sum, "\(what): Σ|x| \(absSum), Keras \(golden.absSum)")
    #expect(Double(far) <= 0.02 * Double(differences.count), "\(what): \(far) of \(differences.count) samples differ by more than \(outlier) of the mean magnitude; worst \(differences.last!)")
}
