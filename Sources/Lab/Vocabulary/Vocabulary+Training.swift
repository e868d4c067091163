import Foundation
import NeuralNet
import SwiftSyntax

extension Vocabulary {
    /// Losses, optimizers, the GAN, its training and the history it returns.
    static var training: VocabularyDomain { VocabularyDomain(
        functions: [
            "BinaryCrossentropy": ([.init("fromLogits", .bool, .bool(false)), .init("labelSmoothing", .number, .double(0))], { args, call, evaluator in
                try wrap(call, evaluator) {
                    .loss(try NeuralNet.BinaryCrossentropy(fromLogits: args.bool("fromLogits"), labelSmoothing: args.float("labelSmoothing")))
                }
            }),
            "Adam": ([.init("learningRate", .number, .double(1e-3)), .init("beta1", .number, .double(0.9)), .init("beta2", .number, .double(0.999))],
                     { args, call, evaluator in
                try wrap(call, evaluator) {
                    .optimizer(try NeuralNet.Adam(learningRate: args.float("learningRate"), beta1: args.float("beta1"), beta2: args.float("beta2")))
                }
            }),
            "RMSprop": ([.init("learningRate", .number, .double(1e-3)), .init("rho", .number, .double(0.9))], { args, call, evaluator in
                try wrap(call, evaluator) { .optimizer(try NeuralNet.RMSprop(learningRate: args.float("learningRate"), rho: args.float("rho"))) }
            }),
            "SGD": ([.init("learningRate", .number, .double(0.01)), .init("momentum", .number, .double(0))], { args, call, evaluator in
                try wrap(call, evaluator) { .optimizer(try NeuralNet.SGD(learningRate: args.float("learningRate"), momentum: args.float("momentum"))) }
            }),
            "GAN": ([.init("generator", .any), .init("discriminator", .any), .init("generatorOptimizer", .any),
                     .init("discriminatorOptimizer", .any), .init("loss", .any), .init("classes", .int, .int(0))], { args, call, evaluator in
                guard case .model(let g) = args["generator"], case .model(let d) = args["discriminator"] else {
                    throw evaluator.error(at: call, "GAN expects Sequential models for generator: and discriminator:")
                }
                guard case .optimizer(let go) = args["generatorOptimizer"], case .optimizer(let dopt) = args["discriminatorOptimizer"] else {
                    throw evaluator.error(at: call, "GAN expects optimizers such as Adam(…) for generatorOptimizer: and discriminatorOptimizer:")
                }
                let (objective, loss) = try ganObjective(args["loss"], call, evaluator)
                if let advice = NeuralNet.GAN.lossAdvice(discriminator: d, objective: objective, loss: loss) {
                    evaluator.environment.advise(advice)
                }
                return try wrap(call, evaluator) {
                    .gan(try NeuralNet.GAN(generator: g, discriminator: d, generatorOptimizer: go, discriminatorOptimizer: dopt,
                                           loss: loss, objective: objective, classes: args.int("classes"), random: evaluator.environment.random))
                }
            }),
        ],
        methods: [
            "GAN": ["train": { value, call, evaluator in try train(gan(value), call, evaluator) }],
            "History": [
                "samples": { value, call, evaluator in
                    let run = history(value)
                    let args = try Arguments(call, function: "samples", specs: [.init("epoch", .int)], evaluator)
                    let epoch = args.int("epoch")
                    guard (1...max(run.completedEpochs, 1)).contains(epoch), run.completedEpochs > 0 else {
                        throw evaluator.error(at: call, "samples(epoch:) takes an epoch from 1 to \(run.completedEpochs), got \(epoch)")
                    }
                    return .tensor(run.epochSamples[epoch - 1])
                },
            ],
        ],
        properties: [
            "History": [
                "generatorLosses": { value, _, _ in .array(history(value).generatorLosses.map { .double(Double($0)) }) },
                "discriminatorLosses": { value, _, _ in .array(history(value).discriminatorLosses.map { .double(Double($0)) }) },
                "stepGeneratorLosses": { value, _, _ in .array(history(value).stepGeneratorLosses.map { .double(Double($0)) }) },
                "stepDiscriminatorLosses": { value, _, _ in .array(history(value).stepDiscriminatorLosses.map { .double(Double($0)) }) },
                "epochSeconds": { value, _, _ in .array(history(value).epochSeconds.map(Value.double)) },
                "completedEpochs": { value, _, _ in .int(history(value).completedEpochs) },
            ],
        ]) }

