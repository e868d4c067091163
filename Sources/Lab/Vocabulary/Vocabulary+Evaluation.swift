import Datasets
import Foundation
import NeuralNet
import Quality
import Report
import SwiftSyntax

extension Vocabulary {
    /// Judging generated digits: `evaluate(gan, samples:)` and `exportSamples(gan, count:, file:)`.
    static var evaluation: VocabularyDomain { VocabularyDomain(functions: [
        "evaluate": ([.init(nil, .any), .init("samples", .int, .int(10_000))], { args, call, evaluator in
            let gan = try ganArgument(args[0], call, evaluator)
            let count = args.int("samples")
            guard (10...100_000).contains(count) else { throw evaluator.error(at: call, "samples: takes 10 to 100,000, got \(count)") }
            let environment = evaluator.environment
            let images = try generatedDigits(gan, count: count, call, evaluator)
            // A replayed step takes its table from the cache; `lab check` only checks the call.
            if environment.isReplaying || environment.checkOnly { return .void }
            return try wrap(call, evaluator) {
                let setup = try environment.preparedEvaluator()
                let training = setup.trainingImages
                let real = training.rows(0..<min(count, training.batchSize))
                let measured = [("real digits (training images)", try QualityMeasures.measure(real, evaluator: setup.evaluator, reference: setup.reference)),
                                ("GAN samples", try QualityMeasures.measure(images, evaluator: setup.evaluator, reference: setup.reference))]
                environment.append(.table(qualityTable(measured, setup: setup)))
                return .void
            }
        }),
        "exportSamples": ([.init(nil, .any), .init("count", .int, .int(10_000)), .init("file", .string)], { args, call, evaluator in
            let gan = try ganArgument(args[0], call, evaluator)
            let count = args.int("count"), name = args.string("file")
            guard (1...100_000).contains(count) else { throw evaluator.error(at: call, "count: takes 1 to 100,000, got \(count)") }
            guard isPlainFileName(name), name.hasSuffix(".idx") else {
                throw evaluator.error(at: call, "file: takes a plain name ending in .idx (letters, digits, '-', '_', '.'), got '\(name)'")
            }
            let images = try generatedDigits(gan, count: count, call, evaluator)
            let environment = evaluator.environment
            guard let folder = environment.outputFolder else { return .void }
            let pixels = images.scalars.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
            let path = (folder as NSString).appendingPathComponent(name)
            let bytes = try wrap(call, evaluator) { () throws -> [UInt8] in
                let bytes = try IDX.encodeImages(pixels, count: count, rows: 28, columns: 28)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try IDX.write(bytes, to: path)
                return bytes
            }
            environment.print("\(groupThousands(count)) samples → \(name) (IDX, 28×28 ubyte, beside the report; SHA-256 "
                + "\(StateHasher.hex(of: bytes).prefix(16))…); measure them with: lab evaluate \(path)")
            return .void
        }),
    ]) }

    /// The schedule for `gan.train(…, evaluateEvery:, evaluationSamples:)`: after every n-th epoch
    /// (and the last), `samples` digits from one fixed noise batch of their own, so that training
    /// draws the same random numbers as without evaluations, measured against the test images.
    /// Nil when `every` is 0 and for `lab check` (which trains one batch only).
    static func trainingEvaluation(_ gan: NeuralNet.GAN, every: Int, samples: Int, _ call: FunctionCallExprSyntax,
                                   _ evaluator: Evaluator) throws -> EpochEvaluationSchedule? {
        guard every >= 0 else { throw evaluator.error(at: call, "evaluateEvery: takes 0 (never) or a number of epochs, got \(every)") }
        guard every > 0 else { return nil }
        guard (100...100_000).contains(samples) else { throw evaluator.error(at: call, "evaluationSamples: takes 100 to 100,000, got \(samples)") }
        _ = try ganArgument(.gan(gan), call, evaluator)
        let environment = evaluator.environment
        if environment.checkOnly { return nil }
        let setup = try wrap(call, evaluator) { try environment.preparedEvaluator() }
        // A conditional GAN is asked for every class equally often.
        let latent = RandomGenerator(seed: 0x5EED_E7A1).normalTensor(shape: [samples, gan.latentDimension])
        let noise = gan.generatorInput(latent: latent, classes: (0..<samples).map { $0 % max(gan.conditionClasses, 1) })
        return EpochEvaluationSchedule(every: every) { epoch in
            let images = try digits(gan, from: noise)
            let m = try QualityMeasures.measure(images, evaluator: setup.evaluator, reference: setup.reference, manifoldSamples: samples)
            let quality = EpochEvaluation(
                epoch: epoch, samples: samples, fid: m.fid, inceptionScore: m.inceptionScore, precision: m.precision, recall: m.recall,
                classesCovered: m.coverage.classesCovered, largestClassShare: m.coverage.largestShare, isCollapsed: m.isCollapsed)
            environment.log?("epoch \(epoch): " + describe(quality))
            return quality
        }
    }

