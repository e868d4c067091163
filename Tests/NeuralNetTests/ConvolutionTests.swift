import NeuralNet
import Testing
import _TestSupport

/// Convolutions, transposed convolutions, upsampling and pooling: Keras parity on every golden
/// case, gradient checks, and the course's convolutional models.
@Suite struct ConvolutionTests {
    /// Runs a layer on a golden case and compares output, input gradient and weight gradients.
    /// `built` says the caller has built the layer already.
    func checkAgainstKeras(_ layer: any Layer, _ golden: LayerCase, built: Bool = false) throws {
        let input = try golden.input
        if !built { _ = try layer.build(inputShape: Array(input.shape.dropFirst()), random: RandomGenerator(seed: 1)) }
        let output = layer.forward(input, training: golden.training, slot: 0)
        #expect(output.isClose(to: try golden.output, tolerance: 1e-5), "\(golden.name) output")
        let dx = layer.backward(try golden.upstreamGradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)
        #expect(dx?.isClose(to: try golden.gradient("input"), tolerance: 1e-5) == true, "\(golden.name) input gradient")
        for parameter in layer.parameters where golden.hasGradient(parameter.name) {
            #expect(parameter.gradient.isClose(to: try golden.gradient(parameter.name), tolerance: 1e-5),
                    "\(golden.name) \(parameter.name) gradient")
        }
    }

    func settings(_ golden: LayerCase) -> (stride: Int, padding: Padding) {
        ((golden.config["strides"] as? [Int])?[0] ?? 1, golden.config["padding"] as? String == "same" ? .same : .valid)
    }

    @Test func everyConv2DCaseMatchesKeras() throws {
        let names = try Golden.layerCases(of: "Conv2D")
        #expect(names.count == 4)
        for name in names {
            let golden = try Golden.layer(name)
            let (stride, padding) = settings(golden)
            try checkAgainstKeras(Conv2D(kernel: try golden.weight("kernel"), bias: try golden.weight("bias"),
                                         strides: stride, padding: padding), golden)
        }
    }

    @Test func everyConv2DTransposeCaseMatchesKeras() throws {
        let names = try Golden.layerCases(of: "Conv2DTranspose")
        #expect(names.count == 6)
        for name in names {
            let golden = try Golden.layer(name)
            let (stride, padding) = settings(golden)
            let bias = golden.config["use_bias"] as? Bool == true ? try golden.weight("bias") : nil
            try checkAgainstKeras(Conv2DTranspose(kernel: try golden.weight("kernel"), bias: bias,
                                                  strides: stride, padding: padding), golden)
        }
    }

    @Test func upsamplingAndPoolingMatchKeras() throws {
        try checkAgainstKeras(UpSampling2D(size: 2), try Golden.layer("upsampling2d_2"))
        for name in try Golden.layerCases(of: "MaxPooling2D") {
            try checkAgainstKeras(MaxPooling2D(poolSize: 3, strides: 2), try Golden.layer(name))
        }
    }

    /// Central differences of sum(output · upstream) against the analytic gradients.
    func gradientCheck(_ make: () -> any Layer, inputShape: [Int]) throws {
        let random = RandomGenerator(seed: 21)
        let layer = make()
        _ = try layer.build(inputShape: Array(inputShape.dropFirst()), random: random)
        let input = random.uniformTensor(shape: inputShape, low: -1, high: 1)
        let output = layer.forward(input, training: true, slot: 0)
        let upstream = random.uniformTensor(shape: output.shape, low: -1, high: 1)
        let analytic = try #require(layer.backward(upstream, slot: 0, needsInputGradient: true, accumulateParameterGradients: true))
        let numeric = GradientCheck.numericGradient(of: input) { x in
            GradientCheck.weightedSum(layer.forward(x, training: true, slot: 1), upstream)
        }
        #expect(GradientCheck.maxRelativeError(analytic, numeric) < 2e-3, "\(layer.typeName) input gradient")
        for parameter in layer.parameters where parameter.isTrainable {
            let original = parameter.value
            let numericWeight = GradientCheck.numericGradient(of: original) { w in
                parameter.value = w
                defer { parameter.value = original }
                return GradientCheck.weightedSum(layer.forward(input, training: true, slot: 1), upstream)
            }
            #expect(GradientCheck.maxRelativeError(parameter.gradient, numericWeight) < 2e-3, "\(layer.typeName) \(parameter.name)")
        }
    }

    @Test func convolutionGradients() throws {
        try gradientCheck({ Conv2D(3, kernelSize: 3, strides: 2, padding: .same, activation: .tanh) }, inputShape: [2, 5, 4, 2])
        try gradientCheck({ Conv2D(2, kernelSize: 4, strides: 2, padding: .same) }, inputShape: [1, 6, 6, 1])
        try gradientCheck({ Conv2D(2, kernelSize: 3, padding: .valid, useBias: false) }, inputShape: [1, 5, 5, 2])
        try gradientCheck({ Conv2DTranspose(2, kernelSize: 5, strides: 2, padding: .same, activation: .sigmoid) }, inputShape: [1, 3, 3, 2])
        try gradientCheck({ Conv2DTranspose(2, kernelSize: 4, strides: 1, padding: .valid) }, inputShape: [2, 1, 1, 3])
        try gradientCheck({ UpSampling2D(size: 2) }, inputShape: [1, 2, 3, 2])
        try gradientCheck({ MaxPooling2D(poolSize: 2, padding: .same) }, inputShape: [1, 5, 5, 2])
        // The `002_…` notebook's layers: 3×3 `same` convolutions from one channel, overlapping pools.
        try gradientCheck({ Conv2D(4, kernelSize: 3, padding: .same) }, inputShape: [2, 6, 6, 1])
        try gradientCheck({ Conv2D(3, kernelSize: 3, padding: .same) }, inputShape: [2, 5, 5, 4])
        try gradientCheck({ MaxPooling2D(poolSize: 3, strides: 2) }, inputShape: [1, 7, 7, 2])
    }

    /// The `004_…` notebook's 64×64 models: Keras 3.15.1 counts G 3,576,576 (1,920 non-trainable)
    /// and D 2,765,312 (1,792), output shapes (None, 64, 64, 1) and (None, 1).
    @Test func theBrickNotebooksModelsMatchKerasCountsAndShapes() throws {
        let random = RandomGenerator(seed: 2024)
        let g = try ChapterModels.dcgan64Generator(random: random).summary()
        let d = try ChapterModels.dcgan64Discriminator(random: random).summary()
        #expect(g.totalParameters == 3_576_576 && g.nonTrainableParameters == 1_920)
        #expect(d.totalParameters == 2_765_312 && d.nonTrainableParameters == 1_792)
        #expect(g.rows.last?.outputShape == [64, 64, 1] && d.rows.last?.outputShape == [1])
        #expect(g.rows.map(\.outputShape).prefix(2) == [[1, 1, 100], [4, 4, 512]])
    }

    @Test func chaptersDCGANMatchesKerasCountsAndShapes() throws {
        let counts = try Golden.object("parameter_counts")
        let random = RandomGenerator(seed: 2024)
        let generator = try ChapterModels.dcganGenerator(random: random)
        let discriminator = try ChapterModels.dcganDiscriminator(random: random)
        let g = generator.summary(), d = discriminator.summary()
        #expect(g.totalParameters == counts["dcgan_generator"] as? Int)
        #expect(g.nonTrainableParameters == counts["dcgan_generator_non_trainable"] as? Int)
        #expect(d.totalParameters == counts["dcgan_discriminator"] as? Int)
        #expect(g.rows.map(\.outputShape) == [
            [12544], [12544], [12544], [7, 7, 256], [7, 7, 128], [7, 7, 128], [7, 7, 128],
            [14, 14, 64], [14, 14, 64], [14, 14, 64], [28, 28, 1],
        ])
        #expect(g.rows.map(\.parameters) == [1_254_400, 50_176, 0, 0, 819_200, 512, 0, 204_800, 256, 0, 1_601])
        #expect(d.rows.map(\.outputShape) == [[14, 14, 64], [14, 14, 64], [14, 14, 64], [7, 7, 128], [7, 7, 128], [7, 7, 128], [6272], [1]])
        #expect(d.rows.map(\.parameters) == [1_664, 0, 0, 204_928, 0, 0, 0, 6_273])
        let images = try generator(RandomGenerator(seed: 1).normalTensor(shape: [2, 100]))
        #expect(images.shape == [2, 28, 28, 1])
        #expect(try discriminator(images).shape == [2, 1])
    }

    @Test func theCoursesOtherConvolutionalModelsBuild() throws {
        let random = RandomGenerator(seed: 1)
        // 002: a 10-dimensional input, UpSampling2D generator; Conv2D + MaxPooling2D discriminator.
        let upsampling = try Sequential("G002", inputShape: [10], random: random) {
            Dense(7 * 7 * 64, activation: .relu)
            Reshape([7, 7, 64])
            UpSampling2D(size: 2)
            Conv2D(32, kernelSize: 3, padding: .same, activation: .relu)
            UpSampling2D(size: 2)
            Conv2D(1, kernelSize: 3, padding: .same, activation: .tanh)
        }
        #expect(upsampling.outputShape == [28, 28, 1])
        let pooling = try Sequential("D002", inputShape: [28, 28, 1], random: random) {
            Conv2D(32, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(poolSize: 3, strides: 2)
            Conv2D(64, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(poolSize: 3, strides: 2)
            Flatten()
            Dense(1, activation: .sigmoid)
        }
        #expect(pooling.outputShapes[1] == [13, 13, 32] && pooling.outputShapes[3] == [6, 6, 64])
        // 004: a 64×64 DCGAN, Conv2DTranspose from 1×1×100 with 'valid', then 'same'.
        let big = try Sequential("G004", inputShape: [1, 1, 100], random: random) {
            Conv2DTranspose(512, kernelSize: 4, strides: 1, padding: .valid, useBias: false)
            Conv2DTranspose(256, kernelSize: 4, strides: 2, padding: .same, useBias: false)
            Conv2DTranspose(128, kernelSize: 4, strides: 2, padding: .same, useBias: false)
            Conv2DTranspose(64, kernelSize: 4, strides: 2, padding: .same, useBias: false)
            Conv2DTranspose(1, kernelSize: 4, strides: 2, padding: .same, activation: .tanh)
        }
        #expect(big.outputShapes.map { $0[0] } == [4, 8, 16, 32, 64])
        let critic = try Sequential("D004", inputShape: [64, 64, 1], random: random) {
            Conv2D(64, kernelSize: 4, strides: 2, padding: .same)
            Conv2D(128, kernelSize: 4, strides: 2, padding: .same)
            Conv2D(256, kernelSize: 4, strides: 2, padding: .same)
            Conv2D(1, kernelSize: 8, padding: .valid, activation: .sigmoid)
        }
        #expect(critic.outputShapes.map { $0[0] } == [32, 16, 8, 1] && critic.outputShape == [1, 1, 1])
    }

    @Test func badConvolutionSettingsAreErrorsNamingLayerAndShapes() {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        let random = RandomGenerator(seed: 1)
        #expect(message { _ = try Sequential("m", inputShape: [3, 3, 1], random: random) { Conv2D(4, kernelSize: 5) } }
            .contains("conv2d (Conv2D): a 5×5 kernel with 'valid' padding does not fit input (None, 3, 3, 1)"))
        #expect(message { _ = try Sequential("m", inputShape: [8, 8, 1], random: random) { Conv2D(4, kernelSize: 3, strides: 0) } }
            .contains("positive strides, got 0"))
        #expect(message { _ = try Sequential("m", inputShape: [64], random: random) { Conv2D(4, kernelSize: 3) } }
            .contains("takes images (height, width, channels), got (None, 64)"))
        #expect(message { _ = try Sequential("m", inputShape: [100], random: random) { Dense(12544); Reshape([7, 7, 128]) } }
            .contains("cannot turn (None, 12544) (12544 values) into (None, 7, 7, 128) (6272 values)"))
    }
}

