import Datasets
import Foundation
import NeuralNet
import Raster
import Report
import SwiftSyntax

extension Vocabulary {
    /// Data, losses, optimizers, GAN training.
    static var trainingFunctions: [String: ([ParameterSpec], Implementation)] { [
        "MNIST": ([.init("split", .any, .split(.train)), .init("path", .string, .string(""))], { args, call, evaluator in
            guard case .split(let split) = args["split"] else {
                throw evaluator.error(at: call, "MNIST expects split: .train or .test")
            }
            let path = try labDataPath(args.string("path"), call, evaluator)
            return try wrap(call, evaluator) {
                let search = DataSearch(labPath: path.isEmpty ? nil : path, option: evaluator.environment.dataFolder,
                                        environment: evaluator.environment.processEnvironment)
                evaluator.environment.inputs += search.candidates.flatMap { MNIST.probedPaths(in: $0, split: split) }.map(InputFingerprint.file)
                let (dataset, notice) = try search.loadMNISTOrBuiltIn(split: split, policy: evaluator.environment.readPolicy)
                if let notice { evaluator.environment.notice(notice) }
                return evaluator.environment.using(dataset)
            }
        }),
        "HandwrittenDigits": ([.init("split", .any, .split(.train)), .init("count", .int, .int(-1))], { args, call, evaluator in
            guard case .split(let split) = args["split"] else {
                throw evaluator.error(at: call, "HandwrittenDigits expects split: .train or .test")
            }
            let count = args.int("count")
            guard count == -1 || (1...HandwrittenDigits.maximumCount).contains(count) else {
                throw evaluator.error(at: call, "count must be from 1 to \(groupThousands(HandwrittenDigits.maximumCount)), got \(count)")
            }
            return evaluator.environment.using(Datasets.HandwrittenDigits.load(split: split, count: count == -1 ? nil : count))
        }),
        "CSVDigits": ([.init(nil, .string)], { args, call, evaluator in
            let path = try labDataPath(args.string("#0"), call, evaluator)
            evaluator.environment.inputs.append(.file(path))
            return try wrap(call, evaluator) { evaluator.environment.using(try Datasets.CSVDigits.load(path)) }
        }),
        "ImageFolder": ([.init(nil, .string), .init("size", .intArray), .init("color", .any, .colorMode(.gray))], { args, call, evaluator in
            let path = try labDataPath(args.string("#0"), call, evaluator)
            let size = args.ints("size")
            guard size.count == 2 else { throw evaluator.error(at: call, "size: takes [height, width], got \(size)") }
            guard case .colorMode(let color) = args["color"] else { throw evaluator.error(at: call, "color: takes .gray or .rgb") }
            evaluator.environment.inputs.append(.folder(path))
            return try wrap(call, evaluator) {
                evaluator.environment.using(try Datasets.ImageFolder.load(path, height: size[0], width: size[1], color: color,
                                                                          policy: evaluator.environment.readPolicy))
            }
        }),
        "BinaryCrossentropy": ([.init("fromLogits", .bool, .bool(false)), .init("labelSmoothing", .number, .double(0))], { args, call, evaluator in
            try wrap(call, evaluator) { .loss(try NeuralNet.BinaryCrossentropy(fromLogits: args.bool("fromLogits"), labelSmoothing: args.float("labelSmoothing"))) }
        }),
        "Adam": ([.init("learningRate", .number, .double(1e-3)), .init("beta1", .number, .double(0.9)), .init("beta2", .number, .double(0.999))], { args, call, evaluator in
            try wrap(call, evaluator) { .optimizer(try NeuralNet.Adam(learningRate: args.float("learningRate"), beta1: args.float("beta1"), beta2: args.float("beta2"))) }
        }),
        "RMSprop": ([.init("learningRate", .number, .double(1e-3)), .init("rho", .number, .double(0.9))], { args, call, evaluator in
            try wrap(call, evaluator) { .optimizer(try NeuralNet.RMSprop(learningRate: args.float("learningRate"), rho: args.float("rho"))) }
        }),
        "SGD": ([.init("learningRate", .number, .double(0.01)), .init("momentum", .number, .double(0))], { args, call, evaluator in
            try wrap(call, evaluator) { .optimizer(try NeuralNet.SGD(learningRate: args.float("learningRate"), momentum: args.float("momentum"))) }
        }),
        "GAN": ([.init("generator", .any), .init("discriminator", .any), .init("generatorOptimizer", .any),
                 .init("discriminatorOptimizer", .any), .init("loss", .any)], { args, call, evaluator in
            guard case .model(let g) = args["generator"], case .model(let d) = args["discriminator"] else {
                throw evaluator.error(at: call, "GAN expects Sequential models for generator: and discriminator:")
            }
            guard case .optimizer(let go) = args["generatorOptimizer"], case .optimizer(let dopt) = args["discriminatorOptimizer"] else {
                throw evaluator.error(at: call, "GAN expects optimizers such as Adam(…) for generatorOptimizer: and discriminatorOptimizer:")
            }
            guard case .loss(let loss) = args["loss"] else { throw evaluator.error(at: call, "GAN expects loss: BinaryCrossentropy()") }
            return try wrap(call, evaluator) {
                .gan(try NeuralNet.GAN(generator: g, discriminator: d, generatorOptimizer: go, discriminatorOptimizer: dopt,
                                       loss: loss, random: evaluator.environment.random))
            }
        }),
    ] }

