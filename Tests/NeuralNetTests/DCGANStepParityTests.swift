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
