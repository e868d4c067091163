import Foundation
import NeuralNet
import Raster
import Report
import SwiftSyntax

extension Vocabulary {
    /// Image grids, the chapter's loss charts and the training animation; each adds a figure to
    /// the step's output.
    static var figures: VocabularyDomain { VocabularyDomain(functions: [
        "imageGrid": ([.init(nil, .any), .init("rows", .int), .init("columns", .int), .init("captions", .any, .array([])),
                       .init("title", .string, .string("")), .init("vmin", .number, .double(-1)), .init("vmax", .number, .double(1)),
                       .init("scale", .int, .int(3)), .init("cmap", .string, .string("gray"))], { args, call, evaluator in
            let (images, side, labels) = try gridImages(args[0], call, evaluator)
            // matplotlib's name, as in `imshow(x, cmap='Greys')`.
            guard let colorMap = ColorMap(matplotlibName: args.string("cmap")) else {
                throw evaluator.error(at: call, "imageGrid has no colour map '\(args.string("cmap"))'; cmap: takes "
                    + ColorMap.allCases.map { "\"\($0.matplotlibName)\"" }.joined(separator: ", ")
                    + suggestion(args.string("cmap"), in: ColorMap.allCases.map(\.matplotlibName)))
            }
            // Captions: the given strings, or a data set's labels when `captions: true`.
            var captions: [String]? = nil
            switch args["captions"] {
            case .array(let items) where !items.isEmpty: captions = items.map(\.shortPrinted)
            case .bool(true): captions = labels?.map(String.init)
            default: break
            }
            let grid = ImageGrid(images: images, imageWidth: side, imageHeight: side, rows: args.int("rows"), columns: args.int("columns"),
                                 vmin: args.float("vmin"), vmax: args.float("vmax"), colorMap: colorMap, scale: args.int("scale"), padding: 6,
                                 captions: captions, title: args.string("title").isEmpty ? nil : args.string("title"))
            if let problem = grid.validate() { throw evaluator.error(at: call, "imageGrid: \(problem)") }
            try addFigure(grid.render(), caption: args.string("title"), call, evaluator)
            return .void
        }),
        "lossChart": ([.init(nil, .any), .init("title", .string, .string("Simple GAN 학습 분석"))], { args, call, evaluator in
            guard case .history(let history) = args[0], history.completedEpochs > 0 else {
                throw evaluator.error(at: call, "lossChart expects the history of a finished training run")
            }
            let epochs = (1...history.completedEpochs).map(Float.init)
            let g = history.generatorLosses, d = history.discriminatorLosses
            // The chapter's two panels, labelled as it labels them.
            let loss = LineChart(
                title: "GAN 학습 손실 곡선", xLabel: "에포크", yLabel: "손실",
                series: [LineSeries(x: epochs, y: g, label: "Generator 손실", color: Color.tab10[0], marker: .circle, markerSize: 5),
                         LineSeries(x: epochs, y: d, label: "Discriminator 손실", color: Color.tab10[3], marker: .square, markerSize: 5)],
                referenceLines: [ReferenceLine(y: Float(Foundation.log(2.0)), label: "균형점 (ln2≈0.693)")])
            let ratio = LineChart(
                title: "G/D 손실 비율 (균형 모니터링)", xLabel: "에포크", yLabel: "G 손실 / D 손실",
                series: [LineSeries(x: epochs, y: zip(g, d).map { $1 > 0 ? $0 / $1 : 0 }, color: Color.tab10[2], marker: .triangleUp, markerSize: 6)],
                referenceLines: [ReferenceLine(y: 1, label: "G/D = 1.0 (이상적 균형)")])
            let figure = Figure(title: args.string("title"), panels: [loss, ratio]).render().canvas
            try addFigure(figure, caption: args.string("title"), call, evaluator)
            return .void
        }),
        // Numbers per iteration (a loop's losses): each series faint as measured and bold as the
        // mean of the last `smoothing` values.
        "lineChart": ([.init(nil, .any), .init("names", .any, .array([])), .init("title", .string, .string("")), .init("xLabel", .string, .string("iteration")),
                       .init("yLabel", .string, .string("")), .init("smoothing", .int, .int(1))], { args, call, evaluator in
            guard case .array(let items) = args[0], !items.isEmpty, items.count <= 10 else {
                throw evaluator.error(at: call, "lineChart expects one to ten arrays of numbers, as in lineChart([d_losses, g_losses])")
            }
            let series = try items.map { item -> [Float] in
                guard case .array(let values) = item, !values.isEmpty else { throw evaluator.error(at: call, "lineChart expects arrays of numbers, got \(item.typeName)") }
                return try values.map { v in
                    guard let number = Operators.number(v), Float(number).isFinite else { throw evaluator.error(at: call, "lineChart expects finite numbers, got \(v.shortPrinted)") }
                    return Float(number)
                }
            }
            guard case .array(let labels) = args["names"], labels.isEmpty || labels.count == series.count else {
                throw evaluator.error(at: call, "names: takes one name per series")
            }
            let window = args.int("smoothing")
            guard (1...100_000).contains(window) else { throw evaluator.error(at: call, "smoothing: takes 1 (none) to 100,000 values, got \(window)") }
            var lines: [LineSeries] = []
            for (index, values) in series.enumerated() {
                let x = (1...values.count).map(Float.init), color = Color.tab10[index % 10]
                let name = labels.isEmpty ? "series \(index + 1)" : labels[index].shortPrinted
                if window > 1 {
                    lines.append(LineSeries(x: x, y: values, color: color.withAlpha(0.25), lineWidth: 1))
                    lines.append(LineSeries(x: x, y: trailingMeans(values, window: window), label: "\(name) (\(window)개 평균)", color: color))
                } else {
                    lines.append(LineSeries(x: x, y: values, label: name, color: color))
                }
            }
            let title = args.string("title")
            let chart = LineChart(title: title.isEmpty ? nil : title, xLabel: args.string("xLabel"), yLabel: args.string("yLabel"), series: lines)
            try addFigure(Figure(title: nil, panels: [chart]).render().canvas, caption: title.isEmpty ? "chart" : title, call, evaluator)
            return .void
        }),
        "qualityChart": ([.init(nil, .any), .init("names", .any, .array([])), .init("title", .string, .string("Quality during training"))], { args, call, evaluator in
            let histories = try evaluatedHistories(args[0], call, evaluator)
            guard case .array(let labels) = args["names"], labels.isEmpty || labels.count == histories.count else {
                throw evaluator.error(at: call, "names: takes one name per history")
            }
            let names = labels.isEmpty ? histories.indices.map { histories.count == 1 ? "FID" : "run \($0 + 1)" } : labels.map(\.shortPrinted)
            if evaluator.environment.checkOnly { return .void }  // `lab check` measured nothing to draw.
            let figure = Figure(title: args.string("title"), panels: qualityPanels(histories, names: names)).render().canvas
            try addFigure(figure, caption: args.string("title"), call, evaluator)
            return .void
        }),
        // The notebook's `plt.savefig(f'image_at_epoch_{epoch:04d}.png')` after every epoch: one
        // 4×4 grid file per epoch beside the report, linked from it.
        "saveEpochImages": ([.init(nil, .any), .init("prefix", .string, .string("image_at_epoch_"))], { args, call, evaluator in
            guard case .history(let history) = args[0], history.completedEpochs > 0 else {
                throw evaluator.error(at: call, "saveEpochImages expects the history of a finished training run")
            }
            let prefix = args.string("prefix")
            let names = (1...history.completedEpochs).map { prefix + String(format: "%04d", $0) + ".png" }
            guard names.allSatisfy(SavedFilesOutput.isValidFileName) else {
                throw evaluator.error(at: call, "prefix: takes letters, digits, '_' and '-' (not 'figure-' or 'index'), got '\(prefix)'")
            }
            var files: [SavedFilesOutput.SavedFile] = []
            for (name, samples) in zip(names, history.epochSamples) {
                try evaluator.checkInterruption(at: call)
                let (images, side, _) = try gridImages(.tensor(samples), call, evaluator)
                let grid = ImageGrid(images: Array(images.prefix(16)), imageWidth: side, imageHeight: side, rows: 4, columns: 4,
                                     vmin: -1, vmax: 1, scale: 3, padding: 6).render()
                do {
                    files.append(.init(name: name, data: try PNG.encode(grid.pixelImage())))
                } catch {
                    throw evaluator.error(at: call, "cannot encode \(name) (\(error))")
                }
            }
            evaluator.environment.append(.files(SavedFilesOutput(caption: "4×4 samples after each epoch", files: files)))
            return .void
        }),
        "animation": ([.init(nil, .any), .init("title", .string, .string(""))], { args, call, evaluator in
            guard case .history(let history) = args[0], history.completedEpochs > 0 else {
                throw evaluator.error(at: call, "animation expects the history of a finished training run")
            }
            var frames: [Canvas] = []
            for (index, samples) in history.epochSamples.enumerated() {
                let (images, side, _) = try gridImages(.tensor(samples), call, evaluator)
                let count = min(images.count, 16)
                frames.append(ImageGrid(images: Array(images.prefix(count)), imageWidth: side, imageHeight: side, rows: 4, columns: 4,
                                        vmin: -1, vmax: 1, scale: 3, padding: 6, title: "epoch \(index + 1)").render())
            }
            // One frame size (a training's samples all have one shape; a replayed history is checked).
            guard let first = frames.first, frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
                throw evaluator.error(at: call, "animation expects samples of one shape after every epoch")
            }
            var gif = AnimatedGIF(width: first.width, height: first.height)
            for frame in frames { gif.append(frame, delay: 40) }
            evaluator.environment.addFigure(bytes: gif.encoded(), extension: "gif",
                                            caption: args.string("title").isEmpty ? "training progress" : args.string("title"))
            return .void
        }),
    ]) }

    /// The mean of each value and the `window − 1` before it (fewer at the start).
    static func trailingMeans(_ values: [Float], window: Int) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(values.count)
        var sum: Double = 0
        for (index, value) in values.enumerated() {
            sum += Double(value)
            if index >= window { sum -= Double(values[index - window]) }
            result.append(Float(sum / Double(min(index + 1, window))))
        }
        return result
    }

    /// One history or an array of them, each with evaluations (`train(…, evaluateEvery:)`).
    static func evaluatedHistories(_ value: Value, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> [GANHistory] {
        let items: [Value]
        if case .array(let array) = value { items = array } else { items = [value] }
        guard !items.isEmpty, items.count <= 10 else { throw evaluator.error(at: call, "expects one to ten training histories") }
        return try items.map {
            guard case .history(let history) = $0 else { throw evaluator.error(at: call, "expects training histories, got \($0.typeName)") }
            guard history.evaluationInterval > 0 else {
                throw evaluator.error(at: call, "this history has no quality measurements; train with evaluateEvery: (e.g. gan.train(…, evaluateEvery: 5))")
            }
            guard !history.evaluations.isEmpty || evaluator.environment.checkOnly else {
                throw evaluator.error(at: call, "this training stopped after \(history.completedEpochs) epochs, before its first quality "
                                      + "measurement (epoch \(history.evaluationInterval))")
            }
            return history
        }
    }

    /// FID and classes covered per evaluated epoch; with several runs also FID against the
    /// seconds of training it took (which model reaches a quality sooner on this computer).
    static func qualityPanels(_ histories: [GANHistory], names: [String]) -> [LineChart] {
        let markers: [MarkerShape] = [.circle, .square, .triangleUp]
        func series(_ history: GANHistory, _ index: Int, x: (EpochEvaluation) -> Float, y: (EpochEvaluation) -> Float) -> LineSeries {
            LineSeries(x: history.evaluations.map(x), y: history.evaluations.map(y), label: names[index],
                       color: Color.tab10[index % 10], marker: markers[index % markers.count], markerSize: 5)
        }
        let epoch: (EpochEvaluation) -> Float = { Float($0.epoch) }
        var panels = [
            LineChart(title: "FID per evaluated epoch (lower is better)", xLabel: "epoch", yLabel: "FID",
                      series: histories.enumerated().map { series($1, $0, x: epoch, y: { Float($0.fid) }) }),
            LineChart(title: "Classes covered (2 % of the samples or more)", xLabel: "epoch", yLabel: "classes",
                      series: histories.enumerated().map { series($1, $0, x: epoch, y: { Float($0.classesCovered) }) },
                      referenceLines: [ReferenceLine(y: 10, label: "all 10")]),
        ]
        if histories.count > 1 {
            panels.append(LineChart(
                title: "FID against training time", xLabel: "seconds of training", yLabel: "FID",
                series: histories.enumerated().map { index, history in
                    series(history, index, x: { Float(history.trainingSeconds(through: $0.epoch)) }, y: { Float($0.fid) })
                }))
        }
        return panels
    }

    /// The images of a tensor `[n, 784]` or `[n, h, w, 1]` (square) or of a data set, with its labels.
    static func gridImages(_ value: Value, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> ([[Float]], Int, [Int]?) {
        let tensor: Tensor
        var labels: [Int]? = nil
        switch value {
        case .tensor(let t): tensor = t
        case .dataset(let d): tensor = d.images; labels = d.labels
        default: throw evaluator.error(at: call, "expects images (a Tensor or a Dataset), got \(value.typeName)")
        }
        let item = tensor.itemSize
        let side = Int(Double(item).squareRoot())
        guard side * side == item else {
            throw evaluator.error(at: call, "expects square gray images, got items of shape \(Array(tensor.shape.dropFirst()))")
        }
        return ((0..<tensor.batchSize).map { Array(tensor.scalars[($0 * item)..<(($0 + 1) * item)]) }, side, labels)
    }

    static func addFigure(_ canvas: Canvas, caption: String, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws {
        do {
            evaluator.environment.addFigure(bytes: try PNG.encode(canvas.pixelImage()), extension: "png", caption: caption)
        } catch {
            throw evaluator.error(at: call, "cannot encode the figure (\(error))")
        }
    }
}
