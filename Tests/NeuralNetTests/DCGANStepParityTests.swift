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
/// The reference is Keras in float64: in float32 a step is ill-conditioned (one pre-activation
/// within rounding of a LeakyReLU kink takes the other slope, and D's backward pass spreads that
/// element over a layer's gradients; `DCGANLayerAccuracyTests` measures it). Keras's own float32
/// steps (`Tests/Golden/keras-dcgan-float32-deviation.json`, `scripts/keras_dcgan_step.py
/// --float32-deviation`) land at step 1 within gradient medians of 2e-6 to 1.2e-4 of a gradient's
/// mean magnitude (single elements to 3e-2), and at step 2 within medians up to 1e-2. Ours, on the
/// direct products, land at step 1 within 5e-7 to 5e-4: every layer is as close to float64 as
/// Keras's float32 layers, but the fake batch's rounding, 2e-6 of its size, moves D's first-layer
/// gradients by 2e-4 to 4e-4 in exact arithmetic. Step 1 is held to a thousandth, step 2's
/// gradients to a few hundredths; the weights after step 1 to 1e-5 and after step 2 to 3e-3 of
/// their magnitude in the median. `PARITY_REPORT=1` prints every tensor's figures, with Keras
/// float32's beside them.
@Suite struct DCGANStepParityTests {
    static let goldenURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/keras-dcgan-step.json")

    static let float32DeviationURL = goldenURL.deletingLastPathComponent().appendingPathComponent("keras-dcgan-float32-deviation.json")

    /// With `PARITY_REPORT=1`: how far Keras's float32 step `step` lands from float64 for each tensor.
    static func reportKerasFloat32(step: Int) throws {
        guard ProcessInfo.processInfo.environment["PARITY_REPORT"] != nil else { return }
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: float32DeviationURL)) as? [String: Any])
        let steps = try #require(root["steps"] as? [[String: Any]])
        for entry in try #require(steps[step - 1]["weights"] as? [[String: Any]]) {
            for key in ["value", "gradient"] {
                guard let d = entry[key] as? [String: Double], let median = d["median"], let worst = d["worst"] else { continue }
                print(String(format: "PARITY step %d %@%@ Keras float32: median %.1e worst %.1e", step, key == "gradient" ? "∂" : "",
                             entry["path"] as? String ?? "?", median, worst))
            }
        }
    }

    @Test func twoDCGANStepsMatchKeras() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.goldenURL)) as? [String: Any])
        let batch = try #require(root["batch"] as? Int)
        let steps = try #require(root["steps"] as? [[String: Any]])
        let random = RandomGenerator(seed: 1)
        let gan = try ChapterModels.gan(generator: ChapterModels.dcganGenerator(random: random),
                                        discriminator: ChapterModels.dcganDiscriminator(dropout: 0, random: random), random: random)
        _ = HashedStart.initialise(gan.discriminator, firstK: HashedStart.initialise(gan.generator, firstK: 0))
        // At float rounding: a whole step amplifies Winograd's rounding past these tolerances
        // (see `useDirectConvolutions`; `WinogradTests` compares the two paths).
        gan.generator.useDirectConvolutions()
        gan.discriminator.useDirectConvolutions()
        let weights = gan.generator.parameters + gan.discriminator.parameters

        for (index, step) in steps.enumerated() {
            let s = index + 1
            let noise = Tensor(shape: [batch, 100], scalars: HashedStart.hashedUniform(batch * 100, 1000 + s).map { Float((2 * $0 - 1) * 1.7) })
            let real = Tensor(shape: [batch, 28, 28, 1], scalars: HashedStart.hashedUniform(batch * 784, 2000 + s).map { Float(2 * $0 - 1) })
            let losses = gan.trainStep(real: real, noise: noise)
            try Self.reportKerasFloat32(step: s)
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
                expectMatchesGolden(parameter.value, try GoldenSummary(entry["value"]), median: s == 1 ? 1e-5 : 3e-3,
                              outlier: s == 1 ? 1e-3 : 5e-2, sum: s == 1 ? 1e-4 : 1e-3, "step \(s) \(path)")
                if parameter.isTrainable {
                    expectMatchesGolden(parameter.gradient, try GoldenSummary(entry["gradient"]), median: s == 1 ? 1e-3 : 5e-2,
                                  outlier: s == 1 ? 1e-2 : 0.25, sum: s == 1 ? 5e-3 : 0.1, "step \(s) ∂\(path)")
                }
            }
        }
    }
}
