import Foundation
import NeuralNet
import Quality
import Raster
import Report
import SwiftSyntax

extension Vocabulary {
    /// `compareGANs([gan, dcgan], names: […], batchSize:, steps:)`: a table of the GANs' sizes and
    /// their training-step time measured on this computer, for the chapter's Dense vs DCGAN
    /// comparison. Timing runs a few steps on random batches and then restores each GAN exactly
    /// (weights, optimizer state, random position), so the lab's results do not change.
    ///
    /// `compareTrainedGANs([gan, dcgan], histories: […], names: […], samples:)`: the chapter's
    /// comparison table filled from the real runs: quality of `samples` fresh samples (FID, IS,
    /// precision, recall), parameters, seconds per epoch as the training measured them, and mode
    /// collapse over the evaluations made during training; then the measures in full beside real
    /// digits, and the last epoch's samples side by side.
    static var comparison: VocabularyDomain { VocabularyDomain(functions: [
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
                rows.append([label.shortPrinted, groupThousands(gan.generator.parameterCount), groupThousands(gan.discriminator.parameterCount),
                             String(format: "%.1f", gan.stepMatrixFLOPs(batch: batch) / 1e9), String(format: "%.1f", seconds * 1000),
                             String(format: "%.0f s", perEpoch)])
            }
            evaluator.environment.append(.table(TableOutput(
                caption: "Measured on this computer (\(MachineDescription.current))",
                headers: ["model", "G params", "D params", "GFLOP / step", "ms / step", "epoch (\(groupThousands(images)) images)"],
                rows: rows, numericColumns: [1, 2, 3, 4, 5],
                footer: ["batch \(batch); median of \(steps) timed training steps after two warm-up steps, on random batches"])))
            return .void
        }),
        "compareTrainedGANs": ([.init(nil, .any), .init("histories", .any), .init("names", .any), .init("samples", .int, .int(10_000))],
                               { args, call, evaluator in
            guard case .array(let items) = args[0], case .array(let runs) = args["histories"], case .array(let labels) = args["names"],
                  !items.isEmpty, items.count <= 4, runs.count == items.count, labels.count == items.count else {
                throw evaluator.error(at: call, "compareTrainedGANs expects one to four GANs, as many histories: and as many names:")
            }
            let gans = try items.map { try ganArgument($0, call, evaluator) }
            let histories = try evaluatedHistories(.array(runs), call, evaluator)
            let names = labels.map(\.shortPrinted)
            let count = args.int("samples")
            guard (100...100_000).contains(count) else { throw evaluator.error(at: call, "samples: takes 100 to 100,000, got \(count)") }
            let environment = evaluator.environment
            // Drawn before the replay check, so the run's random state is the same either way.
            let generated = try gans.map { try generatedDigits($0, count: count, call, evaluator) }
            if environment.isReplaying || environment.checkOnly { return .void }
            try wrap(call, evaluator) {
                let setup = try environment.preparedEvaluator()
                let measures = try generated.map { try QualityMeasures.measure($0, evaluator: setup.evaluator, reference: setup.reference) }
                environment.append(.table(chapterTable(gans, histories, names, measures, setup: setup)))
                let training = setup.trainingImages
                let real = try QualityMeasures.measure(training.rows(0..<min(count, training.batchSize)), evaluator: setup.evaluator,
                                                       reference: setup.reference)
                environment.append(.table(qualityTable([("real digits (training images)", real)] + Array(zip(names, measures)), setup: setup)))
            }
            try addFigure(try lastSamplesSideBySide(histories, names: names, call, evaluator),
                          caption: "Last epoch's samples: " + names.joined(separator: " | "), call, evaluator)
            return .void
        }),
    ]) }

    /// The chapter's four rows (항목 × model), each cell from a measurement.
    private static func chapterTable(_ gans: [NeuralNet.GAN], _ histories: [GANHistory], _ names: [String],
                                     _ measures: [QualityMeasures], setup: EvaluatorSetup) -> TableOutput {
        let quality = measures.map { String(format: "FID %.1f · IS %.2f · precision %.2f · recall %.2f", $0.fid, $0.inceptionScore, $0.precision, $0.recall) }
        let parameters = gans.map {
            "\(groupThousands($0.generator.parameterCount + $0.discriminator.parameterCount)) (G \(groupThousands($0.generator.parameterCount)) + D \(groupThousands($0.discriminator.parameterCount)))"
        }
        let epochTimes = histories.map { h -> String in
            let seconds = h.trainingSeconds(through: h.completedEpochs) / Double(max(h.completedEpochs, 1))
            return String(format: "%.1f s", seconds) + (h.completedEpochs == 1 ? " (1 epoch)" : " (mean of \(h.completedEpochs) epochs)")
        }
        let collapse = histories.map { h -> String in
            let collapsed = h.evaluations.filter(\.isCollapsed).count
            let lowest = h.evaluations.min { ($0.classesCovered, -$0.largestClassShare) < ($1.classesCovered, -$1.largestClassShare) }!
            return "collapsed in \(collapsed) of \(h.evaluations.count) evaluations; lowest coverage \(lowest.classesCovered)/10 classes (epoch \(lowest.epoch))"
        }
        let sampleCounts = Set(histories.flatMap { $0.evaluations.map(\.samples) }).sorted().map(groupThousands).joined(separator: ", ")
        return TableOutput(
            caption: "The chapter's comparison, measured on this computer (\(MachineDescription.current))",
            headers: ["항목"] + names,
            rows: [["생성 이미지 품질"] + quality, ["파라미터 수"] + parameters, ["학습 시간/에포크"] + epochTimes, ["Mode Collapse 빈도"] + collapse],
            numericColumns: [],
            footer: ["Quality: \(groupThousands(measures.first?.samples ?? 0)) samples from each final generator against \(groupThousands(setup.reference.count)) test images "
                     + "(FID lower is better; IS, precision, recall higher). Epoch time: training only, as measured while training. "
                     + "Mode collapse: evaluations made during training (\(sampleCounts) samples each); one counts as collapsed when fewer than "
                     + "10 classes have 2 % of the samples each, or one class has more than 30 %. Evaluator trained on \(setup.dataDescription)."])
    }

    /// Each history's last-epoch monitor samples as a 4×4 grid, the grids in one row.
    private static func lastSamplesSideBySide(_ histories: [GANHistory], names: [String], _ call: FunctionCallExprSyntax,
                                              _ evaluator: Evaluator) throws -> Canvas {
        let grids = try zip(histories, names).map { history, name -> Canvas in
            let (images, side, _) = try gridImages(.tensor(history.epochSamples[history.completedEpochs - 1]), call, evaluator)
            return ImageGrid(images: Array(images.prefix(16)), imageWidth: side, imageHeight: side, rows: 4, columns: 4,
                             vmin: -1, vmax: 1, scale: 3, padding: 6, title: "\(name), epoch \(history.completedEpochs)").render()
        }
        var canvas = Canvas(width: grids.map(\.width).reduce(0, +) + 24 * (grids.count - 1), height: grids.map(\.height).max() ?? 0)
        var x = 0
        for grid in grids {
            canvas.draw(grid, atX: x, y: 0)
            x += grid.width + 24
        }
        return canvas
    }

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
