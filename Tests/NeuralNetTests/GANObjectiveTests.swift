import Foundation
@testable import NeuralNet
import Testing
import _TestSupport

/// The GAN objectives of the theory chapter: each loss and its gradient against hand-worked
/// values of the paper's formula, WGAN's clipping, and WGAN-GP's second-order gradient against
/// numeric estimates.
@Suite struct GANObjectiveTests {
    static let scores = Tensor(shape: [4, 1], scalars: [0.5, -2, 3, 1])

    static func expect(_ result: (loss: Float, gradient: Tensor)?, loss: Double, gradient: [Double], _ what: String) {
        guard let result else { Issue.record("\(what): no loss"); return }
        #expect(abs(Double(result.loss) - loss) < 1e-6, "\(what) loss \(result.loss), expected \(loss)")
        for (ours, expected) in zip(result.gradient.scalars, gradient) {
            #expect(abs(Double(ours) - expected) < 1e-6, "\(what) gradient \(result.gradient.scalars), expected \(gradient)")
        }
    }

    /// Scores s = (0.5, −2, 3, 1), batch mean over 4.
    @Test func eachLossIsItsPapersFormula() {
        let s = Self.scores
        // LSGAN: ½E[(D(x) − 1)²], ½E[D(G(z))²], ½E[(D(G(z)) − 1)²].
        Self.expect(GANObjective.leastSquares.criticReal(s), loss: (0.125 + 4.5 + 2 + 0) / 4,
                    gradient: [-0.5 / 4, -3.0 / 4, 2.0 / 4, 0], "LSGAN real")
        Self.expect(GANObjective.leastSquares.criticFake(s), loss: (0.125 + 2 + 4.5 + 0.5) / 4,
                    gradient: [0.5 / 4, -2.0 / 4, 3.0 / 4, 1.0 / 4], "LSGAN fake")
        // Hinge: E[max(0, 1 − D(x))] = (0.5 + 3 + 0 + 0)/4; E[max(0, 1 + D(G(z)))] = (1.5 + 0 + 4 + 2)/4.
        Self.expect(GANObjective.hinge.criticReal(s), loss: 3.5 / 4, gradient: [-0.25, -0.25, 0, 0], "hinge real")
        Self.expect(GANObjective.hinge.criticFake(s), loss: 7.5 / 4, gradient: [0.25, 0, 0.25, 0.25], "hinge fake")
        // Wasserstein: −E[D(x)], E[D(G(z))]; the gradient penalty variant has the same critic terms.
        for objective in [GANObjective.wasserstein(clip: 0.01), .wassersteinGP(lambda: 10)] {
            Self.expect(objective.criticReal(s), loss: -2.5 / 4, gradient: [-0.25, -0.25, -0.25, -0.25], "\(objective.name) real")
            Self.expect(objective.criticFake(s), loss: 2.5 / 4, gradient: [0.25, 0.25, 0.25, 0.25], "\(objective.name) fake")
        }
        let bce = try! BinaryCrossentropy()
        // Generator objectives: −E[D] for hinge and both WGANs, ½E[(D − 1)²] for LSGAN.
        for objective in [GANObjective.hinge, .wasserstein(clip: 0.01), .wassersteinGP(lambda: 10)] {
            Self.expect(objective.generator(s, crossEntropy: bce), loss: -2.5 / 4, gradient: [-0.25, -0.25, -0.25, -0.25], "\(objective.name) G")
        }
        Self.expect(GANObjective.leastSquares.generator(s, crossEntropy: bce), loss: 6.625 / 4,
                    gradient: [-0.5 / 4, -3.0 / 4, 2.0 / 4, 0], "LSGAN G")
        #expect(GANObjective.nonSaturating.criticReal(s) == nil && GANObjective.minimax.criticFake(s) == nil)
    }

