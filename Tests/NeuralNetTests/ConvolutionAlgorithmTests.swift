@testable import NeuralNet
import Testing
import _TestSupport

/// The two direct ways `ConvolutionEngine` computes a convolution — one product over the patch matrix,
/// or one product per kernel tap over packed images — agree, and each matches Keras (Winograd
/// tiles: `WinogradTests`).
@Suite struct ConvolutionAlgorithmTests {
    /// Output, input gradient and weight gradients of `layer` on `input` with `upstream` above it.
    func run(_ layer: any Layer, _ input: Tensor, _ upstream: (Tensor) -> Tensor) -> [Tensor] {
        let output = layer.forward(input, training: true, slot: 0)
        let dx = layer.backward(upstream(output), slot: 0, needsInputGradient: true, accumulateParameterGradients: true)!
        return [output, dx] + layer.parameters.filter(\.isTrainable).map(\.gradient)
    }

    func setAlgorithm(_ algorithm: ConvolutionEngine.Algorithm, of layer: any Layer) {
        switch layer {
        case let conv as Conv2D: conv.engine!.algorithm = algorithm
        case let conv as Conv2DTranspose: conv.engine!.algorithm = algorithm
        default: Issue.record("\(layer.typeName) has no convolution engine")
        }
    }

    /// Two algorithms on the same layer, weights and data; returns the largest relative difference.
    func compareAlgorithms(_ make: () -> any Layer, inputShape: [Int],
                           algorithms: [ConvolutionEngine.Algorithm] = [.patches, .taps]) throws -> Float {
        let random = RandomGenerator(seed: 8)
        let input = random.uniformTensor(shape: inputShape, low: -1, high: 1)
        var results: [[Tensor]] = []
        for algorithm in algorithms {
            let layer = make()
            _ = try layer.build(inputShape: Array(inputShape.dropFirst()), random: RandomGenerator(seed: 9))
            setAlgorithm(algorithm, of: layer)
            // First on a smaller batch, then on the whole one: plans and reused buffers change size.
            _ = run(layer, input.rows(0..<1)) { RandomGenerator(seed: 10).uniformTensor(shape: $0.shape, low: -1, high: 1) }
            results.append(run(layer, input) { RandomGenerator(seed: 10).uniformTensor(shape: $0.shape, low: -1, high: 1) })
        }
        #expect(results[0].map(\.shape) == results[1].map(\.shape))
        return zip(results[0], results[1]).map { GradientCheck.maxRelativeError($0, $1) }.max()!
    }

    @Test func bothAlgorithmsAgreeOnEveryKindOfGeometry() throws {
        // Kernel gradients of the batches of 96 sum 4,704 rows, hence their rounding allowance.
        let cases: [(String, () -> any Layer, [Int])] = [
            ("DCGAN first transposed convolution (7×7, k5 s1)", { Conv2DTranspose(24, kernelSize: 5, strides: 1, padding: .same) }, [3, 7, 7, 20]),
            ("stride 2, k5, same", { Conv2DTranspose(6, kernelSize: 5, strides: 2, padding: .same, activation: .tanh) }, [2, 7, 7, 5]),
            ("stride 2, even kernel, valid", { Conv2DTranspose(4, kernelSize: 4, strides: 2, padding: .valid) }, [2, 3, 5, 3]),
            ("from 1×1, valid", { Conv2DTranspose(8, kernelSize: 4, strides: 1, padding: .valid, useBias: false) }, [2, 1, 1, 6]),
            ("Conv2D stride 2 on an odd width", { Conv2D(5, kernelSize: 5, strides: 2, padding: .same) }, [2, 9, 7, 4]),
            ("Conv2D k4 s2 same (Keras's uneven padding)", { Conv2D(6, kernelSize: 4, strides: 2, padding: .same) }, [2, 8, 8, 3]),
            ("Conv2D valid, stride 3", { Conv2D(3, kernelSize: 3, strides: 3, padding: .valid, activation: .relu) }, [1, 10, 11, 2]),
            ("Conv2D kernel as large as the image", { Conv2D(2, kernelSize: 5, padding: .valid, activation: .sigmoid) }, [2, 5, 5, 3]),
            // Batches large enough for the per-tap products to run in bands on all threads.
            ("banded, 7×7 k5 s1", { Conv2DTranspose(16, kernelSize: 5, strides: 1, padding: .same) }, [96, 7, 7, 16]),
            ("banded, 7×7 → 14×14 k5 s2", { Conv2DTranspose(16, kernelSize: 5, strides: 2, padding: .same) }, [96, 7, 7, 16]),
            ("banded, 14×14 → 7×7 k5 s2", { Conv2D(16, kernelSize: 5, strides: 2, padding: .same) }, [96, 14, 14, 16]),
        ]
        for (label, make, shape) in cases {
            let difference = try compareAlgorithms(make, inputShape: shape)
            #expect(difference < (shape[0] > 3 ? 1e-4 : 1e-5), "\(label)")
        }
    }