    /// One evaluation in a line, e.g. "FID 45.21 · IS 6.10 · 10/10 classes · largest 12.3 % · no collapse".
    static func describe(_ quality: EpochEvaluation) -> String {
        String(format: "FID %.2f · IS %.2f · precision %.3f · recall %.3f · %d/10 classes · largest %.1f %% · ",
               quality.fid, quality.inceptionScore, quality.precision, quality.recall, quality.classesCovered,
               100 * quality.largestClassShare) + (quality.isCollapsed ? "collapsed" : "no collapse")
    }

    static func ganArgument(_ value: Value, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> NeuralNet.GAN {
        guard case .gan(let gan) = value else { throw evaluator.error(at: call, "expects a GAN, got \(value.typeName)") }
        guard gan.generator.outputShape.reduce(1, *) == 784 else {
            throw evaluator.error(at: call, "the evaluator judges 28×28 digits; this generator makes \(kerasShape(gan.generator.outputShape))")
        }
        return gan
    }

    /// `count` samples of the generator in inference mode, from the run's random generator, as
    /// `[count, 28, 28, 1]` values 0…1 (a tanh output's −1…1 mapped linearly).
    static func generatedDigits(_ gan: NeuralNet.GAN, count: Int, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Tensor {
        let noise = gan.noise(count: count)
        return try wrap(call, evaluator) { try digits(gan, from: noise) }
    }

    /// The generator's output for `noise` in inference mode as `[n, 28, 28, 1]` values 0…1.
    private static func digits(_ gan: NeuralNet.GAN, from noise: Tensor) throws -> Tensor {
        let samples = try gan.generator.predict(noise, batchSize: 500)
        return Tensor(shape: [noise.batchSize, 28, 28, 1], scalars: samples.scalars.map { ($0 + 1) / 2 })
    }

    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    static func qualityTable(_ rows: [(String, QualityMeasures)], setup: EvaluatorSetup) -> TableOutput {
        TableOutput(
            caption: "Quality of \(groupThousands(rows.last?.1.samples ?? 0)) samples against \(groupThousands(setup.reference.count)) test images",
            headers: ["", "FID ↓", "IS ↑", "precision ↑", "recall ↑", "classes (≥ 2 %)", "largest class", "collapsed"],
            rows: rows.map { name, m in
                [name, String(format: "%.2f", m.fid), String(format: "%.2f ± %.2f", m.inceptionScore, m.inceptionScoreDeviation),
                 String(format: "%.3f", m.precision), String(format: "%.3f", m.recall), "\(m.coverage.classesCovered) / 10",
                 String(format: "%.1f %%", 100 * m.coverage.largestShare), m.isCollapsed ? "yes" : "no"]
            },
            numericColumns: [1, 2, 3, 4],
            footer: ["Evaluator: our LeNet-like classifier, \(String(format: "%.2f", 100 * setup.evaluator.testAccuracy)) % on the test images, "
                     + "trained on \(setup.dataDescription). FID and precision/recall use its 128 features, IS and classes its probabilities. "
                     + "Collapsed: fewer than 10 classes with 2 % of the samples each, or one class above 30 %."])
    }
}