    /// G's two cross-entropy objectives on probabilities p = (0.2, 0.9): the saturating one is
    /// E[log(1 − p)] with gradient −1/(1 − p)/2, the non-saturating one −E[log p] with −1/p/2.
    /// Where D rejects a sample (p = 0.2) the saturating gradient is 4× weaker: the chapter's reason.
    @Test func theSaturatingAndTheNonSaturatingGeneratorLosses() throws {
        let p = Tensor(shape: [2, 1], scalars: [0.2, 0.9])
        let bce = try BinaryCrossentropy()
        Self.expect(GANObjective.minimax.generator(p, crossEntropy: bce), loss: (log(0.8) + log(0.1)) / 2,
                    gradient: [-1 / 0.8 / 2, -1 / 0.1 / 2], "minimax G")
        Self.expect(GANObjective.nonSaturating.generator(p, crossEntropy: bce), loss: -(log(0.2) + log(0.9)) / 2,
                    gradient: [-1 / 0.2 / 2, -1 / 0.9 / 2], "non-saturating G")
        // With logits z: E[log(1 − σ(z))] = −E[softplus(z)], gradient −σ(z)/n.
        let z = Tensor(shape: [2, 1], scalars: [-1.5, 2])
        let sigmoid = { (x: Double) in 1 / (1 + exp(-x)) }
        Self.expect(GANObjective.minimax.generator(z, crossEntropy: try BinaryCrossentropy(fromLogits: true)),
                    loss: -(log(1 + exp(-1.5)) + log(1 + exp(2))) / 2, gradient: [-sigmoid(-1.5) / 2, -sigmoid(2) / 2], "minimax G logits")
    }

    /// A small critic (Dense, or Conv2D then Dense) and a generator to pair it with.
    static func critic(convolutional: Bool, random: RandomGenerator) throws -> (Sequential, Sequential) {
        let shape = convolutional ? [5, 5, 1] : [3]
        let critic = try Sequential("critic", inputShape: shape, random: random, layers: convolutional ? [
            Conv2D(3, kernelSize: 3, strides: 2, padding: .same, activation: .leakyReLU(alpha: 0.2)),
            Flatten(), Dense(4), LeakyReLU(alpha: 0.2), Dense(1),
        ] : [
            Dense(5, activation: .leakyReLU(alpha: 0.2)), Dense(4), ReLU(), Reshape([4]), Dense(1),
        ])
        let generator = try Sequential("G", inputShape: [2], random: random, layers: [Dense(shape.reduce(1, *)), Reshape(shape)])
        return (generator, critic)
    }

    /// The penalty's gradient with respect to every critic weight against difference quotients of
    /// the penalty itself (computed by the first-order backward pass at shifted weights), for a
    /// Dense critic and a convolutional one. With real = fake, x̂ does not depend on ε. The
    /// penalty is smooth only between the kinks of (Leaky)ReLU: where a step of 10⁻³ moves a
    /// unit across its kink the left and right quotients disagree, and that weight is skipped
    /// (at most a tenth of them).
    @Test(arguments: [false, true])
    func theGradientPenaltysWeightGradientMatchesNumericEstimates(convolutional: Bool) throws {
        let random = RandomGenerator(seed: 7)
        let (generator, critic) = try Self.critic(convolutional: convolutional, random: random)
        let gan = try GAN(generator: generator, discriminator: critic, generatorOptimizer: SGD(), discriminatorOptimizer: SGD(),
                          loss: BinaryCrossentropy(), objective: .wassersteinGP(lambda: 10), random: random)
        let x = random.uniformTensor(shape: [6] + critic.inputShape, low: -1, high: 1)
        critic.zeroGradients()
        #expect(gan.addGradientPenalty(real: x, fake: x, lambda: 10) > 0)
        let analytic = critic.trainableParameters.map(\.gradient)
        var checked = 0, skipped = 0
        for (parameter, gradient) in zip(critic.trainableParameters, analytic) {
            let original = parameter.value
            func penalty(_ i: Int, _ step: Float) -> Double {
                var shifted = original.scalars
                shifted[i] += step
                parameter.value = Tensor(shape: original.shape, scalars: shifted)
                critic.zeroGradients()
                return Double(gan.addGradientPenalty(real: x, fake: x, lambda: 10))
            }
            for i in 0..<original.count {
                let h: Float = 1e-3
                let (minus, centre, plus) = (penalty(i, -h), penalty(i, 0), penalty(i, h))
                let left = (centre - minus) / Double(h), right = (plus - centre) / Double(h)
                if abs(left - right) > 0.02 * max(1, abs(left), abs(right)) { skipped += 1; continue }
                checked += 1
                let numeric = (plus - minus) / (2 * Double(h)), ours = Double(gradient.scalars[i])
                #expect(abs(numeric - ours) < 1e-2 * max(1, abs(numeric)), "\(parameter.name)[\(i)]: analytic \(ours), numeric \(numeric)")
            }
            parameter.value = original
        }
        #expect(checked > 0 && skipped * 10 <= checked + skipped, "checked \(checked), skipped at kinks \(skipped)")
    }

