@testable import NeuralNet
import Testing

/// The conditional GAN's label plumbing: which one-hot code reaches G and D, row by row.
@Suite struct ConditionalGANTests {
    /// Passes its input through and keeps it, per slot.
    final class Recorder: Layer {
        var name = "recorder"
        let typeName = "Recorder"
        var inputs: [Int: Tensor] = [:]
        func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] { inputShape }
        func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
            inputs[slot] = input
            return input
        }
        func backward(_ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool) -> Tensor? {
            outputGradient
        }
    }

    static func codes(_ tensor: Tensor, classes: Int = 10) -> [[Float]] {
        (0..<tensor.batchSize).map { row in Array(tensor.scalars[(row * tensor.itemSize + tensor.itemSize - classes)..<((row + 1) * tensor.itemSize)]) }
    }

    func conditionalGAN() throws -> (GAN, Recorder, Recorder, Recorder) {
        let random = RandomGenerator(seed: 3)
        let (gRecorder, dRecorder, outputRecorder) = (Recorder(), Recorder(), Recorder())
        let generator = try Sequential("G", inputShape: [12], random: random, layers: [gRecorder, Dense(4, activation: .tanh), outputRecorder])
        let discriminator = try Sequential("D", inputShape: [14], random: random, layers: [dRecorder, Dense(1, activation: .sigmoid)])
        let gan = try GAN(generator: generator, discriminator: discriminator, generatorOptimizer: SGD(), discriminatorOptimizer: SGD(),
                          loss: BinaryCrossentropy(), classes: 10, random: random)
        return (gan, gRecorder, dRecorder, outputRecorder)
    }

    /// D sees each real item with its own label; G gets noise with the real batch's codes, and D
    /// judges each fake item with the code G was given; G's gradient leaves out the code columns.
    @Test func theRealBatchsClassesReachGeneratorAndDiscriminator() throws {
        let (gan, gRecorder, dRecorder, outputRecorder) = try conditionalGAN()
        #expect(gan.latentDimension == 2)
        let labels = [3, 1, 4, 1, 5, 9, 2, 6]
        let real = try gan.conditionedData(gan.random.uniformTensor(shape: [8, 4], low: -1, high: 1), labels: labels)
        #expect(real.shape == [8, 14])
        _ = gan.trainStep(real: real)
        let expected = labels.map { label in (0..<10).map { Float($0 == label ? 1 : 0) } }
        #expect(Self.codes(try #require(dRecorder.inputs[0])) == expected)
        #expect(Self.codes(try #require(dRecorder.inputs[1])) == expected)
        #expect(Self.codes(try #require(gRecorder.inputs[0])) == expected)
        // The fake half is G's output followed by the code.
        let generated = try #require(outputRecorder.inputs[0]), judged = try #require(dRecorder.inputs[1])
        #expect((0..<8).allSatisfy { row in Array(judged.scalars[(row * 14)..<(row * 14 + 4)]) == Array(generated.scalars[(row * 4)..<(row * 4 + 4)]) })
    }

    @Test func noiseCarriesOneClassPerSampleAndChosenClassesOnRequest() throws {
        let (gan, _, _, _) = try conditionalGAN()
        let noise = gan.noise(count: 200)
        #expect(noise.shape == [200, 12])
        let codes = Self.codes(noise)
        #expect(codes.allSatisfy { $0.filter { $0 == 1 }.count == 1 && $0.filter { $0 == 0 }.count == 9 })
        #expect(Set(codes.map { $0.firstIndex(of: 1)! }).count == 10)
        #expect(Self.codes(gan.noise(classes: [7, 0])) == [(0..<10).map { Float($0 == 7 ? 1 : 0) }, (0..<10).map { Float($0 == 0 ? 1 : 0) }])
    }

    @Test func mistakesAreErrorsThatSayWhat() throws {
        let (gan, _, _, _) = try conditionalGAN()
        let items = Tensor(shape: [8, 4])
        #expect(throws: NeuralNetError.self) { try gan.train(on: items, epochs: 1, batchSize: 4) }
        #expect(throws: NeuralNetError.self) { try gan.train(on: items, labels: [0, 1, 2, 3, 4, 5, 6, 10], epochs: 1, batchSize: 4) }
        #expect(throws: NeuralNetError.self) { try gan.train(on: items, labels: [0, 1], epochs: 1, batchSize: 4) }
        let history = try gan.train(on: items, labels: [0, 1, 2, 3, 4, 5, 6, 7], epochs: 1, batchSize: 4)
        #expect(history.completedEpochs == 1)
        let random = RandomGenerator(seed: 1)
        let g = try Sequential("G", inputShape: [12], random: random, layers: [Dense(4)])
        let d = try Sequential("D", inputShape: [4], random: random, layers: [Dense(1)])
        do {
            _ = try GAN(generator: g, discriminator: d, generatorOptimizer: SGD(), discriminatorOptimizer: SGD(), loss: BinaryCrossentropy(),
                        classes: 10, random: random)
            Issue.record("expected an error")
        } catch let error as NeuralNetError {
            #expect(error.message.contains("D must take (None, 14)"), "\(error.message)")
        }
    }
}
