import Datasets
import Foundation
@testable import Lab
import Raster
import Report
import Testing

/// The step cache can never serve a later step stale: for every function of the vocabulary and
/// every one of its arguments, two values of that argument in an earlier step leave different
/// state fingerprints (so every later step gets a new key), or, for a function that only adds
/// output, different output. A vocabulary entry or argument missing from `variants` fails.
@Suite struct CacheCoverageTests {
    /// One argument of one function: code run first, then the two calls that differ only there.
    struct Variant: CustomStringConvertible {
        var function: String
        var argument: String
        var setup = ""
        var first: String
        var second: String
        var description: String { "\(function) \(argument)" }
    }

    /// Functions whose effect is their output (text, a figure or a table): no state to carry.
    static let outputOnly: Set<String> = ["print", "imageGrid", "lossChart", "lineChart", "animation", "saveEpochImages", "compareGANs", "evaluate", "exportSamples",
                                             "qualityChart", "compareTrainedGANs", "studyTable",
                                             "conditionalGrid", "conditionalAccuracy"]

    static let data = ".build/cache-coverage-data"

    static let models = """
        let g = Sequential("G", input: [4]) {
            Dense(8)
            Dense(784, activation: .tanh)
        }
        let d = Sequential("D", input: [784]) {
            Dense(8)
            Dense(1, activation: .sigmoid)
        }
        """
    static let gan = models + """

        let gan = GAN(generator: g, discriminator: d, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())
        let x = HandwrittenDigits(split: .test, count: 64).scaled(to: .minusOneToOne).flattened()
        """
    static let history = gan + "\nlet history = gan.train(x, epochs: 2, batchSize: 32)"
    /// A conditional GAN (ten classes) trained on the same 64 digits with their labels.
    static let conditional = """
        let cg = Sequential("CG", input: [14]) {
            Dense(8)
            Dense(784, activation: .tanh)
        }
        let cd = Sequential("CD", input: [794]) {
            Dense(8)
            Dense(1, activation: .sigmoid)
        }
        let digits = HandwrittenDigits(split: .test, count: 64).scaled(to: .minusOneToOne)
        let cx = digits.flattened()
        let cgan = GAN(generator: cg, discriminator: cd, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(),
                       loss: BinaryCrossentropy(), classes: 10)
        let ch = cgan.train(cx, labels: digits.labels, epochs: 1, batchSize: 32)
        """

