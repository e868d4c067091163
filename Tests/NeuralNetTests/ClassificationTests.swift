import NeuralNet
import Testing
import _TestSupport

/// Softmax, sparse categorical cross-entropy and the supervised `fit` loop.
@Suite struct ClassificationTests {
    @Test func softmaxGradientMatchesNumericEstimate() throws {
        let random = RandomGenerator(seed: 4)
        let layer = Softmax()
        _ = try layer.build(inputShape: [5], random: random)
        let input = random.uniformTensor(shape: [3, 5], low: -2, high: 2)
        let output = layer.forward(input, training: true, slot: 0)
        for row in 0..<3 { #expect(abs(output.scalars[(row * 5)..<(row * 5 + 5)].reduce(0, +) - 1) < 1e-6) }
        let upstream = random.uniformTensor(shape: [3, 5], low: -1, high: 1)
        let analytic = try #require(layer.backward(upstream, slot: 0, needsInputGradient: true, accumulateParameterGradients: true))
        let numeric = GradientCheck.numericGradient(of: input) { GradientCheck.weightedSum(layer.forward($0, training: true, slot: 1), upstream) }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3)
        // Large inputs do not overflow.
        let big = layer.forward(Tensor(shape: [1, 3], scalars: [1000, 1001, 1002]), training: false, slot: 2)
        #expect(big.scalars.allSatisfy(\.isFinite) && abs(big.scalars[2] - 0.66524096) < 1e-6)
    }

    @Test(arguments: [true, false])
    func crossEntropyGradientMatchesNumericEstimate(fromLogits: Bool) throws {
        let random = RandomGenerator(seed: 5)
        let loss = SparseCategoricalCrossentropy(fromLogits: fromLogits)
        let predictions = fromLogits ? random.uniformTensor(shape: [4, 3], low: -2, high: 2)
                                     : random.uniformTensor(shape: [4, 3], low: 0.05, high: 0.95)
        let labels = [0, 2, 1, 2]
        let (_, analytic) = try loss(predictions: predictions, labels: labels)
        let numeric = GradientCheck.numericGradient(of: predictions, step: 1e-3) { p in Double(try! loss(predictions: p, labels: labels).loss) }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3)
    }

    @Test func crossEntropyValuesAreKeras() throws {
        // log(e¹ + e² + e³) − 3 and −log 0.7, as Keras computes them.
        let logits = try SparseCategoricalCrossentropy(fromLogits: true)(predictions: Tensor(shape: [1, 3], scalars: [1, 2, 3]), labels: [2])
        #expect(abs(logits.loss - 0.40760596) < 1e-6)
        let probabilities = try SparseCategoricalCrossentropy()(predictions: Tensor(shape: [1, 3], scalars: [0.1, 0.2, 0.7]), labels: [2])
        #expect(abs(probabilities.loss - 0.35667494) < 1e-6)
        // Clipped at 1e-7: a zero probability gives −log 1e-7 and no gradient.
        let clipped = try SparseCategoricalCrossentropy()(predictions: Tensor(shape: [1, 2], scalars: [1, 0]), labels: [1])
        #expect(abs(clipped.loss - 16.118095) < 1e-4 && clipped.gradient.scalars == [0, 0])
        #expect(throws: NeuralNetError.self) { _ = try SparseCategoricalCrossentropy()(predictions: Tensor(shape: [1, 2]), labels: [2]) }
    }

    @Test func fitLearnsThreeSeparableClusters() throws {
        let random = RandomGenerator(seed: 6)
        let centres: [(Float, Float)] = [(-2, 0), (2, 0), (0, 2.5)]
        var points: [Float] = [], labels: [Int] = []
        for index in 0..<300 {
            let label = index % 3
            let noise = random.normalTensor(shape: [2]).scalars
            points += [centres[label].0 + 0.5 * noise[0], centres[label].1 + 0.5 * noise[1]]
            labels.append(label)
        }
        let x = Tensor(shape: [300, 2], scalars: points)
        let model = try Sequential("C", inputShape: [2], random: random) {
            Dense(16, activation: .relu)
            Dense(3)
            Softmax()
        }
        let before = try model.accuracy(x, labels: labels)
        let history = try model.fit(x, labels: labels, epochs: 15, batchSize: 32, optimizer: try Adam(learningRate: 0.01), random: random)
        #expect(history.losses.count == 15 && history.losses.last! < history.losses.first!)
        #expect(try model.accuracy(x, labels: labels) > 0.97, "accuracy before training \(before)")
        #expect(try model.predict(x, batchSize: 7).shape == [300, 3])
    }

    @Test func fitIsReproducibleFromASeed() throws {
        func run() throws -> FitHistory {
            let random = RandomGenerator(seed: 9)
            let model = try Sequential("C", inputShape: [4], random: random) { Dense(3); Softmax() }
            let x = random.uniformTensor(shape: [40, 4], low: -1, high: 1)
            return try model.fit(x, labels: (0..<40).map { $0 % 3 }, epochs: 3, batchSize: 16, optimizer: try SGD(learningRate: 0.1), random: random)
        }
        #expect(try run() == run())
    }
}
