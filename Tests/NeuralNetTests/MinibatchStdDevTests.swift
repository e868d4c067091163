import NeuralNet
import Testing
import _TestSupport

/// ProGAN's minibatch standard deviation: a worked example, a collapsed batch, and its gradient.
@Suite struct MinibatchStdDevTests {
    /// Items (1, 2) and (3, 6): μ = (2, 4), σ = (1, 2), s = 1.5, appended to both items.
    @Test func aWorkedExampleAndACollapsedBatch() throws {
        let layer = MinibatchStdDev()
        #expect(try layer.build(inputShape: [2], random: RandomGenerator(seed: 1)) == [3])
        let output = layer.forward(Tensor(shape: [2, 2], scalars: [1, 2, 3, 6]), training: true, slot: 0)
        #expect(output.shape == [2, 3])
        #expect(output.isClose(to: Tensor(shape: [2, 3], scalars: [1, 2, 1.5, 3, 6, 1.5]), tolerance: 1e-6))
        // Four identical images: the statistic is √ε = 10⁻⁴ in a new channel.
        let images = MinibatchStdDev()
        #expect(try images.build(inputShape: [2, 2, 3], random: RandomGenerator(seed: 1)) == [2, 2, 4])
        let same = Tensor(shape: [4, 2, 2, 3], scalars: (0..<48).map { Float($0 % 12) })
        let collapsed = images.forward(same, training: true, slot: 0)
        #expect(collapsed.shape == [4, 2, 2, 4])
        #expect(stride(from: 3, to: 64, by: 4).allSatisfy { abs(collapsed.scalars[$0] - 1e-4) < 1e-6 })
        #expect(collapsed.scalars[0..<3] == [0, 1, 2])
    }

    @Test(arguments: [[5, 3], [3, 2, 2, 2]])
    func gradientMatchesNumericEstimates(_ shape: [Int]) throws {
        let random = RandomGenerator(seed: 4)
        let layer = MinibatchStdDev()
        _ = try layer.build(inputShape: Array(shape.dropFirst()), random: random)
        let input = random.uniformTensor(shape: shape, low: -1, high: 1)
        let output = layer.forward(input, training: true, slot: 0)
        let upstream = random.uniformTensor(shape: output.shape, low: -1, high: 1)
        let analytic = try #require(layer.backward(upstream, slot: 0, needsInputGradient: true, accumulateParameterGradients: true))
        let numeric = GradientCheck.numericGradient(of: input, step: 1e-3) { x in
            GradientCheck.weightedSum(layer.forward(x, training: true, slot: 1), upstream)
        }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3)
    }
}
