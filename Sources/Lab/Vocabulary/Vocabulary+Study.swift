import Foundation
import NeuralNet
import Quality
import Raster
import Report
import SwiftSyntax

extension Vocabulary {
    /// `studyTable([gans], histories: […], names: […], samples:)`: a measured study, one row per
    /// training run: the quality of `samples` fresh samples (from G's moving average when the run
    /// kept one), classes covered, how many of the evaluations made during training found mode
    /// collapse, and seconds per epoch; real training digits as the floor; then a strip of each
    /// run's last monitor samples, one row per run.
    static var study: VocabularyDomain { VocabularyDomain(functions: [
        "studyTable": ([.init(nil, .any), .init("histories", .any), .init("names", .any), .init("samples", .int, .int(2_000))],
                       { args, call, evaluator in
            guard case .array(let items) = args[0], case .array(let runs) = args["histories"], case .array(let labels) = args["names"],
                  !items.isEmpty, items.count <= maximumStudyRuns, runs.count == items.count, labels.count == items.count else {
                throw evaluator.error(at: call, "studyTable expects one to \(maximumStudyRuns) GANs, as many histories: and as many names:")
            }
            let gans = try items.map { try ganArgument($0, call, evaluator) }
            let histories: [GANHistory] = try runs.map {
                guard case .history(let history) = $0 else { throw evaluator.error(at: call, "histories: takes training histories, got \($0.typeName)") }
                guard history.evaluationInterval > 0 else {
                    throw evaluator.error(at: call, "every run needs its quality measured while training: train with evaluateEvery:")
                }
                return history
            }
            let names = labels.map(\.shortPrinted)
            let count = args.int("samples")
            guard (100...100_000).contains(count) else { throw evaluator.error(at: call, "samples: takes 100 to 100,000, got \(count)") }
            let environment = evaluator.environment
            // Drawn before the replay check, so the run's random state is the same either way.
            let generated = try gans.map { gan in try gan.withAveragedGenerator { try generatedDigits(gan, count: count, call, evaluator) } }
            if environment.isReplaying || environment.checkOnly { return .void }
            try wrap(call, evaluator) {
                let setup = try environment.preparedEvaluator()
                let training = setup.trainingImages
                let real = try QualityMeasures.measure(training.rows(0..<min(count, training.batchSize)), evaluator: setup.evaluator,
                                                       reference: setup.reference)
                var rows = [studyRow("real digits (training images)", real, collapsed: "", seconds: "")]
                for (index, images) in generated.enumerated() {
                    let measures = try QualityMeasures.measure(images, evaluator: setup.evaluator, reference: setup.reference)
                    let history = histories[index]
                    let collapsed = history.evaluations.filter(\.isCollapsed).count
                    let perEpoch = history.trainingSeconds(through: history.completedEpochs) / Double(max(history.completedEpochs, 1))
                    rows.append(studyRow(names[index], measures, collapsed: "\(collapsed) / \(history.evaluations.count)",
                                         seconds: String(format: "%.1f", perEpoch)))
                }
                environment.append(.table(TableOutput(
                    caption: "Each run measured on \(groupThousands(count)) fresh samples against \(groupThousands(setup.reference.count)) test images",
                    headers: ["run", "FID ↓", "IS ↑", "precision ↑", "recall ↑", "classes (≥ 2 %)", "largest class",
                              "collapsed evaluations", "s / epoch"],
                    rows: rows, numericColumns: [1, 2, 3, 4, 8],
                    footer: ["Evaluator: our LeNet-like classifier, \(String(format: "%.2f", 100 * setup.evaluator.testAccuracy)) % on the test images. "
                             + "Collapsed evaluations: of the measurements made during training, how many found fewer than 10 classes "
                             + "with 2 % of the samples each or one class above 30 %. Seconds per epoch from the training itself, on "
                             + MachineDescription.current + "."])))
            }
            try addFigure(try lastSampleStrips(histories, names: names, call, evaluator),
                          caption: "Last epoch's monitor samples, one row per run: " + names.joined(separator: " | "), call, evaluator)
            return .void
        }),
    ]) }

    /// The most runs one study table compares.
    static let maximumStudyRuns = 16

    private static func studyRow(_ name: String, _ m: QualityMeasures, collapsed: String, seconds: String) -> [String] {
        [name, String(format: "%.1f", m.fid), String(format: "%.2f", m.inceptionScore), String(format: "%.3f", m.precision),
         String(format: "%.3f", m.recall), "\(m.coverage.classesCovered) / 10", String(format: "%.1f %%", 100 * m.coverage.largestShare),
         collapsed, seconds]
    }

    /// Eight of each run's last monitor samples in a row, the run's name on its left.
    private static func lastSampleStrips(_ histories: [GANHistory], names: [String], _ call: FunctionCallExprSyntax,
                                         _ evaluator: Evaluator) throws -> Canvas {
        let strips = try zip(histories, names).map { history, name -> Canvas in
            guard history.completedEpochs > 0 else { throw evaluator.error(at: call, "\(name) has no finished epoch") }
            let (images, side, _) = try gridImages(.tensor(history.epochSamples[history.completedEpochs - 1]), call, evaluator)
            return ImageGrid(images: Array(images.prefix(8)), imageWidth: side, imageHeight: side, rows: 1, columns: 8,
                             vmin: -1, vmax: 1, scale: 2, padding: 4).render()
        }
        let font = BitmapFont.regular
        let labelWidth = (names.map { font.width(of: $0) }.max() ?? 0) + 16
        let stripWidth = strips.map(\.width).max() ?? 0, stripHeight = strips.map(\.height).max() ?? 0
        var canvas = Canvas(width: labelWidth + stripWidth, height: stripHeight * strips.count)
        for (row, (strip, name)) in zip(strips, names).enumerated() {
            let top = row * stripHeight
            canvas.drawText(name, at: Point(Float(labelWidth - 8), Float(top + stripHeight / 2 + 4)), font: font, anchor: .right)
            canvas.draw(strip, atX: labelWidth, y: top)
        }
        return canvas
    }
}