    static var variants: [Variant] {
        func layer(_ name: String, _ argument: String, _ a: String, _ b: String) -> Variant {
            Variant(function: name, argument: argument, first: "let v = \(a)", second: "let v = \(b)")
        }
        let conv: [(String, String, String)] = [
            ("#0", "8, kernelSize: 3", "4, kernelSize: 3"), ("kernelSize", "8, kernelSize: 3", "8, kernelSize: 5"),
            ("strides", "8, kernelSize: 3", "8, kernelSize: 3, strides: 2"),
            ("padding", "8, kernelSize: 3", "8, kernelSize: 3, padding: .same"),
            ("useBias", "8, kernelSize: 3", "8, kernelSize: 3, useBias: false"),
            ("activation", "8, kernelSize: 3", "8, kernelSize: 3, activation: .tanh"),
            ("name", "8, kernelSize: 3", "8, kernelSize: 3, name: \"c\""),
        ]
        var list: [Variant] = [
            Variant(function: "seed", argument: "#0", first: "seed(1)", second: "seed(2)"),
            Variant(function: "print", argument: "#0", first: "print(1)", second: "print(2)"),
            layer("randomNormal", "#0", "randomNormal([2, 3])", "randomNormal([3, 2])"),
            layer("randomNormal", "mean", "randomNormal([2])", "randomNormal([2], mean: 1)"),
            layer("randomNormal", "standardDeviation", "randomNormal([2])", "randomNormal([2], standardDeviation: 2)"),
            layer("randomUniform", "#0", "randomUniform([2])", "randomUniform([3])"),
            layer("randomUniform", "low", "randomUniform([2])", "randomUniform([2], low: -1)"),
            layer("randomUniform", "high", "randomUniform([2])", "randomUniform([2], high: 2)"),
            layer("concatenate", "#0", "concatenate([ones([1]), zeros([1])])", "concatenate([zeros([1]), ones([1])])"),
            Variant(function: "lineChart", argument: "#0", first: "lineChart([[1.0, 2.0]])", second: "lineChart([[2.0, 1.0]])"),
            Variant(function: "lineChart", argument: "names", first: "lineChart([[1.0, 2.0]])", second: "lineChart([[1.0, 2.0]], names: [\"a\"])"),
            Variant(function: "lineChart", argument: "title", first: "lineChart([[1.0, 2.0]])", second: "lineChart([[1.0, 2.0]], title: \"t\")"),
            Variant(function: "lineChart", argument: "xLabel", first: "lineChart([[1.0, 2.0]])", second: "lineChart([[1.0, 2.0]], xLabel: \"step\")"),
            Variant(function: "lineChart", argument: "yLabel", first: "lineChart([[1.0, 2.0]])", second: "lineChart([[1.0, 2.0]], yLabel: \"loss\")"),
            Variant(function: "lineChart", argument: "smoothing", first: "lineChart([[1.0, 2.0, 4.0]])", second: "lineChart([[1.0, 2.0, 4.0]], smoothing: 2)"),
            layer("ones", "#0", "ones([2])", "ones([3])"),
            layer("zeros", "#0", "zeros([2])", "zeros([2, 1])"),
            layer("tensor", "#0", "tensor([1.0, 2.0])", "tensor([1.0, 3.0])"),
            layer("sigmoid", "#0", "sigmoid(tensor([1.0]))", "sigmoid(tensor([2.0]))"),
            layer("Dense", "#0", "Dense(8)", "Dense(9)"),
            layer("Dense", "activation", "Dense(8, activation: .tanh)", "Dense(8, activation: .sigmoid)"),
            layer("Dense", "useBias", "Dense(8)", "Dense(8, useBias: false)"),
            layer("Dense", "name", "Dense(8)", "Dense(8, name: \"x\")"),
            layer("BatchNormalization", "momentum", "BatchNormalization()", "BatchNormalization(momentum: 0.9)"),
            layer("BatchNormalization", "epsilon", "BatchNormalization()", "BatchNormalization(epsilon: 1e-5)"),
            layer("BatchNormalization", "name", "BatchNormalization()", "BatchNormalization(name: \"bn\")"),
            layer("LeakyReLU", "alpha", "LeakyReLU(alpha: 0.2)", "LeakyReLU(alpha: 0.1)"),
            layer("LeakyReLU", "name", "LeakyReLU()", "LeakyReLU(name: \"l\")"),
            layer("ReLU", "name", "ReLU()", "ReLU(name: \"r\")"),
            layer("Tanh", "name", "Tanh()", "Tanh(name: \"t\")"),
            layer("Sigmoid", "name", "Sigmoid()", "Sigmoid(name: \"s\")"),
            layer("SpectralNormalization", "#0", "SpectralNormalization(Dense(8))", "SpectralNormalization(Dense(9))"),
            layer("SpectralNormalization", "name", "SpectralNormalization(Dense(8))", "SpectralNormalization(Dense(8), name: \"sn\")"),
            layer("Dropout", "#0", "Dropout(0.3)", "Dropout(0.4)"),
            layer("Dropout", "name", "Dropout(0.3)", "Dropout(0.3, name: \"d\")"),
            layer("Reshape", "#0", "Reshape([7, 7, 16])", "Reshape([7, 16, 7])"),
            layer("Reshape", "name", "Reshape([4])", "Reshape([4], name: \"r\")"),
            layer("Flatten", "name", "Flatten()", "Flatten(name: \"f\")"),
            layer("MinibatchStdDev", "name", "MinibatchStdDev()", "MinibatchStdDev(name: \"s\")"),
            layer("UpSampling2D", "size", "UpSampling2D()", "UpSampling2D(size: 3)"),
            layer("UpSampling2D", "name", "UpSampling2D()", "UpSampling2D(name: \"u\")"),
            layer("MaxPooling2D", "poolSize", "MaxPooling2D()", "MaxPooling2D(poolSize: 3)"),
            layer("MaxPooling2D", "strides", "MaxPooling2D()", "MaxPooling2D(strides: 1)"),
            layer("MaxPooling2D", "padding", "MaxPooling2D()", "MaxPooling2D(padding: .same)"),
            layer("MaxPooling2D", "name", "MaxPooling2D()", "MaxPooling2D(name: \"m\")"),
            layer("Sequential", "#0", "Sequential(\"A\", input: [4]) { Dense(2) }", "Sequential(\"B\", input: [4]) { Dense(2) }"),
            layer("Sequential", "input", "Sequential(\"A\", input: [4]) { Dense(2) }", "Sequential(\"A\", input: [5]) { Dense(2) }"),
            layer("min", "#0", "min(1, 5)", "min(2, 5)"),
            layer("min", "#1", "min(9, 5)", "min(9, 6)"),
            layer("max", "#0", "max(7, 5)", "max(8, 5)"),
            layer("max", "#1", "max(1, 5)", "max(1, 6)"),
            layer("format", "#0", "format(1.5)", "format(2.5)"),
            layer("format", "decimals", "format(1.5)", "format(1.5, decimals: 2)"),
            layer("log", "#0", "log(2.0)", "log(3.0)"),
            layer("exp", "#0", "exp(2.0)", "exp(3.0)"),
            layer("sqrt", "#0", "sqrt(2.0)", "sqrt(3.0)"),
            layer("MNIST", "split", "MNIST(split: .train, path: \"\(data)/mnist-a\")", "MNIST(split: .test, path: \"\(data)/mnist-a\")"),
            layer("MNIST", "path", "MNIST(split: .train, path: \"\(data)/mnist-a\")", "MNIST(split: .train, path: \"\(data)/mnist-b\")"),
            layer("HandwrittenDigits", "split", "HandwrittenDigits(split: .train, count: 8)", "HandwrittenDigits(split: .test, count: 8)"),
            layer("HandwrittenDigits", "count", "HandwrittenDigits(split: .test, count: 8)", "HandwrittenDigits(split: .test, count: 9)"),
            layer("CSVDigits", "#0", "CSVDigits(\"\(data)/a.csv\")", "CSVDigits(\"\(data)/b.csv\")"),
            // `fallback:` acts only on a missing file, where `false` is an error: the data set it
            // falls back to against a file's.
            layer("CSVDigits", "fallback", "CSVDigits(\"\(data)/missing.csv\", fallback: true)", "CSVDigits(\"\(data)/a.csv\", fallback: true)"),
            layer("ImageFolder", "#0", "ImageFolder(\"\(data)/faces-a\", size: [4, 4])", "ImageFolder(\"\(data)/faces-b\", size: [4, 4])"),
            layer("ImageFolder", "size", "ImageFolder(\"\(data)/faces-a\", size: [4, 4])", "ImageFolder(\"\(data)/faces-a\", size: [4, 5])"),
            layer("ImageFolder", "color", "ImageFolder(\"\(data)/faces-a\", size: [4, 4])", "ImageFolder(\"\(data)/faces-a\", size: [4, 4], color: .rgb)"),
            layer("ImageFolder", "count", "ImageFolder(\"\(data)/faces-b\", size: [4, 4], count: 1)", "ImageFolder(\"\(data)/faces-b\", size: [4, 4])"),
            layer("ImageFolder", "standInBricks", "ImageFolder(\"\(data)/no-bricks\", size: [8, 8], standInBricks: 4)",
                  "ImageFolder(\"\(data)/no-bricks\", size: [8, 8], standInBricks: 5)"),
            layer("BinaryCrossentropy", "fromLogits", "BinaryCrossentropy()", "BinaryCrossentropy(fromLogits: true)"),
            layer("BinaryCrossentropy", "labelSmoothing", "BinaryCrossentropy()", "BinaryCrossentropy(labelSmoothing: 0.1)"),
            layer("MinimaxLoss", "fromLogits", "MinimaxLoss()", "MinimaxLoss(fromLogits: true)"),
            layer("WassersteinLoss", "clip", "WassersteinLoss()", "WassersteinLoss(clip: 0.02)"),
            layer("WassersteinGPLoss", "lambda", "WassersteinGPLoss()", "WassersteinGPLoss(lambda: 5)"),
            layer("Adam", "learningRate", "Adam()", "Adam(learningRate: 0.01)"),
            layer("Adam", "beta1", "Adam(learningRate: 0.01, beta1: 0.5)", "Adam(learningRate: 0.01, beta1: 0.9)"),
            layer("Adam", "beta2", "Adam()", "Adam(beta2: 0.99)"),
            layer("RMSprop", "learningRate", "RMSprop()", "RMSprop(learningRate: 0.01)"),
            layer("RMSprop", "rho", "RMSprop()", "RMSprop(rho: 0.8)"),
            layer("SGD", "learningRate", "SGD()", "SGD(learningRate: 0.1)"),
            layer("SGD", "momentum", "SGD()", "SGD(momentum: 0.9)"),
        ]
        for (argument, a, b) in conv {
            list.append(layer("Conv2D", argument, "Conv2D(\(a))", "Conv2D(\(b))"))
            list.append(layer("Conv2DTranspose", argument, "Conv2DTranspose(\(a))", "Conv2DTranspose(\(b))"))
        }
        let ganCall = "GAN(generator: g, discriminator: d, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())"
        for (argument, replaced, by) in [
            ("generator", "generator: g", "generator: g2"), ("discriminator", "discriminator: d", "discriminator: d2"),
            ("generatorOptimizer", "generatorOptimizer: Adam()", "generatorOptimizer: SGD()"),
            ("discriminatorOptimizer", "discriminatorOptimizer: Adam()", "discriminatorOptimizer: RMSprop()"),
            ("loss", "loss: BinaryCrossentropy()", "loss: BinaryCrossentropy(labelSmoothing: 0.2)"),
            ("loss", "loss: BinaryCrossentropy()", "loss: HingeLoss()"),
        ] {
            let setup = models + """

                let g2 = Sequential("G", input: [4]) { Dense(784, activation: .sigmoid) }
                let d2 = Sequential("D", input: [784]) { Dense(1, activation: .sigmoid) }
                """
            list.append(Variant(function: "GAN", argument: argument, setup: setup, first: "let v = " + ganCall,
                                second: "let v = " + ganCall.replacingOccurrences(of: replaced, with: by)))
        }
        let grid = "imageGrid(x, rows: 2, columns: 2"
        for (argument, extra) in [("#0", ""), ("rows", ""), ("columns", ""), ("captions", ", captions: [\"a\", \"b\", \"c\", \"d\"]"),
                                  ("title", ", title: \"t\""), ("vmin", ", vmin: 0"), ("vmax", ", vmax: 0.5"), ("scale", ", scale: 2")] {
            let second = switch argument {
            case "#0": "imageGrid(y, rows: 2, columns: 2)"
            case "rows": "imageGrid(x, rows: 4, columns: 2)"
            case "columns": "imageGrid(x, rows: 2, columns: 4)"
            default: grid + extra + ")"
            }
            list.append(Variant(function: "imageGrid", argument: argument,
                                setup: "let x = randomNormal([4, 16])\nlet y = randomNormal([4, 16])", first: grid + ")", second: second))
        }
        list += [
            Variant(function: "lossChart", argument: "#0", setup: history + "\nlet other = gan.train(x, epochs: 1, batchSize: 32)",
                    first: "lossChart(history)", second: "lossChart(other)"),
            Variant(function: "lossChart", argument: "title", setup: history, first: "lossChart(history)", second: "lossChart(history, title: \"t\")"),
            Variant(function: "imageGrid", argument: "cmap", setup: "let x = randomNormal([4, 16])",
                    first: "imageGrid(x, rows: 2, columns: 2)", second: "imageGrid(x, rows: 2, columns: 2, cmap: \"viridis\")"),
            Variant(function: "animation", argument: "#0", setup: history + "\nlet other = gan.train(x, epochs: 1, batchSize: 32)",
                    first: "animation(history)", second: "animation(other)"),
            Variant(function: "saveEpochImages", argument: "#0", setup: history + "\nlet other = gan.train(x, epochs: 1, batchSize: 32)",
                    first: "saveEpochImages(history)", second: "saveEpochImages(other)"),
            Variant(function: "saveEpochImages", argument: "prefix", setup: history, first: "saveEpochImages(history)",
                    second: "saveEpochImages(history, prefix: \"epoch-\")"),
            Variant(function: "animation", argument: "title", setup: history, first: "animation(history)", second: "animation(history, title: \"t\")"),
        ]
        let twoGANs = gan + "\nlet gan2 = GAN(generator: Sequential(\"G2\", input: [4]) { Dense(784, activation: .tanh) }, discriminator: d, "
            + "generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())"
        list += [
            Variant(function: "evaluate", argument: "#0", setup: twoGANs, first: "evaluate(gan, samples: 20)", second: "evaluate(gan2, samples: 20)"),
            Variant(function: "evaluate", argument: "samples", setup: gan, first: "evaluate(gan, samples: 20)", second: "evaluate(gan, samples: 30)"),
            Variant(function: "exportSamples", argument: "#0", setup: twoGANs, first: "exportSamples(gan, count: 5, file: \"a.idx\")",
                    second: "exportSamples(gan2, count: 5, file: \"a.idx\")"),
            Variant(function: "exportSamples", argument: "count", setup: gan, first: "exportSamples(gan, count: 5, file: \"a.idx\")",
                    second: "exportSamples(gan, count: 6, file: \"a.idx\")"),
            Variant(function: "exportSamples", argument: "file", setup: gan, first: "exportSamples(gan, count: 5, file: \"a.idx\")",
                    second: "exportSamples(gan, count: 5, file: \"b.idx\")"),
        ]
        // Quality measured while training, and what shows it.
        let measured = gan + "\nlet history = gan.train(x, epochs: 2, batchSize: 32, evaluateEvery: 1, evaluationSamples: 100)"
        let twoMeasured = measured + "\nlet other = gan.train(x, epochs: 1, batchSize: 32, evaluateEvery: 1, evaluationSamples: 100)"
        let trained = "compareTrainedGANs([gan], histories: [history], names: [\"a\"], samples: 100)"
        list += [
            Variant(function: "train", argument: "generatorAverage", setup: gan, first: "let h = gan.train(x, epochs: 2, batchSize: 32)",
                    second: "let h = gan.train(x, epochs: 2, batchSize: 32, generatorAverage: 0.9)"),
            Variant(function: "train", argument: "featureMatching", setup: models + """

                    let fd = Sequential("FD", input: [784]) {
                        Dense(8, name: "features")
                        Dense(1, activation: .sigmoid)
                    }
                    let fgan = GAN(generator: g, discriminator: fd, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())
                    let x = HandwrittenDigits(split: .test, count: 64).scaled(to: .minusOneToOne).flattened()
                    """, first: "let h = fgan.train(x, epochs: 1, batchSize: 32)",
                    second: "let h = fgan.train(x, epochs: 1, batchSize: 32, featureMatching: \"features\")"),
            Variant(function: "train", argument: "evaluateEvery", setup: gan, first: "let h = gan.train(x, epochs: 2, batchSize: 32)",
                    second: "let h = gan.train(x, epochs: 2, batchSize: 32, evaluateEvery: 2, evaluationSamples: 100)"),
            Variant(function: "train", argument: "evaluationSamples", setup: gan,
                    first: "let h = gan.train(x, epochs: 1, batchSize: 32, evaluateEvery: 1, evaluationSamples: 100)",
                    second: "let h = gan.train(x, epochs: 1, batchSize: 32, evaluateEvery: 1, evaluationSamples: 120)"),
            Variant(function: "qualityChart", argument: "#0", setup: twoMeasured, first: "qualityChart(history)", second: "qualityChart(other)"),
            Variant(function: "qualityChart", argument: "names", setup: twoMeasured, first: "qualityChart([history, other])",
                    second: "qualityChart([history, other], names: [\"a\", \"b\"])"),
            Variant(function: "qualityChart", argument: "title", setup: measured, first: "qualityChart(history)",
                    second: "qualityChart(history, title: \"t\")"),
        ]
        let twoConditional = conditional + """

            let cgan2 = GAN(generator: Sequential("CG2", input: [14]) { Dense(784, activation: .tanh) }, discriminator: cd,
                            generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy(), classes: 10)
            """
        list += [
            Variant(function: "GAN", argument: "classes", setup: conditional, first: "let v = GAN(generator: cg, discriminator: cd, "
                        + "generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy(), classes: 10)",
                    second: "let cd5 = Sequential(\"CD\", input: [789]) { Dense(8); Dense(1, activation: .sigmoid) }\n"
                        + "let v = GAN(generator: cg, discriminator: cd5, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), "
                        + "loss: BinaryCrossentropy(), classes: 5)"),
            Variant(function: "train", argument: "labels", setup: conditional, first: "let h = cgan.train(cx, labels: digits.labels, epochs: 1, batchSize: 32)",
                    second: "let h = cgan.train(cx, labels: HandwrittenDigits(split: .train, count: 64).labels, epochs: 1, batchSize: 32)"),
            Variant(function: "conditionalGrid", argument: "#0", setup: twoConditional, first: "conditionalGrid(cgan)", second: "conditionalGrid(cgan2)"),
            Variant(function: "conditionalGrid", argument: "perClass", setup: conditional, first: "conditionalGrid(cgan)", second: "conditionalGrid(cgan, perClass: 3)"),
            Variant(function: "conditionalGrid", argument: "title", setup: conditional, first: "conditionalGrid(cgan)", second: "conditionalGrid(cgan, title: \"t\")"),
            Variant(function: "conditionalAccuracy", argument: "#0", setup: twoConditional, first: "conditionalAccuracy(cgan, samples: 20)",
                    second: "conditionalAccuracy(cgan2, samples: 20)"),
            Variant(function: "conditionalAccuracy", argument: "samples", setup: conditional, first: "conditionalAccuracy(cgan, samples: 20)",
                    second: "conditionalAccuracy(cgan, samples: 30)"),
        ]
        // The two tables of trained GANs take the same arguments.
        for function in ["compareTrainedGANs", "studyTable"] {
            let table = trained.replacingOccurrences(of: "compareTrainedGANs", with: function)
            list += [
                Variant(function: function, argument: "#0", setup: twoMeasured + "\nlet gan2 = GAN(generator: Sequential(\"G2\", input: [4]) "
                            + "{ Dense(784, activation: .tanh) }, discriminator: d, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), "
                            + "loss: BinaryCrossentropy())",
                        first: table, second: table.replacingOccurrences(of: "([gan]", with: "([gan2]")),
                Variant(function: function, argument: "histories", setup: twoMeasured, first: table,
                        second: table.replacingOccurrences(of: "[history]", with: "[other]")),
                Variant(function: function, argument: "names", setup: measured, first: table,
                        second: table.replacingOccurrences(of: "[\"a\"]", with: "[\"b\"]")),
                Variant(function: function, argument: "samples", setup: measured, first: table,
                        second: table.replacingOccurrences(of: "samples: 100", with: "samples: 120")),
            ]
        }
        let compare = "compareGANs([gan], names: [\"a\"], batchSize: 8, steps: 1, images: 64)"
        // The GANs: the same names, the second GAN another one (its parameter count is in the table).
        // (Before, both codes read `[gan, gan]`, and only the measured times told the outputs apart.)
        let pair = compare.replacingOccurrences(of: "[\"a\"]", with: "[\"a\", \"b\"]").replacingOccurrences(of: "[gan]", with: "[gan, gan]")
        list.append(Variant(function: "compareGANs", argument: "#0", setup: twoGANs, first: pair,
                            second: pair.replacingOccurrences(of: "[gan, gan]", with: "[gan, gan2]")))
        for (argument, replaced, by) in [("names", "[\"a\"]", "[\"b\"]"), ("batchSize", "batchSize: 8", "batchSize: 4"),
                                         ("steps", "steps: 1", "steps: 2"), ("images", "images: 64", "images: 32")] {
            list.append(Variant(function: "compareGANs", argument: argument, setup: gan, first: compare,
                                second: compare.replacingOccurrences(of: replaced, with: by)))
        }
        return list
    }