    @Test func theTapAlgorithmMatchesKerasOnEveryGoldenCase() throws {
        let check = ConvolutionTests()
        func checkWithTaps(_ layer: any Layer, _ golden: LayerCase) throws {
            _ = try layer.build(inputShape: Array(try golden.input.shape.dropFirst()), random: RandomGenerator(seed: 1))
            setAlgorithm(.taps, of: layer)
            try check.checkAgainstKeras(layer, golden, built: true)
        }
        for name in try Golden.layerCases(of: "Conv2D") {
            let golden = try Golden.layer(name)
            let (stride, padding) = check.settings(golden)
            try checkWithTaps(Conv2D(kernel: try golden.weight("kernel"), bias: try golden.weight("bias"),
                                     strides: stride, padding: padding), golden)
        }
        for name in try Golden.layerCases(of: "Conv2DTranspose") {
            let golden = try Golden.layer(name)
            let (stride, padding) = check.settings(golden)
            let bias = golden.config["use_bias"] as? Bool == true ? try golden.weight("bias") : nil
            try checkWithTaps(Conv2DTranspose(kernel: try golden.weight("kernel"), bias: bias, strides: stride, padding: padding), golden)
        }
    }

    @Test func tapRunsCoverExactlyThePixelsInsideTheImage() {
        // 7×7 grid, 5×5 kernel, stride 1, padding 2 (the DCGAN's first transposed convolution).
        let geometry = ConvolutionGeometry(imageHeight: 7, imageWidth: 7, channels: 1, gridHeight: 7, gridWidth: 7,
                                           kernelHeight: 5, kernelWidth: 5, strideY: 1, strideX: 1, padTop: 2, padLeft: 2)
        let plan = TapPlan(geometry: geometry, batch: 2)
        let connected = plan.runs.joined().reduce(0) { $0 + $1.rows }
        #expect(connected == 29 * 29 * 2, "29 of 35 taps per axis land inside a 7-pixel side")
        // The centre tap connects every cell to itself: one run over everything.
        #expect(plan.runs[12] == [TapPlan.Run(image: 0, grid: 0, rows: 98)])
        #expect(ConvolutionEngine.fastestDirectAlgorithm(geometry: geometry, gridChannels: 1) == .singleChannel, "one image channel")
        var narrow = geometry
        narrow.channels = 2
        #expect(ConvolutionEngine.fastestDirectAlgorithm(geometry: narrow, gridChannels: 1) == .patches, "too few channels")
        var wide = geometry
        wide.channels = 128
        #expect(ConvolutionEngine.fastestDirectAlgorithm(geometry: wide, gridChannels: 256) == .taps)
    }

    @Test func bandsSplitEveryRunWithoutOverlapOrLoss() {
        // The DCGAN's 14×14 ↔ 7×7 k5 s2 geometry: phases, holes and clipped edges.
        let geometry = ConvolutionGeometry(imageHeight: 14, imageWidth: 14, channels: 1, gridHeight: 7, gridWidth: 7,
                                           kernelHeight: 5, kernelWidth: 5, strideY: 2, strideX: 2, padTop: 1, padLeft: 1)
        let plan = TapPlan(geometry: geometry, batch: 3)
        for side in [TapPlan.Side.image, .grid] {
            let rows = side == .image ? plan.imageRows : plan.gridRows
            for bands in [2, 3, 5] {
                let size = (rows + bands - 1) / bands
                for (tap, runs) in plan.runs.enumerated() {
                    for run in runs {
                        var covered = 0
                        for band in 0..<bands {
                            let range = min(band * size, rows)..<min((band + 1) * size, rows)
                            guard let part = run.clipped(to: range, on: side) else { continue }
                            let start = side == .image ? part.image : part.grid
                            #expect(range.contains(start) && start + part.rows <= range.upperBound, "tap \(tap)")
                            #expect(part.image - part.grid == run.image - run.grid, "both sides move together")
                            covered += part.rows
                        }
                        #expect(covered == run.rows, "tap \(tap), \(bands) bands on the \(side) side")
                    }
                }
            }
        }
    }

    @Test func perTapProductsAreChosenWhereMuchOfThePatchMatrixIsPadding() {
        func choice(image: Int, grid: Int, kernel: Int, stride: Int, pad: Int) -> ConvolutionEngine.Algorithm {
            let geometry = ConvolutionGeometry(imageHeight: image, imageWidth: image, channels: 64, gridHeight: grid,
                                               gridWidth: grid, kernelHeight: kernel, kernelWidth: kernel,
                                               strideY: stride, strideX: stride, padTop: pad, padLeft: pad)
            return ConvolutionEngine.fastestDirectAlgorithm(geometry: geometry, gridChannels: 128)
        }
        #expect(choice(image: 14, grid: 7, kernel: 5, stride: 2, pad: 1) == .taps, "the DCGAN's 14×14 ↔ 7×7, 16 % padding")
        #expect(choice(image: 14, grid: 10, kernel: 5, stride: 1, pad: 0) == .patches, "valid: no padding")
        #expect(choice(image: 32, grid: 16, kernel: 4, stride: 2, pad: 1) == .patches, "3 % padding")
    }
}
