import Foundation
import NeuralNet
import Testing

/// Keras's classic training calls: `compile`, `trainOnBatch`, `trainable` and a model nested in
/// another, against Keras (`Tests/Golden/keras-classic-gan-step.json`, made once by
/// `scripts/keras_classic_gan_step.py`) and against what the notebook relies on.
@Suite struct ClassicTrainingTests {
    static let goldenURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/keras-classic-gan-step.json")

    /// The notebook's three compiled models.
    static func notebookModels() throws -> (generator: Sequential, discriminator: Sequential, combined: Sequential) {
        let random = RandomGenerator(seed: 1)
        let generator = try ChapterModels.classicGenerator(random: random)
        let discriminator = try ChapterModels.classicDiscriminator(random: random)
        try generator.compile(loss: BinaryCrossentropy(), optimizer: RMSprop(learningRate: 0.002))
        try discriminator.compile(loss: BinaryCrossentropy(), optimizer: RMSprop(learningRate: 0.001))
        let combined = try Sequential("combined", inputShape: [10], random: random,
                                      layers: [NestedModel(generator), NestedModel(discriminator)])
        discriminator.trainable = false
        try combined.compile(loss: BinaryCrossentropy(), optimizer: RMSprop(learningRate: 0.001))
        return (generator, discriminator, combined)
    }