    /// The state and outputs one step leaves after `setup` ran in a step before it.
    func evaluate(setup: String, code: String) throws -> (digest: String, outputs: String) {
        let text = "# t\n\n```swift\n\(setup)\n```\n\n```swift\n\(code)\n```\n"
        let file = try LabFile(path: "coverage.md", text: text)
        // A small MNIST-form folder and a cache of its own, for the evaluator `evaluate` trains.
        let settings = RunSettings(dataFolder: Self.data + "/mnist-eval", dataEnvironment: ["XDG_CACHE_HOME": Self.data + "/cache"])
        let environment = Environment(file: file, overrides: [:], settings: settings)
        environment.outputFolder = Self.data + "/output"
        for step in file.steps {
            environment.beginStep(step.number, replaying: nil)
            try Evaluator(step: step, environment: environment).run()
        }
        let outputs = environment.outputs.map { output -> String in
            if case .figure(let figure) = output { return "figure \(figure.caption) \(StateHasher.hex(of: figure.data ?? []))" }
            return "\(output)"
        }
        return (environment.stateDigest(), outputs.joined(separator: "\n"))
    }

    static func makeData() throws {
        let fm = FileManager.default
        for folder in ["mnist-a", "mnist-b", "faces-a/x", "faces-b/x"] {
            try fm.createDirectory(atPath: data + "/" + folder, withIntermediateDirectories: true)
        }
        try Data("label,p1,p2,p3,p4\n5,0,255,255,0\n".utf8).write(to: URL(fileURLWithPath: data + "/a.csv"))
        try Data("label,p1,p2,p3,p4\n5,0,255,254,0\n".utf8).write(to: URL(fileURLWithPath: data + "/b.csv"))
        for (folder, shade) in [("mnist-a", UInt8(10)), ("mnist-b", UInt8(20))] {
            for (prefix, count) in [("train", 3), ("t10k", 2)] {
                var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, UInt8(count), 0, 0, 0, 28, 0, 0, 0, 28]
                images += (0..<(count * 784)).map { UInt8(truncatingIfNeeded: $0 &* 7) &+ shade }
                let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, UInt8(count)] + (0..<count).map { UInt8($0) }
                try Data(images).write(to: URL(fileURLWithPath: "\(data)/\(folder)/\(prefix)-images-idx3-ubyte"))
                try Data(labels).write(to: URL(fileURLWithPath: "\(data)/\(folder)/\(prefix)-labels-idx1-ubyte"))
            }
        }
        try fm.createDirectory(atPath: data + "/mnist-eval", withIntermediateDirectories: true)
        for (split, prefix, count) in [(MNIST.Split.train, "train", 40), (.test, "t10k", 20)] {
            let digits = HandwrittenDigits.load(split: split, count: count)
            try IDX.writeImages(digits.images.scalars.map { UInt8($0) }, count: count, rows: 28, columns: 28,
                                to: "\(data)/mnist-eval/\(prefix)-images-idx3-ubyte")
            try Data([0, 0, 8, 1, 0, 0, 0, UInt8(count)] + digits.labels.map(UInt8.init)).write(to: URL(fileURLWithPath: "\(data)/mnist-eval/\(prefix)-labels-idx1-ubyte"))
        }
        let pixels = (0..<16).map { UInt8($0 * 16) }
        try PNG.write(PixelImage(width: 4, height: 4, channels: 1, bytes: pixels), to: data + "/faces-a/x/1.png")
        try PNG.write(PixelImage(width: 4, height: 4, channels: 1, bytes: pixels.reversed()), to: data + "/faces-b/x/1.png")
        try PNG.write(PixelImage(width: 4, height: 4, channels: 1, bytes: pixels.reversed()), to: data + "/faces-b/x/2.png")
    }

    @Test func everyArgumentOfEveryFunctionReachesTheFingerprint() throws {
        try Self.makeData()
        var missing: [String] = []
        for (name, function) in Vocabulary().functions.sorted(by: { $0.key < $1.key }) {
            var position = 0
            for spec in function.specs {
                let argument = spec.label ?? { defer { position += 1 }; return "#\(position)" }()
                if !Self.variants.contains(where: { $0.function == name && $0.argument == argument }) {
                    missing.append("\(name) \(argument)")
                }
            }
        }
        #expect(missing.isEmpty, "vocabulary entries without a cache-coverage variant: \(missing)")
        for variant in Self.variants {
            let first = try evaluate(setup: variant.setup, code: variant.first)
            let second = try evaluate(setup: variant.setup, code: variant.second)
            if Self.outputOnly.contains(variant.function) {
                #expect(first.outputs != second.outputs, "\(variant): both values give the same output")
            } else {
                #expect(first.digest != second.digest, "\(variant): both values leave the same state, so a later step would be served stale")
            }
        }
    }

    @Test func aSettingChangedInAnEarlierStepRerunsTheTraining() throws {
        // The two cases reproduced against the previous digest: β₁ and an activation.
        let template = """
            # 캐시

            ```swift
            seed(3)
            let g = Sequential("G", input: [4]) {
                Dense(8, activation: ACT)
                Dense(784, activation: .tanh)
            }
            let d = Sequential("D", input: [784]) { Dense(1, activation: .sigmoid) }
            let go = Adam(learningRate: 0.01, beta1: BETA)
            let dopt = Adam(learningRate: 0.01, beta1: 0.5)
            ```

            ```swift
            let gan = GAN(generator: g, discriminator: d, generatorOptimizer: go, discriminatorOptimizer: dopt, loss: BinaryCrossentropy())
            let history = gan.train(HandwrittenDigits(split: .test, count: 128).scaled(to: .minusOneToOne).flattened(), epochs: 1, batchSize: 32)
            print(history.generatorLosses)
            ```
            """
        let folder = NSTemporaryDirectory() + "lab-coverage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func run(_ act: String, _ beta: String) throws -> (String, [String]) {
            let text = template.replacingOccurrences(of: "ACT", with: act).replacingOccurrences(of: "BETA", with: beta)
            let (outcome, _, _) = try runLab(text, in: folder, name: "c.md")
            guard case .step(let last)? = outcome.report.blocks.last, case .ran(_, let cached) = last.status else {
                Issue.record("the training step did not run: \(String(describing: outcome.error))")
                return ("", [])
            }
            return (cached ? "cached" : "ran", last.outputs.map { "\($0)" })
        }
        let base = try run(".tanh", "0.5")
        #expect(try run(".tanh", "0.5").0 == "cached")
        let beta = try run(".tanh", "0.9")
        #expect(beta.0 == "ran" && beta.1 != base.1)
        let activation = try run(".sigmoid", "0.9")
        #expect(activation.0 == "ran" && activation.1 != beta.1)
    }
}