    /// A data path a lab names: relative and below the current directory, so a lab from anyone
    /// reads nothing else on the computer.
    static func labDataPath(_ path: String, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> String {
        if path.hasPrefix("/") || path.hasPrefix("~") || path.split(separator: "/").contains("..") {
            throw evaluator.error(at: call, "a lab may read data only below the current directory, not '\(path)'; pass --data for MNIST elsewhere")
        }
        do {
            try evaluator.environment.readPolicy.check(path)
        } catch let failure as DatasetError {
            throw evaluator.error(at: call, failure.description)
        }
        return path
    }

    /// Turns a library error into a located one.
    static func wrap<T>(_ call: FunctionCallExprSyntax, _ evaluator: Evaluator, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as NeuralNetError {
            throw evaluator.error(at: call, failure.message)
        } catch let failure as DivergenceError {
            throw evaluator.error(at: call, failure.description)
        } catch let failure as DatasetError {
            throw evaluator.error(at: call, failure.description)
        }
    }

    /// Methods of data sets, tensors, GANs and histories.
    static func trainingMethod(_ name: String, on value: Value, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value? {
        switch (value, name) {
        case (.dataset(let data), "scaled"):
            let args = try Arguments(call, function: "scaled", specs: [.init("to", .any)], evaluator)
            guard case .pixelRange(let range) = args["to"] else { throw evaluator.error(at: call, "scaled expects to: .minusOneToOne or .zeroToOne") }
            return .dataset(data.scaled(to: range))
        case (.dataset(let data), "flattened"):
            _ = try Arguments(call, function: "flattened", specs: [], evaluator)
            return .tensor(data.flattenedImages)
        case (.dataset(let data), "prefix"):
            let args = try Arguments(call, function: "prefix", specs: [.init(nil, .int)], evaluator)
            return try wrap(call, evaluator) { .dataset(try data.prefix(args.int("#0"))) }
        case (.dataset(let data), "examples"):
            let args = try Arguments(call, function: "examples", specs: [.init("of", .intArray), .init("occurrence", .intArray)], evaluator)
            guard args.ints("of").count == args.ints("occurrence").count else {
                throw evaluator.error(at: call, "examples needs one occurrence per label")
            }
            return try wrap(call, evaluator) { .dataset(try data.examples(of: args.ints("of"), occurrence: args.ints("occurrence"))) }
        case (.gan(let gan), "train"):
            return try train(gan, call, evaluator)
        case (.history(let history), "samples"):
            let args = try Arguments(call, function: "samples", specs: [.init("epoch", .int)], evaluator)
            let epoch = args.int("epoch")
            guard (1...max(history.completedEpochs, 1)).contains(epoch), history.completedEpochs > 0 else {
                throw evaluator.error(at: call, "samples(epoch:) takes an epoch from 1 to \(history.completedEpochs), got \(epoch)")
            }
            return .tensor(history.epochSamples[epoch - 1])
        default:
            return nil
        }
    }

    /// `gan.train(data, epochs:, batchSize:, …)`: trains, logs one line per epoch to the step's
    /// output and a progress line to the console, and returns the history.
    private static func train(_ gan: NeuralNet.GAN, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        let args = try Arguments(call, function: "train", specs: [
            .init(nil, .tensor), .init("epochs", .int), .init("batchSize", .int), .init("realLabel", .number, .double(1)),
            .init("labelNoise", .number, .double(0)), .init("discriminatorSteps", .int, .int(1)),
            .init("evaluateEvery", .int, .int(0)), .init("evaluationSamples", .int, .int(2_000)),
        ], evaluator)
        guard case .tensor(let data) = args[0] else { return .void }
        let options = GANTrainingOptions(realLabel: args.float("realLabel"), labelNoise: args.float("labelNoise"),
                                         discriminatorSteps: args.int("discriminatorSteps"))
        let environment = evaluator.environment
        let epochs = args.int("epochs")
        let monitor = gan.noise(count: 16)
        let history: Value
        if var replay = environment.replayTrainings {
            // A cached step: the recorded result and state instead of training again.
            guard !replay.isEmpty else { throw CacheReplayMismatch(reason: "the step trains more often than when it was cached") }
            let record = replay.removeFirst()
            environment.replayTrainings = replay
            do { try gan.restore(record.checkpoint) } catch { throw CacheReplayMismatch(reason: "\(error)") }
            history = .history(record.history)
        } else {
            guard epochs > 0 else { throw evaluator.error(at: call, "epochs must be at least 1, got \(epochs)") }
            let evaluation = try trainingEvaluation(gan, every: args.int("evaluateEvery"), samples: args.int("evaluationSamples"), call, evaluator)
            // `lab check` trains on one batch only: enough to check every shape and setting.
            let batchSize = args.int("batchSize")
            let checking = environment.checkOnly && batchSize > 0
            history = try wrap(call, evaluator) {
                try gan.generator.checkBatchFits(batchSize)
                try gan.discriminator.checkBatchFits(batchSize)
                var result = try gan.train(
                    on: checking ? data.rows(0..<min(batchSize, data.batchSize)) : data, epochs: checking ? 1 : epochs,
                    batchSize: batchSize, options: options, monitorNoise: monitor, evaluation: evaluation,
                    shouldStop: { environment.interruption?() ?? false },
                    progress: { environment.progress?($0) })
                // `lab check` measures nothing but keeps the setting, for what reads it later.
                if checking { result.evaluationInterval = args.int("evaluateEvery") }
                return .history(result)
            }
            if case .history(let result) = history {
                environment.recordedTrainings.append(TrainingRecord(history: result, checkpoint: gan.checkpoint()))
            }
        }
        guard case .history(let result) = history else { return history }
        var total = 0.0
        for epoch in 0..<result.completedEpochs {
            total += result.epochSeconds[epoch]
            environment.print(String(
                format: "에포크 %2d/%d | G: %.4f | D: %.4f | %.1f초", epoch + 1, epochs,
                result.generatorLosses[epoch], result.discriminatorLosses[epoch], total))
            if let quality = result.evaluations.first(where: { $0.epoch == epoch + 1 }) {
                environment.print("    " + describe(quality))
            }
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