    /// One iteration of the notebook's loop against Keras in float64. The discriminator's step
    /// (its loss, gradients and weights after RMSprop) and the generator's loss are held to
    /// float32 rounding. The gradient at the generated images (D's input gradient) too, except
    /// where a ReLU unit or a max-pool window in D sits at a near-tie that float32 decides the
    /// other way (8 of 6,272 values here, all in one first-layer receptive field): to keep that
    /// one difference from blurring every later comparison, G's backward pass and its RMSprop
    /// step are checked from Keras's own gradient at the images. `PARITY_REPORT=1` prints figures.
    @Test func oneIterationOfTheNotebooksLoopMatchesKeras() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.goldenURL)) as? [String: Any])
        let half = try #require(root["half_batch"] as? Int)
        let golden = try #require(root["weights"] as? [[String: Any]])
        let (generator, discriminator, combined) = try Self.notebookModels()
        _ = HashedStart.initialise(discriminator, firstK: HashedStart.initialise(generator, firstK: 0))
        let z = Tensor(shape: [half, 10], scalars: HashedStart.hashedUniform(half * 10, 1001).map { Float($0) })
        let real = Tensor(shape: [half, 28, 28, 1], scalars: HashedStart.hashedUniform(half * 784, 2001).map { Float($0) })

        // D's own step, through trainOnBatch.
        let dLoss = try discriminator.trainOnBatch(Tensor.concatenatingRows([try generator.predict(z), real]),
                                                   Tensor(shape: [2 * half], scalars: [Float](repeating: 0, count: half) + [Float](repeating: 1, count: half)))
        #expect(abs(Double(dLoss) - (try #require(root["discriminator_loss"] as? Double))) <= 1e-6, "D loss \(dLoss)")
        let goldenD = Array(golden.suffix(discriminator.parameters.count)), goldenG = Array(golden.prefix(generator.parameters.count))
        try #require(goldenG.count + goldenD.count == golden.count && golden.count == generator.parameters.count + discriminator.parameters.count)
        for (parameter, entry) in zip(discriminator.parameters, goldenD) {
            let path = try Self.path(entry, parameter)
            expectMatchesGolden(parameter.value, try GoldenSummary(entry["value"]), median: 1e-6, outlier: 1e-4, sum: 1e-6, path)
            expectMatchesGolden(parameter.gradient, try GoldenSummary(entry["gradient"]), median: 1e-5, outlier: 1e-3, sum: 1e-5, "∂" + path)
        }

        // G's step: the gradient at the images, then G's backward pass from Keras's gradient there.
        let generatorWeights = generator.parameters.map(\.value)
        let images = generator.forward(z, training: true)
        let (gLoss, lossGradient) = try BinaryCrossentropy()(predictions: discriminator.forward(images, training: true), target: 1)
        #expect(abs(Double(gLoss) - (try #require(root["generator_loss"] as? Double))) <= 1e-6, "G loss \(gLoss)")
        let kerasGradient = try #require(root["output_gradient"] as? [Double])
        let ours = try #require(discriminator.backward(lossGradient, needsInputGradient: true, accumulateParameterGradients: false))
        let scale = kerasGradient.reduce(0) { $0 + abs($1) } / Double(kerasGradient.count)
        let differences = zip(ours.scalars, kerasGradient).map { abs(Double($0) - $1) / scale }.sorted()
        #expect(differences[differences.count / 2] <= 1e-5 && differences.filter { $0 > 1e-2 }.count <= kerasGradient.count / 200,
                "gradient at the images: median \(differences[differences.count / 2]), \(differences.filter { $0 > 1e-2 }.count) far off")
        for parameter in generator.parameters { parameter.zeroGradient() }
        generator.backward(Tensor(shape: images.shape, scalars: kerasGradient.map(Float.init)))
        try RMSprop(learningRate: 0.001).update(generator.trainableParameters)
        for (parameter, entry) in zip(generator.parameters, goldenG) {
            let path = try Self.path(entry, parameter)
            expectMatchesGolden(parameter.value, try GoldenSummary(entry["value"]), median: 1e-5, outlier: 1e-3, sum: 1e-5, path)
            if parameter.isTrainable {
                expectMatchesGolden(parameter.gradient, try GoldenSummary(entry["gradient"]), median: 1e-5, outlier: 1e-3, sum: 1e-5, "∂" + path)
            }
        }

        // The same step through the combined model's trainOnBatch, from the same start.
        for (parameter, value) in zip(generator.parameters, generatorWeights) { parameter.value = value }
        let discriminatorWeights = discriminator.parameters.map(\.value)
        let combinedLoss = try combined.trainOnBatch(z, Tensor(shape: [half], repeating: 1))
        #expect(abs(Double(combinedLoss) - Double(gLoss)) <= 1e-6)
        #expect(discriminator.parameters.map(\.value) == discriminatorWeights, "the combined model leaves D alone")
    }

    static func path(_ entry: [String: Any], _ parameter: Parameter) throws -> String {
        let path = try #require(entry["path"] as? String)
        try #require(path.hasSuffix("/" + parameter.name) && (entry["shape"] as? [Int]) == parameter.value.shape, "\(path) is \(parameter.name)")
        return path
    }

    /// Compiling fixes which weights a model updates: the combined model (compiled after
    /// `discriminator.trainable = false`) changes only the generator, the discriminator's own
    /// `trainOnBatch` still changes the discriminator, and the generator's own optimizer is
    /// never used by the loop.
    @Test func compilingFixesWhichWeightsEachModelUpdates() throws {
        let (generator, discriminator, combined) = try Self.notebookModels()
        func snapshot(_ model: Sequential) -> [Tensor] { model.parameters.map(\.value) }
        let z = RandomGenerator(seed: 5).uniformTensor(shape: [4, 10], low: 0, high: 1)
        let (g0, d0) = (snapshot(generator), snapshot(discriminator))
        _ = try combined.trainOnBatch(z, Tensor(shape: [4], repeating: 1))
        #expect(snapshot(discriminator) == d0, "the combined model left D alone")
        // It passed the gradient through D without computing D's own (they stay zero), and G's are there.
        #expect(discriminator.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } })
        #expect(generator.trainableParameters.contains { $0.gradient.scalars.contains { $0 != 0 } })
        #expect(snapshot(generator) != g0, "the combined model trained G")
        let g1 = snapshot(generator)
        _ = try discriminator.trainOnBatch(try generator.predict(z), Tensor(shape: [4], repeating: 0))
        #expect(snapshot(discriminator) != d0, "D's own compile still trains D after trainable = false")
        #expect(snapshot(generator) == g1, "D's training left G alone")
        #expect(combined.summary().trainableParameters == generator.trainableParameters.reduce(0) { $0 + $1.value.count })
        // A model compiled after it was frozen updates nothing.
        try discriminator.compile(loss: BinaryCrossentropy(), optimizer: RMSprop())
        let d1 = snapshot(discriminator)
        _ = try discriminator.trainOnBatch(try generator.predict(z), Tensor(shape: [4], repeating: 0))
        #expect(snapshot(discriminator) == d1)
    }

    @Test func mistakesAreErrorsThatSayWhat() throws {
        let random = RandomGenerator(seed: 2)
        let model = try Sequential("D", inputShape: [3], random: random) { Dense(1, activation: .sigmoid) }
        let x = Tensor(shape: [2, 3], repeating: 0.5)
        #expect(throws: NeuralNetError("D was never compiled: call D.compile(loss:optimizer:) before trainOnBatch")) {
            _ = try model.trainOnBatch(x, Tensor(shape: [2], repeating: 1))
        }
        try model.compile(loss: BinaryCrossentropy(), optimizer: RMSprop())
        #expect(throws: NeuralNetError("D.trainOnBatch got 3 targets for 2 inputs; it needs 2 (one per output value)")) {
            _ = try model.trainOnBatch(x, Tensor(shape: [3], repeating: 1))
        }
        #expect(throws: NeuralNetError.self) { _ = try model.trainOnBatch(Tensor(shape: [2, 4], repeating: 0), Tensor(shape: [2], repeating: 1)) }
        // A nested model takes exactly its own input shape.
        #expect(throws: NeuralNetError.self) { _ = try Sequential("bad", inputShape: [5], random: random, layers: [NestedModel(model)]) }
        // Frozen with batch normalisation: Keras would switch it to inference mode; we say so.
        let normalised = try Sequential("N", inputShape: [3], random: random) { Dense(3); BatchNormalization() }
        let stacked = try Sequential("S", inputShape: [3], random: random, layers: [NestedModel(normalised), NestedModel(model)])
        normalised.trainable = false
        #expect(throws: NeuralNetError.self) { try stacked.compile(loss: BinaryCrossentropy(), optimizer: RMSprop()) }
    }
}