extension CacheCoverageTests {
    @Test func aLabEvaluatesAndExportsItsSamples() throws {
        try Self.makeData()
        let cache = NSTemporaryDirectory() + "lab-evaluate-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let lab = "# 평가\n\n```swift\nseed(1)\n" + Self.gan + """

            evaluate(gan, samples: 30)
            exportSamples(gan, count: 12, file: "samples.idx")
            ```
            """
        let (outcome, folder, _) = try runLab(lab, name: "eval.md") { runner in
            runner.settings.dataFolder = Self.data + "/mnist-eval"
            runner.settings.dataEnvironment = ["XDG_CACHE_HOME": cache]
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        guard case .step(let step)? = outcome.report.blocks.first(where: { if case .step = $0 { true } else { false } }) else { return }
        let table = step.outputs.compactMap { if case .table(let t) = $0 { t } else { nil } }.first
        #expect(table?.rows.map(\.first) == ["real digits (training images)", "GAN samples"])
        #expect(table?.footer.first?.contains("trained on MNIST (train, 40 images)") == true)
        let images = try IDX.readImages(folder + "/output/eval/samples.idx")
        #expect(images.count == 12 && images.rows == 28 && images.columns == 28)
        #expect(FileManager.default.fileExists(atPath: cache + "/lab/evaluator"))
    }
}
