import NeuralNet
import Testing
import _TestSupport

/// Every analytic backward pass agrees with a numeric estimate.
@Suite struct GradientCheckTests {
    /// Compares a layer's input gradient and each trainable weight's gradient with central differences
    /// of `sum(output * upstream)`.
    func checkLayer(_ make: () -> any Layer, inputShape: [Int], training: Bool, seed: UInt64 = 3) throws {
        let random = RandomGenerator(seed: seed)
        let layer = make()
        _ = try layer.build(inputShape: Array(inputShape.dropFirst()), random: random)
        let input = random.uniformTensor(shape: inputShape, low: -1.5, high: 1.5)
        let output = layer.forward(input, training: training, slot: 0)
        let upstream = random.uniformTensor(shape: output.shape, low: -1, high: 1)
        for parameter in layer.parameters where parameter.isTrainable { parameter.zeroGradient() }
        let analytic = try #require(layer.backward(upstream, slot: 0, needsInputGradient: true,
                                                    accumulateParameterGradients: true))
        let numeric = GradientCheck.numericGradient(of: input) { x in
            GradientCheck.weightedSum(layer.forward(x, training: training, slot: 1), upstream)
        }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3, "\(layer.name) input gradient")
        for parameter in layer.parameters where parameter.isTrainable {
            let original = parameter.value
            let numericWeight = GradientCheck.numericGradient(of: original) { w in
                parameter.value = w
                defer { parameter.value = original }
                return GradientCheck.weightedSum(layer.forward(input, training: training, slot: 1), upstream)
            }
            #expect(GradientCheck.maxRelativeError(parameter.gradient, numericWeight) < 2e-3,
                    "\(parameter.name) gradient")
        }
    }

    @Test(arguments: [Activation.linear, .relu, .leakyReLU(alpha: 0.2), .tanh, .sigmoid])
    func dense(activation: Activation) throws {
        try checkLayer({ Dense(3, activation: activation) }, inputShape: [4, 5], training: true)
    }

    @Test func denseWithoutBias() throws {
        try checkLayer({ Dense(2, useBias: false) }, inputShape: [3, 4], training: true)
    }

    @Test(arguments: [true, false])
    func batchNormalizationFlat(training: Bool) throws {
        try checkLayer({ BatchNormalization() }, inputShape: [6, 3], training: training)
    }

    @Test func batchNormalizationPerChannel() throws {
        try checkLayer({ BatchNormalization() }, inputShape: [2, 3, 3, 2], training: true)
    }

    @Test func activations() throws {
        for make in [{ LeakyReLU(alpha: 0.2) }, { ReLU() }, { Tanh() }, { Sigmoid() }] as [() -> any Layer] {
            try checkLayer(make, inputShape: [3, 4], training: true)
        }
    }

    @Test func reshapeAndFlatten() throws {
        try checkLayer({ Reshape([2, 3]) }, inputShape: [2, 6], training: true)
        try checkLayer({ Flatten() }, inputShape: [2, 2, 3, 1], training: true)
    }

    @Test func dropoutPassesGradientThroughItsMask() throws {
        let random = RandomGenerator(seed: 9)
        let layer = Dropout(0.5)
        _ = try layer.build(inputShape: [1000], random: random)
        let input = Tensor(shape: [2, 1000], repeating: 1)
        let output = layer.forward(input, training: true, slot: 0)
        let upstream = random.uniformTensor(shape: [2, 1000])
        let gradient = try #require(layer.backward(upstream, slot: 0, needsInputGradient: true,
                                                   accumulateParameterGradients: true))
        // y = x · mask, so dL/dx = upstream · mask = upstream · y for x = 1.
        #expect(gradient.scalars == zip(upstream.scalars, output.scalars).map { $0 * $1 })
        let kept = output.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 2 }, "survivors are scaled by 1 / (1 − rate)")
        #expect(abs(Float(kept.count) / 2000 - 0.5) < 0.05, "about half survive")
        #expect(layer.forward(input, training: false, slot: 0) == input, "inference is the identity")
    }

    @Test func dropoutMasksOfLargeBatchesAreReproducibleAndIndependentPerBlock() throws {
        // 262,144 elements: 256 mask blocks, made on several threads.
        func masks(seed: UInt64) throws -> (first: Tensor, second: Tensor, gradient: Tensor) {
            let layer = Dropout(0.3)
            _ = try layer.build(inputShape: [4096], random: RandomGenerator(seed: seed))
            let ones = Tensor(shape: [64, 4096], repeating: 1)
            let first = layer.forward(ones, training: true, slot: 0)
            let second = layer.forward(ones, training: true, slot: 1)
            let gradient = try #require(layer.backward(ones, slot: 0, needsInputGradient: true,
                                                       accumulateParameterGradients: true))
            return (first, second, gradient)
        }
        let run = try masks(seed: 5), again = try masks(seed: 5)
        #expect(run.first == again.first && run.second == again.second, "the same seed gives the same masks")
        #expect(run.gradient == run.first, "backward replays slot 0's mask")
        #expect(run.first != run.second, "each pass draws a new mask")
        let dropped = run.first.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(dropped) / Double(run.first.count) - 0.3) < 0.005)
        // Neighbouring blocks of 1,024 elements have different masks.
        let blocks = stride(from: 0, to: 8 * 1024, by: 1024).map { Array(run.first.scalars[$0..<($0 + 1024)]) }
        #expect(Set(blocks.map { $0.map { $0 == 0 } }).count == blocks.count)
    }

    @Test(arguments: [(false, Float(0)), (false, 0.1), (true, 0), (true, 0.2)])
    func binaryCrossentropy(fromLogits: Bool, smoothing: Float) throws {
        let random = RandomGenerator(seed: 5)
        let loss = try BinaryCrossentropy(fromLogits: fromLogits, labelSmoothing: smoothing)
        let predictions = fromLogits
            ? random.uniformTensor(shape: [6, 1], low: -3, high: 3)
            : random.uniformTensor(shape: [6, 1], low: 0.05, high: 0.95)
        let targets = random.uniformTensor(shape: [6, 1])
        let analytic = loss(predictions: predictions, targets: targets).gradient
        let numeric = GradientCheck.numericGradient(of: predictions, step: 1e-3) { p in
            Double(loss(predictions: p, targets: targets).loss)
        }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3)
    }

    @Test func sequentialBackwardChainsLayers() throws {
        let random = RandomGenerator(seed: 11)
        let model = try Sequential("chain", inputShape: [3], random: random) {
            Dense(4)
            BatchNormalization()
            LeakyReLU(alpha: 0.2)
            Dense(2, activation: .tanh)
        }
        let input = random.uniformTensor(shape: [5, 3], low: -1, high: 1)
        let upstream = random.uniformTensor(shape: [5, 2], low: -1, high: 1)
        _ = model.forward(input, training: true)
        model.zeroGradients()
        let analytic = try #require(model.backward(upstream, needsInputGradient: true))
        let numeric = GradientCheck.numericGradient(of: input) { x in
            GradientCheck.weightedSum(model.forward(x, training: true, slot: 1), upstream)
        }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3)
    }
}
