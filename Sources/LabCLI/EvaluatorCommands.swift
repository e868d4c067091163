import ArgumentParser
import Datasets
import Foundation
import Lab
import NeuralNet
import Quality

extension LabCommand {
    /// `lab evaluator`: where the evaluator is, what it was trained on and how well it classifies.
    struct EvaluatorCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluator",
            abstract: "Shows the MNIST classifier behind the quality measures (training it on first use).")

        @Flag(help: "Train it again, ignoring the stored one.")
        var retrain = false

        @Option(help: "The folder holding MNIST, as for lab run.")
        var data: String?

        func run() throws {
            Interruption.install()
            let setup = try EvaluatorSetup.prepare(search: DataSearch(option: data), retrain: retrain,
                                                   shouldStop: { Interruption.requested }, log: { print($0) })
            print("evaluator: \(setup.path)\(setup.trainedNow ? " (trained now)" : "")")
            print("trained on: \(setup.dataDescription)")
            print(String(format: "test accuracy: %.2f %% (%d test images)", 100 * setup.evaluator.testAccuracy, setup.reference.count))
        }
    }

    /// `lab evaluate FILE.idx`: the quality measures of a file of generated digits.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measures generated digits in an IDX file (28×28 ubyte, as MNIST's): FID, IS, precision, recall, classes.")

        @Argument(help: "An IDX image file, raw or gzip-compressed.")
        var file: String

        @Option(help: "The folder holding MNIST, as for lab run.")
        var data: String?

        func run() throws {
            let images = try IDX.readImages(file)
            guard images.rows == 28, images.columns == 28, images.count >= 10 else {
                throw ValidationError("\(file): the evaluator takes at least 10 images of 28×28, got \(images.count) of \(images.rows)×\(images.columns)")
            }
            let setup = try EvaluatorSetup.prepare(search: DataSearch(option: data), log: { print($0) })
            let tensor = Tensor(shape: [images.count, 28, 28, 1], scalars: images.pixels.map { Float($0) / 255 })
            let m = try QualityMeasures.measure(tensor, evaluator: setup.evaluator, reference: setup.reference)
            print("\(file): \(images.count) images, against the \(setup.reference.count) test images; evaluator trained on \(setup.dataDescription)")
            print(String(format: "FID %.2f · IS %.2f ± %.2f · precision %.3f · recall %.3f", m.fid, m.inceptionScore, m.inceptionScoreDeviation, m.precision, m.recall))
            print("classes covered (≥ 2 %): \(m.coverage.classesCovered) of 10 · largest share \(String(format: "%.1f", 100 * m.coverage.largestShare)) % · "
                + "KL from uniform \(String(format: "%.4f", m.coverage.divergenceFromUniform))" + (m.isCollapsed ? " · collapsed" : ""))
            print("histogram: \(m.coverage.histogram)")
        }
    }
}