    /// Advice when the training data lie outside the values G can make (images of 0…255 for a
    /// G that ends with tanh): G could never make such images, and D tells fakes by their range.
    /// Nil when they lie within, or G's range is unbounded.
    static func rangeAdvice(_ data: Tensor, generator: Sequential) -> String? {
        guard let activation = generator.outputActivation, let made = activation.boundedRange,
              let (low, high) = data.range, low.isFinite, high.isFinite else { return nil }
        let slack: Float = 1e-3
        guard low < made.lowerBound - slack || high > made.upperBound + slack else { return nil }
        let scaled = made == -1...1 ? "minusOneToOne" : made == 0...1 ? "zeroToOne" : nil
        return "the training data lie in [\(Value.format(Double(low))), \(Value.format(Double(high)))], but \(generator.name) ends with \(activation.kerasName), "
            + "whose values lie in [\(Value.format(Double(made.lowerBound))), \(Value.format(Double(made.upperBound)))]: it can never make such data, and "
            + "the discriminator tells its fakes from their range alone"
            + (scaled.map { "; scale the data set to its range first, as data.scaled(to: .\($0))" } ?? "")
    }

    /// The chapter's line for one epoch: its mean losses and the seconds of training so far
    /// ("에포크  3/30 | G: 1.2345 | D: 0.6789 | 31.8초").
    static func epochLine(_ epoch: Int, of epochs: Int, _ history: GANHistory) -> String {
        String(format: "에포크 %2d/%d | G: %.4f | D: %.4f | %.1f초", epoch, epochs, history.generatorLosses[epoch - 1],
               history.discriminatorLosses[epoch - 1], history.trainingSeconds(through: epoch))
    }

    /// `crossEntropy(targets, predictions)`: a loss applied as Keras's `cross_entropy(y_true, y_pred)`
    /// is, the mean over all elements, as a number.
    static func apply(_ loss: NeuralNet.BinaryCrossentropy, name: String, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        let args = try Arguments(call, function: name, specs: [.init(nil, .tensor), .init(nil, .tensor)], evaluator)
        guard case .tensor(let targets) = args[0], case .tensor(let predictions) = args[1] else { return .void }
        guard targets.count == predictions.count else {
            throw evaluator.error(at: call, "\(name) expects as many targets as predictions, got shapes \(targets.shape) and \(predictions.shape)")
        }
        guard predictions.scalars.allSatisfy(\.isFinite), targets.scalars.allSatisfy(\.isFinite) else {
            throw evaluator.error(at: call, "\(name) got a value that is not a finite number")
        }
        let matched = Tensor(shape: predictions.shape, scalars: targets.scalars)
        return .double(Double(loss(predictions: predictions, targets: matched).loss))
    }

