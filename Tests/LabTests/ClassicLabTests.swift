import Datasets
import Foundation
import Lab
import Report
import Testing

/// `labs/conv-gan-rmsprop.md` (the `002_…` notebook) and the DSL of Keras's classic training.
@Suite struct ClassicLabTests {
    static let mnist = MainLabTests.root.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

    func runClassicLab(_ overrides: [String: String], in folder: String? = nil) throws -> (LabRunner.Outcome, String) {
        let output = folder ?? NSTemporaryDirectory() + "lab-classic-\(UUID().uuidString)"
        let runner = LabRunner(path: MainLabTests.root.appendingPathComponent("labs/conv-gan-rmsprop.md").path,
                               settings: RunSettings(overrides: overrides, outputRoot: output, dataFolder: Self.mnist), log: { _ in })
        return (runner.run(), output)
    }

    static func printed(_ outcome: LabRunner.Outcome) -> String {
        outcome.report.blocks.compactMap { block -> String? in
            guard case .step(let step) = block else { return nil }
            return step.outputs.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    @Test func theClassicLabRunsEndToEnd() throws {
        let (outcome, output) = try runClassicLab(["ITERATIONS": "4", "PRINT_EVERY": "2"])
        defer { try? FileManager.default.removeItem(atPath: output) }
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        let html = try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8)
        // No CSV file here: MNIST's test split stands in, and the run says how to make the file.
        #expect(html.contains("data/mnist_test.csv was not found") && html.contains("lab data csv"))
        #expect(html.contains("y_train: 10000장, 모양 [10000, 28, 28, 1], 픽셀 범위 [0.0, 1.0]"))
        let tables = outcome.report.blocks.flatMap { block -> [TableOutput] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .table(let table) = $0 { table } else { nil } }
        }
        // Keras's counts: G 70,465 (6,368 of them BN's moving statistics), D 7,697; the combined
        // model trains only G's trainable weights.
        let combined = try #require(tables.first { $0.caption == "Model: \"model_comb\"" })
        #expect(combined.rows.map { $0[0] } == ["model_gen (Sequential)", "model_disc (Sequential)"])
        #expect(combined.footer == ["Total params: 78,162", "Trainable params: 64,097", "Non-trainable params: 14,065"])
        #expect(tables.contains { $0.caption == "Model: \"model_gen\"" && $0.footer.first == "Total params: 70,465" })
        #expect(tables.contains { $0.caption == "Model: \"model_disc\"" && $0.footer == ["Total params: 7,697", "Trainable params: 7,697", "Non-trainable params: 0"] })
        let text = Self.printed(outcome)
        #expect(text.contains("반복 1/4 | D: ") && text.contains("반복 2/4 | D: ") && text.contains("반복 4/4 | D: "))
        let files = try FileManager.default.contentsOfDirectory(atPath: (try #require(outcome.reportPath) as NSString).deletingLastPathComponent)
        #expect(files.filter { $0.hasSuffix(".png") }.count == 4, "the data grid, the loss chart and the 8×8 grid twice (viridis, gray)")
    }

    /// `lab check` runs a model's first `predict` for real and later ones on their first item only
    /// (repeated), so a training loop of predictions checks its shapes without its time; `lab run`
    /// predicts every item.
    @Test func labCheckPredictsOnceForRealThenChecksShapes() throws {
        let text = """
            # p

            ```swift
            let m = Sequential("m", input: [2]) { Dense(1) }
            for i in 1...2 {
                let y = m.predict(randomUniform([4, 2]))
                print("\\(i): \\(y.shape) \\(y.values.first == y.values.last)")
            }
            ```
            """
        let folder = NSTemporaryDirectory() + "lab-check-predict-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try text.write(toFile: folder + "/p.md", atomically: true, encoding: .utf8)
        let settings = RunSettings(overrides: [:], outputRoot: folder + "/output", dataFolder: nil)
        let checked = LabRunner(path: folder + "/p.md", settings: settings, log: { _ in }).run(writeReport: false)
        #expect(checked.error == nil, "\(checked.error?.description ?? "")")
        #expect(Self.printed(checked) == "1: [4, 1] false\n2: [4, 1] true")
        let ran = LabRunner(path: folder + "/p.md", settings: settings, log: { _ in }).run()
        #expect(Self.printed(ran) == "1: [4, 1] false\n2: [4, 1] false")
    }

    /// What the prose claims: the generator's own compiled optimizer is never used, so its
    /// learning rate changes nothing; the combined model's does.
    @Test func theGeneratorsOwnLearningRateChangesNothingTheCombinedModelsDoes() throws {
        let base = ["ITERATIONS": "3", "PRINT_EVERY": "1"]
        let (a, outA) = try runClassicLab(base)
        let (b, outB) = try runClassicLab(base.merging(["LR_GEN": "0.5"]) { $1 })
        let (c, outC) = try runClassicLab(base.merging(["LR_COMB": "0.002"]) { $1 })
        defer { for output in [outA, outB, outC] { try? FileManager.default.removeItem(atPath: output) } }
        let losses = [a, b, c].map { Self.printed($0).split(separator: "\n").filter { $0.hasPrefix("반복 ") } }
        #expect(losses[0].count == 3 && losses[0] == losses[1], "LR_GEN: \(losses[0]) vs \(losses[1])")
        #expect(losses[0].last != losses[2].last, "LR_COMB changes G's training")
    }

    /// With the notebook's file present (here under `.build/`, the lab's path changed to it: tests
    /// share one current directory), the lab reads it and says nothing about MNIST.
    @Test func thePresentCSVFileIsReadInsteadOfMNIST() throws {
        let data = ".build/lab-classic-csv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try CSVDigits.write(HandwrittenDigits.load(split: .test, count: 100), to: data + "/mnist_test.csv")
        let text = try String(contentsOf: MainLabTests.root.appendingPathComponent("labs/conv-gan-rmsprop.md"), encoding: .utf8)
        #expect(text.contains("\"data/mnist_test.csv\""))
        let (outcome, folder, _) = try runLab(text.replacingOccurrences(of: "\"data/mnist_test.csv\"", with: "\"\(data)/mnist_test.csv\""),
                                              name: "conv-gan-rmsprop.md", overrides: ["ITERATIONS": "1"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
        #expect(Self.printed(outcome).contains("y_train: 100장, 모양 [100, 28, 28, 1]"))
        #expect(!outcome.report.blocks.contains { block in
            if case .step(let step) = block { step.outputs.contains { if case .notice = $0 { true } else { false } } } else { false }
        })
    }

    @Test(arguments: [
        ("let m = Sequential(\"m\", input: [2]) { Dense(1, activation: .sigmoid) }\nprint(m.trainOnBatch(ones([3, 2]), ones([3])))",
         "m was never compiled: call m.compile(loss:optimizer:) before trainOnBatch"),
        ("let m = Sequential(\"m\", input: [2]) { Dense(1) }\nm.compile(loss: BinaryCrossentropy(), optimizer: Adam())\nprint(m.trainOnBatch(ones([3, 2]), ones([2])))",
         "m.trainOnBatch got 2 targets for 3 inputs; it needs 3 (one per output value)"),
        ("let m = Sequential(\"m\", input: [2]) { Dense(1) }\nm.compile(loss: Adam(), optimizer: Adam())", "compile expects loss: BinaryCrossentropy()"),
        ("let m = Sequential(\"m\", input: [2]) { Dense(1) }\nm.trainable = 1", "trainable takes true or false, got Int"),
        ("let m = Sequential(\"m\", input: [2]) { Dense(1) }\nm.parameterCount = 1", "Sequential's 'parameterCount' can be read but not set"),
        ("var a = [1]\na += 2", "cannot apply '+=' to Array and Int; append an array, as in 'losses += [loss]'"),
        ("let x = concatenate([ones([2, 3]), ones([2, 4])])", "concatenate expects tensors of one item shape; got (None, 3) and (None, 4)"),
        ("let d = HandwrittenDigits(count: 10)\nlet b = d.randomBatch(11)", "randomBatch takes 1 to 10 images (the data set's size), got 11"),
        ("let x = randomUniform([2], low: 1, high: 1)", "randomUniform needs low < high, got 1.0 and 1.0"),
        ("lineChart([[1.0, 2.0]], smoothing: 0)", "smoothing: takes 1 (none) to 100,000 values, got 0"),
        (CacheCoverageTests.gan + "\nlet h = gan.train(x, epochs: 1, batchSize: 32, labelFormula: \"wrong\")",
         "labelFormula: takes \"standard\" or \"notebook\" (the 004 notebook's targets 1.1 + u and −0.1·u), got \"wrong\""),
        (CacheCoverageTests.gan + "\nlet h = gan.train(x, epochs: 1, batchSize: 32, realLabel: 0.9, labelFormula: \"notebook\")",
         "the notebook's label formula makes its own targets; leave realLabel and labelNoise at 1 and 0"),
        ("let x = imageGrid(randomNormal([1, 4, 4, 1]), rows: 1, columns: 1, cmap: \"virdis\")",
         "imageGrid has no colour map 'virdis'; cmap: takes \"gray\", \"Greys\", \"viridis\", \"magma\"; did you mean 'viridis'?"),
    ])
    func classicMistakesAreLocatedErrors(code: String, message: String) throws {
        let (outcome, folder, _) = try runLab("# 실수\n\n```swift\n\(code)\n```\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.message == message, "\(code)")
        #expect(outcome.error?.line == 4 + code.split(separator: "\n").count - 1)
    }

    /// A step's `trainOnBatch` loop is replayed from the cache by running it again, which must
    /// leave the recorded state: a later step that changed runs against exactly that state.
    @Test func aCachedTrainOnBatchLoopLeavesTheStateALaterStepNeeds() throws {
        let lab = """
            # 캐시

            ```swift
            seed(5)
            let d = Sequential("d", input: [4]) { Dense(3, activation: .relu); Dense(1, activation: .sigmoid) }
            d.compile(loss: BinaryCrossentropy(), optimizer: RMSprop(learningRate: 0.01))
            var losses = []
            for i in 1...20 { losses += [d.trainOnBatch(randomUniform([8, 4]), ones([8]))] }
            print(losses.last)
            ```

            ```swift
            let SHOW = 1
            print(SHOW, d.predict(ones([1, 4])).values, randomUniform([1]).values)
            ```
            """
        let folder = NSTemporaryDirectory() + "lab-classic-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (first, _, _) = try runLab(lab, in: folder, name: "c.md", overrides: ["SHOW": "2"])
        let (second, _, console) = try runLab(lab, in: folder, name: "c.md", overrides: ["SHOW": "3"])
        #expect(first.error == nil && second.error == nil)
        #expect(console.contains { $0.contains("Step 1/2") && $0.contains("from cache") })
        func lastLine(_ outcome: LabRunner.Outcome) -> String { ClassicLabTests.printed(outcome).split(separator: "\n").last.map(String.init) ?? "" }
        #expect(lastLine(first).dropFirst(2) == lastLine(second).dropFirst(2), "\(lastLine(first)) vs \(lastLine(second))")
        #expect(lastLine(second).hasPrefix("3 "))
    }
}
