@testable import NeuralNet
import Testing
import _TestSupport

/// Convolutions whose image side has one channel run straight from the image and the grid
/// (`SingleChannelConvolution`): each of the three products against its definition, summed in
/// double precision here, on every instruction set the CPU has; whole layers against the patch
/// matrix and against Keras.
@Suite struct SingleChannelConvolutionTests {
    /// Geometries with their grid channels: cells several at a time and one at a time, channels
    /// in blocks of 64 and 16 and one by one, 9 to 49 taps, padding on every side, pixels no tap
    /// reads (valid padding with leftovers).
    static let cases: [(label: String, geometry: ConvolutionGeometry, channels: Int)] = [
        ("the 64×64 discriminator's first layer, k4 s2 same", geometry(12, 12, 6, 6, kernel: 4, stride: 2, pad: 1), 64),
        ("the chapter's first layer, k5 s2 same, 20 channels", geometry(28, 28, 14, 14, kernel: 5, stride: 2, pad: 1), 20),
        ("k3 s1 valid on an odd image, 5 channels", geometry(9, 7, 7, 5, kernel: 3, stride: 1, pad: 0), 5),
        ("k7 s3 valid, pixels no tap reads, 33 channels", geometry(13, 12, 3, 2, kernel: 7, stride: 3, pad: 0), 33),
        ("one cell from k4 valid, 144 channels", geometry(4, 4, 1, 1, kernel: 4, stride: 1, pad: 0), 144),
        ("1×1 kernel, stride 2: pixels between the taps", geometry(9, 9, 5, 5, kernel: 1, stride: 2, pad: 0), 16),
        ("a 2 × 4 kernel, strides 1 and 2, padded", ConvolutionGeometry(
            imageHeight: 6, imageWidth: 9, channels: 1, gridHeight: 6, gridWidth: 5, kernelHeight: 2, kernelWidth: 4,
            strideY: 1, strideX: 2, padTop: 0, padLeft: 1), 48),
        ("a 5 × 2 kernel, 64 taps' worth of channels", ConvolutionGeometry(
            imageHeight: 7, imageWidth: 6, channels: 1, gridHeight: 3, gridWidth: 5, kernelHeight: 5, kernelWidth: 2,
            strideY: 2, strideX: 1, padTop: 1, padLeft: 0), 80),
    ]

    static func geometry(_ imageHeight: Int, _ imageWidth: Int, _ gridHeight: Int, _ gridWidth: Int,
                         kernel: Int, stride: Int, pad: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(imageHeight: imageHeight, imageWidth: imageWidth, channels: 1, gridHeight: gridHeight,
                            gridWidth: gridWidth, kernelHeight: kernel, kernelWidth: kernel, strideY: stride,
                            strideX: stride, padTop: pad, padLeft: pad)
    }