/// Spectral normalisation keeps the kernel's largest singular value at 1.
@Suite struct SpectralNormalizationTests {
    @Test func theLeadingSingularValueConvergesToOne() throws {
        // Singular values 3 and 1: after normalisation they become 1 and 1/3.
        let dense = Dense(kernel: Tensor(shape: [2, 2], scalars: [3, 0, 0, 1]), bias: nil)
        let wrapped = SpectralNormalization(dense)
        let model = try Sequential("sn", inputShape: [2], random: RandomGenerator(seed: 3), layers: [wrapped])
        for _ in 0..<30 { _ = model.forward(Tensor(shape: [1, 2], scalars: [1, 1]), training: true) }
        let kernel = try #require(dense.kernel).value
        #expect(kernel.isClose(to: Tensor(shape: [2, 2], scalars: [1, 0, 0, 1.0 / 3]), tolerance: 1e-4))
        #expect(model.summary().rows[0].parameters == 4 + 2, "kernel plus the vector u (Keras counts it)")
        #expect(model.summary().nonTrainableParameters == 2)
        _ = try model(Tensor(shape: [1, 2], scalars: [1, 1]))
        #expect(dense.kernel!.value == kernel, "inference leaves the kernel alone")
    }

    @Test func aSpectrallyNormalisedDiscriminatorTrains() throws {
        let random = RandomGenerator(seed: 5)
        let discriminator = try Sequential("D", inputShape: [8, 8, 1], random: random) {
            SpectralNormalization(Conv2D(4, kernelSize: 3, strides: 2, padding: .same))
            LeakyReLU(alpha: 0.2)
            Flatten()
            SpectralNormalization(Dense(1, activation: .sigmoid))
        }
        let generator = try Sequential("G", inputShape: [4], random: random) {
            Dense(64, activation: .tanh)
            Reshape([8, 8, 1])
        }
        let gan = try GAN(generator: generator, discriminator: discriminator,
                          generatorOptimizer: Adam(learningRate: 1e-3), discriminatorOptimizer: Adam(learningRate: 1e-3),
                          loss: BinaryCrossentropy(), random: random)
        let history = try gan.train(on: random.uniformTensor(shape: [64, 8, 8, 1], low: -1, high: 1), epochs: 3, batchSize: 16)
        let finite = history.discriminatorLosses.allSatisfy { $0.isFinite }
        #expect(finite)
        for case let layer as SpectralNormalization in discriminator.layers {
            let kernel = try #require(layer.layer.kernel).value
            let outputs = kernel.shape.last!
            // The largest singular value by 200 power iterations from scratch.
            var u = [Float](repeating: 1, count: outputs), sigma: Float = 0
            for _ in 0..<200 {
                var v = [Float](repeating: 0, count: kernel.count / outputs)
                for r in v.indices { for c in 0..<outputs { v[r] += kernel.scalars[r * outputs + c] * u[c] } }
                var next = [Float](repeating: 0, count: outputs)
                for r in v.indices { for c in 0..<outputs { next[c] += kernel.scalars[r * outputs + c] * v[r] } }
                let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                sigma = norm.squareRoot()
                u = next.map { $0 / norm }
            }
            #expect(abs(sigma - 1) < 0.1, "σ = \(sigma) after training")
        }
    }
}
