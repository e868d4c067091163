import NeuralNet
import Testing

/// Model building: shapes, names, summaries, and thrown errors for what a lab can get wrong.
@Suite struct SequentialTests {
    @Test func generatorSummaryReadsLikeKeras() throws {
        let summary = try ChapterModels.denseGenerator(random: RandomGenerator(seed: 1)).summary()
        let text = summary.description
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Model: \"Generator\"")
        #expect(summary.rows.map(\.name) == [
            "dense", "batch_normalization", "leaky_re_lu", "dense_1", "batch_normalization_1", "leaky_re_lu_1",
            "dense_2", "batch_normalization_2", "leaky_re_lu_2", "image_output",
        ])
        #expect(summary.rows.map(\.parameters) == [25_856, 1_024, 0, 131_584, 2_048, 0, 525_312, 4_096, 0, 803_600])
        #expect(text.contains("│ dense (Dense)"))
        #expect(text.contains("(None, 784)"))
        #expect(lines.suffix(3) == [
            " Total params: 1,493,520 (5.70 MB)",
            " Trainable params: 1,489,936 (5.68 MB)",
            " Non-trainable params: 3,584 (14.00 KB)",
        ])
        // Every table line has the same width.
        let table = lines.dropFirst().prefix(while: { !$0.hasPrefix(" ") })
        #expect(Set(table.map(\.count)).count == 1)
    }

    @Test func shapesAreInferredThroughTheStack() throws {
        let model = try Sequential("shapes", inputShape: [12], random: RandomGenerator(seed: 1)) {
            Dense(24)
            Reshape([2, 3, 4])
            BatchNormalization()
            Flatten()
            Dense(1, activation: .sigmoid)
        }
        #expect(model.outputShapes == [[24], [2, 3, 4], [2, 3, 4], [24], [1]])
        #expect(model.summary().rows[2].parameters == 16, "4 numbers per channel")
        let output = try model(Tensor(shape: [5, 12], repeating: 0.5))
        #expect(output.shape == [5, 1])
    }

    @Test func aLayerThatCannotTakeItsInputNamesBothShapes() {
        #expect {
            _ = try Sequential("bad", inputShape: [7, 7, 1], random: RandomGenerator(seed: 1)) { Dense(10) }
        } throws: { error in
            let message = "\(error)"
            return message.contains("dense") && message.contains("(None, 7, 7, 1)") && message.contains("Flatten")
        }
        #expect {
            _ = try Sequential("bad", inputShape: [10], random: RandomGenerator(seed: 1)) { Reshape([3, 3]) }
        } throws: { error in "\(error)".contains("(None, 10)") && "\(error)".contains("(None, 3, 3)") }
    }

    @Test func badSettingsAreThrownErrorsThatNameTheValue() throws {
        let random = RandomGenerator(seed: 1)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { _ = try Sequential("m", inputShape: [4], random: random) { Dense(-3) } }
            .contains("Dense expects a positive unit count, got -3"))
        #expect(message { _ = try Sequential("m", inputShape: [4], random: random) { Dropout(1.0) } }
            .contains("got 1.0"))
        #expect(message { _ = try Sequential("m", inputShape: [4], random: random) { Dropout(-0.1) } }
            .contains("got -0.1"))
        #expect(message { _ = try Sequential("m", inputShape: [0], random: random) { Dense(1) } }.contains("[0]"))
        #expect(message { _ = try Adam(learningRate: 0) }.contains("got 0.0"))
        #expect(message { _ = try RMSprop(learningRate: -1e-3) }.contains("got -0.001"))
        #expect(message { _ = try SGD(learningRate: .nan) }.contains("nan"))
        #expect(message { _ = try Batches(Tensor(shape: [4, 2]), batchSize: 0) }.contains("got 0"))
        let model = try Sequential("m", inputShape: [4], random: random) { Dense(2) }
        #expect(message { _ = try model(Tensor(shape: [3, 5])) }.contains("(None, 4)"))
    }

    @Test func sameSeedBuildsTheSameWeights() throws {
        func weights(_ seed: UInt64) throws -> [Tensor] {
            try ChapterModels.denseDiscriminator(random: RandomGenerator(seed: seed)).parameters.map(\.value)
        }
        #expect(try weights(7) == weights(7))
        #expect(try weights(7) != weights(8))
    }

    @Test func glorotUniformStaysWithinItsLimit() throws {
        let model = try Sequential("m", inputShape: [100], random: RandomGenerator(seed: 1)) { Dense(300) }
        let kernel = model.parameters[0].value
        let limit = (6 / Float(400)).squareRoot()
        let range = try #require(kernel.range)
        #expect(range.min >= -limit && range.max <= limit)
        #expect(range.min < -0.9 * limit && range.max > 0.9 * limit)
        #expect(abs(kernel.mean) < 0.005)
        #expect(model.parameters[1].value == Tensor(shape: [300]), "zero bias")
    }
}