    /// Calls `body(n, i, j, tap, pixel)` for every tap of every cell that reads an image pixel
    /// (`pixel`, its index in the batch).
    static func forEachConnection(_ g: ConvolutionGeometry, batch: Int, _ body: (Int, Int, Int, Int, Int) -> Void) {
        for n in 0..<batch {
            for i in 0..<g.gridHeight {
                for j in 0..<g.gridWidth {
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let (y, x) = (i * g.strideY - g.padTop + ky, j * g.strideX - g.padLeft + kx)
                            guard (0..<g.imageHeight).contains(y), (0..<g.imageWidth).contains(x) else { continue }
                            body(n, i, j, ky * g.kernelWidth + kx, (n * g.imageHeight + y) * g.imageWidth + x)
                        }
                    }
                }
            }
        }
    }

    /// The largest |a − b| / max(1, |b|).
    func largestError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
    }

    @Test func everyProductMatchesItsDefinitionOnEveryInstructionSet() {
        let batch = 3
        for (label, g, channels) in Self.cases {
            let random = RandomGenerator(seed: 21)
            let taps = g.kernelHeight * g.kernelWidth, cells = g.gridHeight * g.gridWidth
            let image = random.uniformTensor(shape: [batch * g.imageHeight * g.imageWidth], low: -1, high: 1).scalars
            let grid = random.uniformTensor(shape: [batch * cells * channels], low: -1, high: 1).scalars
            let kernel = random.uniformTensor(shape: [taps * channels], low: -1, high: 1).scalars
            let gridBias = random.uniformTensor(shape: [channels], low: -1, high: 1).scalars
            let imageBias: Float = 0.375
            var expectedGrid = (0..<(batch * cells * channels)).map { Double(gridBias[$0 % channels]) }
            var expectedImage = [Double](repeating: Double(imageBias), count: image.count)
            var expectedGradient = kernel.map { Double($0) / 2 }  // what the gradient holds before
            Self.forEachConnection(g, batch: batch) { n, i, j, tap, pixel in
                let cell = (n * cells + i * g.gridWidth + j) * channels
                for c in 0..<channels {
                    expectedGrid[cell + c] += Double(image[pixel]) * Double(kernel[tap * channels + c])
                    expectedImage[pixel] += Double(grid[cell + c]) * Double(kernel[tap * channels + c])
                    expectedGradient[tap * channels + c] += Double(image[pixel]) * Double(grid[cell + c])
                }
            }
            for set in KernelInstructionSet.allCases where set.isSupported {
                let convolution = SingleChannelConvolution(geometry: g, gridChannels: channels, instructionSet: set)
                var gotGrid = [Float](repeating: .nan, count: expectedGrid.count)
                var gotImage = [Float](repeating: .nan, count: image.count)
                var gotGradient = kernel.map { $0 / 2 }
                kernel.withUnsafeBufferPointer { w in
                    gridBias.withUnsafeBufferPointer { b in
                        convolution.grid(from: image, batch: batch, kernel: w.baseAddress!, bias: b.baseAddress!, into: &gotGrid)
                    }
                    withUnsafePointer(to: imageBias) { b in
                        convolution.image(from: grid, batch: batch, kernel: w.baseAddress!, bias: b, into: &gotImage)
                    }
                }
                convolution.accumulateKernelGradient(image: image, grid: grid, batch: batch, into: &gotGradient, overwrite: false)
                #expect(largestError(gotGrid, expectedGrid) < 1e-5, "\(label), \(set): grid")
                #expect(largestError(gotImage, expectedImage) < 1e-5, "\(label), \(set): image")
                #expect(largestError(gotGradient, expectedGradient) < 1e-5, "\(label), \(set): kernel gradient")
                // Written over, not added to; and without biases.
                convolution.accumulateKernelGradient(image: image, grid: grid, batch: batch, into: &gotGradient, overwrite: true)
                #expect(largestError(gotGradient, zip(expectedGradient, kernel).map { $0 - Double($1) / 2 }) < 1e-5,
                        "\(label), \(set): kernel gradient written over")
                kernel.withUnsafeBufferPointer { w in
                    convolution.grid(from: image, batch: batch, kernel: w.baseAddress!, bias: nil, into: &gotGrid)
                    convolution.image(from: grid, batch: batch, kernel: w.baseAddress!, bias: nil, into: &gotImage)
                }
                #expect(largestError(gotGrid, expectedGrid.indices.map { expectedGrid[$0] - Double(gridBias[$0 % channels]) }) < 1e-5,
                        "\(label), \(set): grid without a bias")
                #expect(largestError(gotImage, expectedImage.map { $0 - Double(imageBias) }) < 1e-5,
                        "\(label), \(set): image without a bias")
            }
        }
    }

    @Test func layersWithOneImageChannelChooseItAndAgreeWithThePatchMatrix() throws {
        let compare = ConvolutionAlgorithmTests()
        let cases: [(String, () -> any Layer, [Int])] = [
            ("Conv2D k5 s2 same from one channel", { Conv2D(24, kernelSize: 5, strides: 2, padding: .same) }, [5, 28, 28, 1]),
            ("Conv2D k4 s2 same, no bias", { Conv2D(64, kernelSize: 4, strides: 2, padding: .same, useBias: false) }, [3, 16, 16, 1]),
            ("Conv2DTranspose k4 s2 same to one channel, tanh",
             { Conv2DTranspose(1, kernelSize: 4, strides: 2, padding: .same, activation: .tanh) }, [3, 8, 8, 32]),
            ("Conv2DTranspose k5 s2 same to one channel", { Conv2DTranspose(1, kernelSize: 5, strides: 2, padding: .same) }, [4, 7, 7, 16]),
        ]
        for (label, make, shape) in cases {
            let layer = make()
            _ = try layer.build(inputShape: Array(shape.dropFirst()), random: RandomGenerator(seed: 1))
            let engine = (layer as? Conv2D)?.engine ?? (layer as? Conv2DTranspose)?.engine
            #expect(engine?.algorithm == .singleChannel, "\(label) chooses the one-channel products")
            let difference = try compare.compareAlgorithms(make, inputShape: shape, algorithms: [.patches, .singleChannel])
            // Kernel gradients of the larger batches sum about a thousand cells, hence their allowance.
            #expect(difference < (shape[0] > 3 ? 1e-4 : 1e-5), "\(label)")
        }
    }

    @Test func theOneChannelProductsMatchKeras() throws {
        let check = ConvolutionTests(), compare = ConvolutionAlgorithmTests()
        var checked = 0
        for type in ["Conv2D", "Conv2DTranspose"] {
            for name in try Golden.layerCases(of: type) {
                let golden = try Golden.layer(name)
                let (stride, padding) = check.settings(golden)
                let bias = golden.config["use_bias"] as? Bool == true ? try golden.weight("bias") : nil
                let layer: any Layer = type == "Conv2D"
                    ? Conv2D(kernel: try golden.weight("kernel"), bias: bias, strides: stride, padding: padding)
                    : Conv2DTranspose(kernel: try golden.weight("kernel"), bias: bias, strides: stride, padding: padding)
                _ = try layer.build(inputShape: Array(try golden.input.shape.dropFirst()), random: RandomGenerator(seed: 1))
                let engine = (layer as? Conv2D)?.engine ?? (layer as? Conv2DTranspose)?.engine
                guard let engine, SingleChannelConvolution.fits(engine.geometry) else { continue }
                compare.setAlgorithm(.singleChannel, of: layer)
                try check.checkAgainstKeras(layer, golden, built: true)
                checked += 1
            }
        }
        #expect(checked == 3, "the golden file's one-channel cases: a Conv2D from 8×8×1, two Conv2DTranspose to one channel")
    }
}
