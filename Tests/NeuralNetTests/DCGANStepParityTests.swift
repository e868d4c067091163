import Foundation
import NeuralNet
import Testing

/// Two whole training steps of the chapter's DCGAN against Keras (`Tests/Golden/keras-dcgan-step.json`,
/// made once by `scripts/keras_dcgan_step.py`): the same start weights, noise and real batches (an
/// integer hash both sides compute exactly), Dropout at rate 0. After each step both losses, every
/// trainable weight's gradient and every weight (BatchNormalization's moving statistics included)
/// must match, so a defect anywhere in the step (transposed convolutions at the borders, BN in the
/// generator, the reused discriminator backward pass, Adam) shows here.
///
/// The reference is Keras in float64: in float32 the steps are ill-conditioned, and Keras's own
/// float32 run is off the float64 one by medians up to 0.3 % (step 1 outliers to 3 %) and, in step
/// 2, medians up to 1 % of a gradient's mean magnitude. Step 1 is held to float32 rounding (a
/// thousandth), step 2's gradients to a few hundredths; the weights after step 1 to 1e-5 and after step
/// 2 to 3e-3 of their magnitude in the median. `PARITY_REPORT=1` prints every tensor's figures.
@Suite struct DCGANStepParityTests {
    static let goldenURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/keras-dcgan-step.json")

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

    /// A golden summary of one tensor: Σ|x| and every `stride`-th element.
    struct Summary {
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
    func expectMatches(_ actual: Tensor, _ golden: Summary, median: Double, outlier: Double, sum: Double, _ what: String) {
        let scalars = actual.scalars.map(Double.init)
        let scale = max(golden.absSum / Double(scalars.count), 1e-12)
        let sampled = stride(from: 0, to: scalars.count, by: golden.stride).map { scalars[$0] }
        #expect(sampled.count == golden.samples.count, "\(what): sample count")
        let differences = zip(sampled, golden.samples).map { abs($0 - $1) / scale }.sorted()
        let middle = differences[differences.count / 2]
        let far = differences.filter { $0 > outlier }.count
        let absSum = scalars.reduce(0) { $0 + abs($1) }, sumDifference = abs(absSum - golden.absSum) / golden.absSum
        if ProcessInfo.processInfo.environment["PARITY_REPORT"] != nil {
            print(String(format: "PARITY %@ median %.1e worst %.1e far %d/%d Σ|x| %.1e", what, middle, differences.last!, far,
                         differences.count, sumDifference))
        }
        #expect(middle <= median, "\(what): median difference \(middle) of the mean magnitude \(scale)")
        #expect(sumDifference <= sum, "\(what): Σ|x| \(absSum), Keras \(golden.absSum)")
        #expect(Double(far) <= 0.02 * Double(differences.count), "\(what): \(far) of \(differences.count) samples differ by more than \(outlier) of the mean magnitude; worst \(differences.last!)")
    }

    @Test func twoDCGANStepsMatchKeras() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.goldenURL)) as? [String: Any])
        let batch = try #require(root["batch"] as? Int)
        let steps = try #require(root["steps"] as? [[String: Any]])
        let random = RandomGenerator(seed: 1)
        let gan = try ChapterModels.gan(generator: ChapterModels.dcganGenerator(random: random),
                                        discriminator: ChapterModels.dcganDiscriminator(dropout: 0, random: random), random: random)
        _ = Self.initialise(gan.discriminator, firstK: Self.initialise(gan.generator, firstK: 0))
        let weights = gan.generator.parameters + gan.discriminator.parameters

        for (index, step) in steps.enumerated() {
            let s = index + 1
            let noise = Tensor(shape: [batch, 100], scalars: Self.hashedUniform(batch * 100, 1000 + s).map { Float((2 * $0 - 1) * 1.7) })
            let real = Tensor(shape: [batch, 28, 28, 1], scalars: Self.hashedUniform(batch * 784, 2000 + s).map { Float(2 * $0 - 1) })
            let losses = gan.trainStep(real: real, noise: noise)
            let lossTolerance = s == 1 ? 1e-5 : 1e-3
            for (ours, key) in [(losses.generator, "generator_loss"), (losses.discriminator, "discriminator_loss")] {
                let keras = try #require(step[key] as? Double)
                #expect(abs(Double(ours) - keras) <= lossTolerance * keras, "step \(s) \(key): \(ours), Keras \(keras)")
            }

            let golden = try #require(step["weights"] as? [[String: Any]])
            try #require(golden.count == weights.count, "every weight is in the golden file")
            for (parameter, entry) in zip(weights, golden) {
                let path = try #require(entry["path"] as? String)
                try #require(path.hasSuffix("/" + parameter.name) && (entry["shape"] as? [Int]) == parameter.value.shape, "\(path) is \(parameter.name)")
                // Weights after the update: Adam's first steps move each by about its learning rate,
                // so they agree to float rounding unless a gradient's sign differs.
                expectMatches(parameter.value, try Summary(entry["value"]), median: s == 1 ? 1e-5 : 3e-3,
                              outlier: s == 1 ? 1e-3 : 5e-2, sum: s == 1 ? 1e-4 : 1e-3, "step \(s) \(path)")
                if parameter.isTrainable {
                    expectMatches(parameter.gradient, try Summary(entry["gradient"]), median: s == 1 ? 1e-3 : 5e-2,
                                  outlier: s == 1 ? 1e-2 : 0.25, sum: s == 1 ? 5e-3 : 0.1, "step \(s) ∂\(path)")
                }
            }
        }
    }
}
