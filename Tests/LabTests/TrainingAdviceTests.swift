import Foundation
@testable import Lab
import NeuralNet
import Report
import Testing

/// Training data outside the values G can make (MNIST's 0…255 for a G that ends with tanh) is
/// legal and trains badly without a word; the step says so, on every run, cached or not.
@Suite struct TrainingAdviceTests {
    /// A one-epoch GAN on 256 built-in digits, `scaling` applied to them, G ending with `last`,
    /// D with `critic`, trained with `loss`.
    func lab(scaling: String, last: String, critic: String = "Dense(1, activation: .sigmoid)", loss: String = "BinaryCrossentropy()") -> String {
        """
        # 범위

        ```swift
        seed(3)
        let digits = HandwrittenDigits(split: .train, count: 256)\(scaling)
        let g = Sequential("G", input: [8]) {
            Dense(784, activation: \(last))
            Reshape([28, 28, 1])
        }
        let d = Sequential("D", input: [28, 28, 1]) {
            Flatten()
            \(critic)
        }
        let gan = GAN(generator: g, discriminator: d, generatorOptimizer: Adam(learningRate: 2e-4),
                      discriminatorOptimizer: Adam(learningRate: 2e-4), loss: \(loss))
        let history = gan.train(digits.images, epochs: 1, batchSize: 64)
        ```
        """
    }

    func notices(_ outcome: LabRunner.Outcome) -> [String] {
        outcome.report.blocks.flatMap { block -> [String] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .notice(let text) = $0 { text } else { nil } }
        }
    }

    @Test(arguments: [
        ("", ".tanh", "the training data lie in [0.0, 255.0], but G ends with tanh, whose values lie in [-1.0, 1.0]: it can never make "
            + "such data, and the discriminator tells its fakes from their range alone; scale the data set to its range first, as "
            + "data.scaled(to: .minusOneToOne)"),
        (".scaled(to: .minusOneToOne)", ".sigmoid", "the training data lie in [-1.0, 1.0], but G ends with sigmoid, whose values lie in "
            + "[0.0, 1.0]: it can never make such data, and the discriminator tells its fakes from their range alone; scale the data set "
            + "to its range first, as data.scaled(to: .zeroToOne)"),
        (".scaled(to: .minusOneToOne)", ".tanh", nil),
        (".scaled(to: .zeroToOne)", ".tanh", nil),
        ("", ".linear", nil),
    ] as [(String, String, String?)])
    func dataOutsideGsRangeIsSaid(scaling: String, last: String, advice: String?) throws {
        let text = lab(scaling: scaling, last: last)
        let (outcome, folder, console) = try runLab(text)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil)
        #expect(notices(outcome) == (advice.map { [$0] } ?? []))
        #expect(console.filter { $0.hasPrefix("note: the training data") } == (advice.map { ["note: " + $0] } ?? []))
        // From the cache: the same advice, though entries do not store it.
        let (again, _, _) = try runLab(text, in: folder)
        #expect(again.report.blocks.contains { if case .step(let s) = $0, case .ran(_, cached: true) = s.status { true } else { false } })
        #expect(notices(again) == notices(outcome))
    }

    /// D's last activation against the loss that scores it: a sigmoid twice, probabilities that
    /// are not, bounded critics; and the pairs that fit, which say nothing.
    @Test(arguments: [
        ("Dense(1, activation: .sigmoid)", "BinaryCrossentropy(fromLogits: true)", "D ends with sigmoid, but the loss takes logits "
            + "(fromLogits: true) and applies a sigmoid again, so every score lands in [0.5, 0.73] and D learns slowly; drop one of the "
            + "two: end D without an activation, or use BinaryCrossentropy()"),
        ("Dense(1)", "BinaryCrossentropy()", "D ends with linear, so its outputs are not probabilities, but the loss takes them as such "
            + "and clips them to [1e-7, 1 − 1e-7], where their gradient is zero; end D with sigmoid, or use BinaryCrossentropy(fromLogits: true)"),
        ("Dense(1, activation: .tanh)", "MinimaxLoss()", "D ends with tanh, so its outputs are not probabilities"),
        ("Dense(1, activation: .sigmoid)", "HingeLoss()", "the hinge loss scores D's outputs as they are, but D ends with sigmoid, which "
            + "keeps every score in [0, 1]: its margins, 1 − D(x) and 1 + D(G(z)), want scores beyond ±1; end D without an activation"),
        ("Dense(1, activation: .sigmoid)", "LeastSquaresLoss()", "Mao et al.'s D ends without one"),
        ("Dense(1, activation: .tanh)", "WassersteinLoss(clip: 0.01)", "which keeps every score in [-1, 1]: a critic's scores must be free to grow"),
        ("Dense(1, activation: .sigmoid)", "BinaryCrossentropy()", nil),
        ("Dense(1)", "BinaryCrossentropy(fromLogits: true)", nil),
        ("Dense(1)", "HingeLoss()", nil),
        ("Dense(1)", "WassersteinLoss(clip: 0.01)", nil),
    ] as [(String, String, String?)])
    func aCriticThatDoesNotFitItsLossIsSaid(critic: String, loss: String, advice: String?) throws {
        let text = lab(scaling: ".scaled(to: .minusOneToOne)", last: ".tanh", critic: critic, loss: loss)
        let (outcome, folder, _) = try runLab(text)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        let said = notices(outcome)
        if let advice {
            #expect(said.count == 1 && said[0].contains(advice), "\(said)")
        } else {
            #expect(said.isEmpty, "\(said)")
        }
        let (again, _, _) = try runLab(text, in: folder)
        #expect(notices(again) == said)
    }

    /// What bounds a model's outputs: its last computing layer's activation, through shapes and
    /// nested models; nothing when that layer is of another kind.
    @Test func theLastComputingLayerBoundsTheOutputs() throws {
        let image = try Sequential("G", inputShape: [4], random: RandomGenerator(seed: 1), layers: [Dense(16, activation: .tanh), Reshape([4, 4, 1])])
        #expect(image.outputActivation == .tanh && image.outputActivation?.boundedRange == -1...1)
        let normalised = try Sequential("N", inputShape: [4], random: RandomGenerator(seed: 1), layers: [Dense(16, activation: .sigmoid), BatchNormalization()])
        #expect(normalised.outputActivation == nil)
        let nested = try Sequential("M", inputShape: [4], random: RandomGenerator(seed: 1), layers: [Dense(4), NestedModel(image), Flatten()])
        #expect(nested.outputActivation == .tanh)
        #expect(Activation.relu.boundedRange == nil && Activation.sigmoid.boundedRange == 0...1)
    }
}
