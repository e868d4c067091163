import NeuralNet

extension LabCommand.Bench {
    /// One iteration of the `002_…` notebook's loop as `labs/conv-gan-rmsprop.md` runs it: predict
    /// 64 images from uniform vectors, train D on those and 64 real ones, train the combined
    /// model on the vectors (`--batch-size` does not apply: the notebook's 64 + 64).
    func timeClassicIteration() throws {
        let random = RandomGenerator(seed: 2024)
        let generator = try ChapterModels.classicGenerator(random: random)
        let discriminator = try ChapterModels.classicDiscriminator(random: random)
        try discriminator.compile(loss: BinaryCrossentropy(), optimizer: RMSprop(learningRate: 0.001))
        let combined = try Sequential("combined", inputShape: [10], random: random, layers: [NestedModel(generator), NestedModel(discriminator)])
        discriminator.trainable = false
        try combined.compile(loss: BinaryCrossentropy(), optimizer: RMSprop(learningRate: 0.001))
        let real = random.uniformTensor(shape: [64, 28, 28, 1], low: 0, high: 1)
        let targets = Tensor(shape: [128], scalars: [Float](repeating: 0, count: 64) + [Float](repeating: 1, count: 64))
        func iteration() throws {
            let input = random.uniformTensor(shape: [64, 10], low: 0, high: 1)
            _ = try discriminator.trainOnBatch(Tensor.concatenatingRows([try generator.predict(input), real]), targets)
            _ = try combined.trainOnBatch(input, Tensor(shape: [64], repeating: 1))
        }
        for _ in 0..<warmup { try iteration() }
        var failure: (any Error)?
        let (perIteration, best) = medianSeconds(of: steps) { do { try iteration() } catch { failure = error } }
        if let failure { throw failure }
        print("classic-iteration  \(fixed(perIteration * 1000, 2)) ms/iteration  \(fixed(1 / perIteration, 1)) iterations/s  "
            + "(fastest \(fixed(best * 1000, 2)) ms; the 002 notebook's loop, 64 generated + 64 real)")
        if layers {
            profileLayers(of: generator)
            profileLayers(of: discriminator)
        }
    }
}