    /// In a conditional GAN the penalty's norm is over the item's columns, not the one-hot class:
    /// the value equals λ·mean((‖∇D restricted to the item‖ − 1)²) from a first-order backward pass.
    @Test func aConditionalCriticsPenaltyLeavesTheClassColumnsOut() throws {
        let random = RandomGenerator(seed: 11)
        let generator = try Sequential("G", inputShape: [2 + 3], random: random, layers: [Dense(4)])
        let critic = try Sequential("critic", inputShape: [4 + 3], random: random,
                                    layers: [Dense(6, activation: .leakyReLU(alpha: 0.2)), Dense(1)])
        let gan = try GAN(generator: generator, discriminator: critic, generatorOptimizer: SGD(), discriminatorOptimizer: SGD(),
                          loss: BinaryCrossentropy(), objective: .wassersteinGP(lambda: 10), classes: 3, random: random)
        let x = try gan.conditionedData(random.uniformTensor(shape: [5, 4], low: -1, high: 1), labels: [0, 2, 1, 1, 0])
        critic.zeroGradients()
        let penalty = Double(gan.addGradientPenalty(real: x, fake: x, lambda: 10))
        _ = critic.forward(x, training: true, slot: 3)
        let g = try #require(critic.backward(Tensor(shape: [5, 1], repeating: 1), slot: 3, needsInputGradient: true,
                                             accumulateParameterGradients: false))
        let expected = (0..<5).reduce(0.0) { total, n in
            let norm = (0..<4).reduce(0.0) { $0 + Double(g.scalars[n * 7 + $1]) * Double(g.scalars[n * 7 + $1]) }.squareRoot()
            return total + 10 * (norm - 1) * (norm - 1) / 5
        }
        #expect(abs(penalty - expected) < 1e-4 * max(1, expected), "\(penalty) vs \(expected)")
    }

    @Test func aCriticWithoutASecondOrderPathIsAnErrorNamingTheLayer() throws {
        let random = RandomGenerator(seed: 1)
        let generator = try Sequential("G", inputShape: [2], random: random, layers: [Dense(3)])
        func message(_ layers: [any Layer]) throws -> String {
            let critic = try Sequential("critic", inputShape: [3], random: random, layers: layers)
            do {
                _ = try GAN(generator: generator, discriminator: critic, generatorOptimizer: SGD(), discriminatorOptimizer: SGD(),
                            loss: BinaryCrossentropy(), objective: .wassersteinGP(lambda: 10), random: random)
                return ""
            } catch let error as NeuralNetError { return error.message }
        }
        #expect(try message([Dense(4), BatchNormalization(name: "bn"), Dense(1)]).contains("bn (BatchNormalization) has no second-order path"))
        #expect(try message([Dense(4), Dense(1, activation: .sigmoid, name: "out")]).contains("out's sigmoid activation is curved"))
        #expect(try message([Dense(4), Tanh(), Dense(1)]).contains("tanh activation is curved"))
        #expect(try message([Dense(4), LeakyReLU(alpha: 0.2), Dropout(0.3), Dense(1)]).isEmpty)
    }

    /// WGAN's critic stays within [−c, c] after every update; the cross-entropy's target options
    /// are refused under objectives that have no targets.
    @Test func wganClipsEveryCriticWeightAndTargetsNeedTheCrossEntropy() throws {
        let random = RandomGenerator(seed: 3)
        let (generator, critic) = try Self.critic(convolutional: false, random: random)
        let gan = try GAN(generator: generator, discriminator: critic, generatorOptimizer: RMSprop(learningRate: 5e-5),
                          discriminatorOptimizer: RMSprop(learningRate: 5e-5), loss: BinaryCrossentropy(),
                          objective: .wasserstein(clip: 0.01), random: random)
        let data = random.uniformTensor(shape: [64, 3], low: -1, high: 1)
        let history = try gan.train(on: data, epochs: 2, batchSize: 16, options: GANTrainingOptions(discriminatorSteps: 2))
        #expect(history.completedEpochs == 2)
        #expect(critic.trainableParameters.allSatisfy { $0.value.scalars.allSatisfy { abs($0) <= 0.01 } })
        #expect(throws: NeuralNetError.self) { try gan.train(on: data, epochs: 1, batchSize: 16, options: GANTrainingOptions(realLabel: 0.9)) }
        #expect(throws: NeuralNetError.self) {
            try GAN(generator: generator, discriminator: critic, generatorOptimizer: SGD(), discriminatorOptimizer: SGD(),
                    loss: BinaryCrossentropy(), objective: .wasserstein(clip: 0), random: random)
        }
    }
}