    /// The objective and cross-entropy of `GAN(…, loss:)`: `BinaryCrossentropy()` is the
    /// non-saturating game, the `objectives` domain's values the others.
    private static func ganObjective(_ value: Value?, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> (GANObjective, BinaryCrossentropy) {
        switch value {
        case .loss(let crossEntropy)?: return (.nonSaturating, crossEntropy)
        case .ganLoss(let objective, let crossEntropy)?: return (objective, crossEntropy)
        default:
            throw evaluator.error(at: call, "GAN expects loss: BinaryCrossentropy() (the non-saturating game) or one of "
                + "MinimaxLoss(), LeastSquaresLoss(), HingeLoss(), WassersteinLoss(clip:), WassersteinGPLoss(lambda:)")
        }
    }

    /// `gan.train(data, epochs:, batchSize:, …)`: trains, logs one line per epoch to the step's
    /// output and a progress line to the console, and returns the history.
    private static func train(_ gan: NeuralNet.GAN, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        let args = try Arguments(call, function: "train", specs: [
            .init(nil, .tensor), .init("labels", .intArray, .array([])), .init("epochs", .int), .init("batchSize", .int), .init("realLabel", .number, .double(1)),
            .init("labelNoise", .number, .double(0)), .init("discriminatorSteps", .int, .int(1)),
            .init("evaluateEvery", .int, .int(0)), .init("evaluationSamples", .int, .int(2_000)),
            .init("labelFormula", .string, .string("standard")), .init("discriminatorLoss", .string, .string("sum")),
            .init("generatorAverage", .number, .double(0)), .init("featureMatching", .string, .string("")),
        ], evaluator)
        guard case .tensor(let data) = args[0] else { return .void }
        guard let formula = GANLabelFormula(rawValue: args.string("labelFormula")) else {
            throw evaluator.error(at: call, "labelFormula: takes \"standard\" or \"notebook\" (the 004 notebook's targets 1.1 + u and −0.1·u), "
                + "got \"\(args.string("labelFormula"))\"")
        }
        guard let reduction = GANDiscriminatorLoss(rawValue: args.string("discriminatorLoss")) else {
            throw evaluator.error(at: call, "discriminatorLoss: takes \"sum\" (the chapter) or \"mean\" (the 004 notebook), got \"\(args.string("discriminatorLoss"))\"")
        }
        let options = GANTrainingOptions(realLabel: args.float("realLabel"), labelNoise: args.float("labelNoise"),
                                         discriminatorSteps: args.int("discriminatorSteps"), labelFormula: formula, discriminatorLoss: reduction,
                                         generatorAverage: args.float("generatorAverage"),
                                         featureMatchingLayer: args.string("featureMatching").isEmpty ? nil : args.string("featureMatching"))
        let environment = evaluator.environment
        if let advice = rangeAdvice(data, generator: gan.generator) { environment.advise(advice) }
        let epochs = args.int("epochs")
        let monitor = gan.noise(count: 16)
        let history: Value
        if var replay = environment.replayTrainings {
            // A cached step: the recorded result and state instead of training again.
            guard !replay.isEmpty else { throw CacheReplayMismatch(reason: "the step trains more often than when it was cached") }
            let record = replay.removeFirst()
            environment.replayTrainings = replay
            do { try gan.restore(record.checkpoint) } catch { throw CacheReplayMismatch(reason: "\(error)") }
            // Drawn from below before the replay's end state is compared: checked first.
            if let problem = record.history.inconsistency(sampleShape: [monitor.shape[0]] + gan.generator.outputShape) {
                throw CacheReplayMismatch(reason: "the recorded history is inconsistent: \(problem)")
            }
            history = .history(record.history)
        } else {
            guard epochs > 0 else { throw evaluator.error(at: call, "epochs must be at least 1, got \(epochs)") }
            let evaluation = try trainingEvaluation(gan, every: args.int("evaluateEvery"), samples: args.int("evaluationSamples"), call, evaluator)
            // `lab check` trains one step only: enough to check every shape and setting. A step
            // takes a batch for each of D's steps (a WGAN's 5).
            let batchSize = args.int("batchSize")
            let checking = environment.checkOnly && batchSize > 0
            let perStep = batchSize.multipliedReportingOverflow(by: max(1, options.discriminatorSteps))
            let checkedItems = perStep.overflow ? data.batchSize : min(perStep.partialValue, data.batchSize)
            let allLabels = args.ints("labels")
            guard allLabels.isEmpty || allLabels.count == data.batchSize else {
                throw evaluator.error(at: call, "labels: has \(allLabels.count) labels for \(data.batchSize) items")
            }
            let labels: [Int]? = allLabels.isEmpty ? nil : Array(checking ? allLabels.prefix(checkedItems) : allLabels[...])
            history = try wrap(call, evaluator) {
                try gan.generator.checkBatchFits(batchSize)
                try gan.discriminator.checkBatchFits(batchSize)
                var result = try gan.train(
                    on: checking ? data.rows(0..<checkedItems) : data, labels: labels, epochs: checking ? 1 : epochs,
                    batchSize: batchSize, options: options, monitorNoise: monitor, evaluation: evaluation,
                    shouldStop: { environment.interruption?() ?? false },
                    progress: { environment.progress?($0) },
                    epochEnded: { epoch, sofar in environment.log?(epochLine(epoch, of: epochs, sofar)) })
                // `lab check` measures nothing but keeps the setting, for what reads it later.
                if checking { result.evaluationInterval = args.int("evaluateEvery") }
                return .history(result)
            }
            if case .history(let result) = history {
                environment.recordedTrainings.append(TrainingRecord(history: result, checkpoint: gan.checkpoint()))
            }
        }
        guard case .history(let result) = history else { return history }
        for epoch in 0..<result.completedEpochs {
            environment.print(epochLine(epoch + 1, of: epochs, result))
            if let quality = result.evaluations.first(where: { $0.epoch == epoch + 1 }) {
                environment.print("    " + describe(quality))
            }
        }
        if result.completedEpochs > 0 {
            let total = String(format: "총 학습 시간: %.1f초 (에포크 %d개)", result.trainingSeconds(through: result.completedEpochs), result.completedEpochs)
            environment.print(total)
            if !environment.isReplaying { environment.log?(total) }
        }
        if let first = result.evaluations.first, let setup = environment.evaluatorSetup {
            environment.print("    (quality: \(groupThousands(first.samples)) samples per evaluation against \(groupThousands(setup.reference.count)) "
                + "test images; evaluator trained on \(setup.dataDescription), "
                + String(format: "%.2f %% test accuracy)", 100 * setup.evaluator.testAccuracy))
        }
        if result.wasInterrupted { environment.print("학습이 중단되었습니다 (interrupted) after \(result.completedEpochs) epochs") }
        return history
    }
}
