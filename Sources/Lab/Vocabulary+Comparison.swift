import Foundation
import NeuralNet
import Report

extension Vocabulary {
    /// `compareGANs([gan, dcgan], names: […], batchSize:, steps:)`: a table of the GANs' sizes and
    /// their training-step time measured on this computer, for the chapter's Dense vs DCGAN
    /// comparison. Timing runs a few steps on random batches and then restores each GAN exactly
    /// (weights, optimizer state, random position), so the lab's results do not change.
    static var comparisonFunctions: [String: ([ParameterSpec], Implementation)] { [
        "compareGANs": ([.init(nil, .any), .init("names", .any), .init("batchSize", .int, .int(256)), .init("steps", .int, .int(3)),
                         .init("images", .int, .int(60_000))], { args, call, evaluator in
            guard case .array(let items) = args[0], case .array(let labels) = args["names"], items.count == labels.count, !items.isEmpty else {
                throw evaluator.error(at: call, "compareGANs expects an array of GANs and as many names:")
            }
            let gans: [NeuralNet.GAN] = try items.map {
                guard case .gan(let gan) = $0 else { throw evaluator.error(at: call, "compareGANs expects GANs, got \($0.typeName)") }
                return gan
            }
            let batch = args.int("batchSize"), steps = args.int("steps"), images = args.int("images")
            guard batch > 0, steps > 0, images > 0 else { throw evaluator.error(at: call, "batchSize:, steps: and images: must be positive") }
            guard steps <= 1_000 else { throw evaluator.error(at: call, "steps: takes at most 1,000 timed steps, got \(steps)") }
            try wrap(call, evaluator) {
                for gan in gans {
                    try gan.generator.checkBatchFits(batch)
                    try gan.discriminator.checkBatchFits(batch)
                }
            }
            // Replaying a cached step: its table comes from the cache; do not time again.
            if evaluator.environment.isReplaying { return .void }
            var rows: [[String]] = []
            for (gan, label) in zip(gans, labels) {
                let seconds = measureStep(gan, batch: batch, steps: steps, stop: evaluator.environment.interruption)
                let perEpoch = seconds * Double(images / batch)
                rows.append([label.printed, groupThousands(gan.generator.parameterCount), groupThousands(gan.discriminator.parameterCount),
                             String(format: "%.1f", gan.stepMatrixFLOPs(batch: batch) / 1e9), String(format: "%.1f", seconds * 1000),
                             String(format: "%.0f s", perEpoch)])
            }
            evaluator.environment.outputs.append(.table(TableOutput(
                caption: "Measured on this computer (\(MachineDescription.current))",
                headers: ["model", "G params", "D params", "GFLOP / step", "ms / step", "epoch (\(groupThousands(images)) images)"],
                rows: rows, numericColumns: [1, 2, 3, 4, 5],
                footer: ["batch \(batch); median of \(steps) timed training steps after two warm-up steps, on random batches"])))
            return .void
        }),
    ] }

    /// The median wall time of a full training step, leaving the GAN exactly as it was.
    private static func measureStep(_ gan: NeuralNet.GAN, batch: Int, steps: Int, stop: (() -> Bool)?) -> Double {
        let saved = gan.checkpoint()
        defer { try? gan.restore(saved) }
        let real = RandomGenerator(seed: 1).uniformTensor(shape: [batch] + gan.discriminator.inputShape, low: -1, high: 1)
        for _ in 0..<2 { _ = gan.trainStep(real: real) }
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<steps where !(stop?() ?? false) {
            let elapsed = clock.measure { _ = gan.trainStep(real: real) }
            times.append(elapsed.inSeconds)
        }
        return times.isEmpty ? 0 : times.sorted()[times.count / 2]
    }
}
