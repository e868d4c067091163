import Foundation
import NeuralNet
import Quality
import Raster
import Report
import SwiftSyntax

extension Vocabulary {
    /// A conditional GAN's two views: `conditionalGrid(gan, perClass:, title:)` (one row per
    /// class, the class asked for) and `conditionalAccuracy(gan, samples:)` (how often the
    /// evaluator reads the class that was asked for).
    static var conditional: VocabularyDomain { VocabularyDomain(functions: [
        "conditionalGrid": ([.init(nil, .any), .init("perClass", .int, .int(10)), .init("title", .string, .string(""))], { args, call, evaluator in
            let gan = try conditionalGAN(args[0], call, evaluator)
            let perClass = args.int("perClass")
            guard (1...20).contains(perClass) else { throw evaluator.error(at: call, "perClass: takes 1 to 20, got \(perClass)") }
            let classes = gan.conditionClasses
            let labels = (0..<classes).flatMap { Array(repeating: $0, count: perClass) }
            let samples = try wrap(call, evaluator) { try gan.withAveragedGenerator { try gan.generator.predict(gan.noise(classes: labels), batchSize: 500) } }
            let (images, side, _) = try gridImages(.tensor(samples), call, evaluator)
            let captions = labels.enumerated().map { index, label in index % perClass == 0 ? "\(label)" : "" }
            let title = args.string("title")
            let grid = ImageGrid(images: images, imageWidth: side, imageHeight: side, rows: classes, columns: perClass, vmin: -1, vmax: 1,
                                 scale: 2, padding: 4, captions: captions, title: title.isEmpty ? nil : title)
            if let problem = grid.validate() { throw evaluator.error(at: call, problem) }
            try addFigure(grid.render(), caption: title.isEmpty ? "One row per class asked for (0 at the top)" : title, call, evaluator)
            return .void
        }),
        "conditionalAccuracy": ([.init(nil, .any), .init("samples", .int, .int(1_000))], { args, call, evaluator in
            let gan = try ganArgument(args[0], call, evaluator)
            _ = try conditionalGAN(args[0], call, evaluator)
            let count = args.int("samples")
            guard (10...100_000).contains(count) else { throw evaluator.error(at: call, "samples: takes 10 to 100,000, got \(count)") }
            let classes = gan.conditionClasses
            guard classes == 10 else { throw evaluator.error(at: call, "the evaluator reads the ten digits; this GAN has \(classes) classes") }
            let labels = (0..<count).map { $0 % classes }
            let noise = gan.noise(classes: labels)
            let environment = evaluator.environment
            if environment.isReplaying || environment.checkOnly { return .void }
            try wrap(call, evaluator) {
                let samples = try gan.withAveragedGenerator { try gan.generator.predict(noise, batchSize: 500) }
                let digits = Tensor(shape: [count, 28, 28, 1], scalars: samples.scalars.map { ($0 + 1) / 2 })
                let setup = try environment.preparedEvaluator()
                let probabilities = try setup.evaluator.featuresAndProbabilities(digits).probabilities
                var right = [Int](repeating: 0, count: classes), asked = [Int](repeating: 0, count: classes)
                for (index, label) in labels.enumerated() {
                    let row = probabilities[(index * classes)..<((index + 1) * classes)]
                    asked[label] += 1
                    if row.firstIndex(of: row.max()!)! - index * classes == label { right[label] += 1 }
                }
                func share(_ r: Int, _ n: Int) -> String { String(format: "%.1f %%", 100 * Double(r) / Double(max(n, 1))) }
                var row: [String] = ["read as asked"]
                for digit in 0..<classes { row.append(share(right[digit], asked[digit])) }
                row.append(share(right.reduce(0, +), count))
                let headers: [String] = ["asked for"] + (0..<classes).map { String($0) } + ["all"]
                environment.append(.table(TableOutput(
                    caption: "Generated digit = digit asked for, over \(groupThousands(count)) samples",
                    headers: headers, rows: [row], numericColumns: Set(1...(classes + 1)),
                    footer: ["The evaluator (\(String(format: "%.2f", 100 * setup.evaluator.testAccuracy)) % on real test digits) reads each "
                             + "sample's most likely digit; chance is 10 %."])))
            }
            return .void
        }),
    ]) }

    private static func conditionalGAN(_ value: Value, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> NeuralNet.GAN {
        guard case .gan(let gan) = value else { throw evaluator.error(at: call, "expects a GAN, got \(value.typeName)") }
        guard gan.conditionClasses > 0 else {
            throw evaluator.error(at: call, "this GAN is not conditional; make it with GAN(…, classes: 10) and train it with labels:")
        }
        return gan
    }
}
