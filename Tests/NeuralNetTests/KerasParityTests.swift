import NeuralNet
import Testing
import _TestSupport

/// Outputs, gradients and optimizer trajectories agree with Keras (`keras-golden.json`).
@Suite struct KerasParityTests {
    /// Runs a built layer on a golden case: output, input gradient, and each named weight gradient.
    func check(_ layer: any Layer, _ golden: LayerCase, weights: [String: Parameter]) throws {
        let input = try golden.input
        _ = try layer.build(inputShape: Array(input.shape.dropFirst()), random: RandomGenerator(seed: 1))
        let output = layer.forward(input, training: golden.training, slot: 0)
        #expect(output.isClose(to: try golden.output, tolerance: 1e-5), "\(golden.name) output")
        let inputGradient = layer.backward(
            try golden.upstreamGradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)
        #expect(inputGradient?.isClose(to: try golden.gradient("input"), tolerance: 1e-5) == true, "\(golden.name) dx")
        for (name, parameter) in weights where golden.hasGradient(name) {
            #expect(parameter.gradient.isClose(to: try golden.gradient(name), tolerance: 1e-5), "\(golden.name) d\(name)")
        }
    }

    @Test func denseMatchesKeras() throws {
        let golden = try Golden.layer("dense_4_to_3")
        let dense = Dense(kernel: try golden.weight("kernel"), bias: try golden.weight("bias"))
        try check(dense, golden, weights: ["kernel": dense.kernel!, "bias": dense.bias!])
    }

    @Test(arguments: ["batchnorm_training_2d", "batchnorm_inference_2d", "batchnorm_training_4d"])
    func batchNormalizationMatchesKeras(name: String) throws {
        let golden = try Golden.layer(name)
        let layer = BatchNormalization(
            gamma: try golden.weight("gamma"), beta: try golden.weight("beta"),
            movingMean: try golden.weight("moving_mean"), movingVariance: try golden.weight("moving_variance"))
        try check(layer, golden, weights: ["gamma": layer.gamma!, "beta": layer.beta!])
        if golden.training {
            // The golden file's `weights_after` equal the weights before the call (Keras 3.15 under a
            // GradientTape did not show the update), so the update is checked against Keras's documented
            // rule instead: moving ← moving · 0.99 + batch statistic · 0.01, biased variance.
            let (mean, variance) = try channelStatistics(golden.input)
            let expectedMean = zip(try golden.weight("moving_mean").scalars, mean).map { $0 * 0.99 + $1 * 0.01 }
            let expectedVariance = zip(try golden.weight("moving_variance").scalars, variance)
                .map { $0 * 0.99 + $1 * 0.01 }
            #expect(layer.movingMean!.value.isClose(to: Tensor(shape: [mean.count], scalars: expectedMean)))
            #expect(layer.movingVariance!.value.isClose(to: Tensor(shape: [mean.count], scalars: expectedVariance)))
        } else {
            #expect(layer.movingMean!.value == (try golden.weight("moving_mean")), "inference leaves statistics alone")
        }
    }

    /// Per-channel mean and biased variance over every axis but the last, in Double.
    func channelStatistics(_ x: Tensor) throws -> ([Float], [Float]) {
        let channels = try #require(x.shape.last)
        let rows = x.count / channels
        var mean = [Double](repeating: 0, count: channels), variance = mean
        for i in 0..<x.count { mean[i % channels] += Double(x.scalars[i]) / Double(rows) }
        for i in 0..<x.count { let d = Double(x.scalars[i]) - mean[i % channels]; variance[i % channels] += d * d / Double(rows) }
        return (mean.map { Float($0) }, variance.map { Float($0) })
    }

    @Test func leakyReLUMatchesKeras() throws {
        let golden = try Golden.layer("leaky_relu_0.2")
        try check(LeakyReLU(alpha: 0.2), golden, weights: [:])
    }

    @Test(arguments: [("bce_probs", false), ("bce_logits", true)])
    func binaryCrossentropyMatchesKeras(name: String, fromLogits: Bool) throws {
        let golden = try #require(try Golden.object("losses")[name] as? [String: Any])
        let loss = try BinaryCrossentropy(fromLogits: fromLogits)
        let (value, gradient) = loss(
            predictions: try Golden.tensor(golden["predictions"]), targets: try Golden.tensor(golden["targets"]))
        let expected = try #require(golden["loss"] as? Double)
        #expect(abs(Double(value) - expected) <= 1e-5 * max(1, abs(expected)), "\(name): \(value) vs \(expected)")
        #expect(gradient.isClose(to: try Golden.tensor(golden["gradient"]), tolerance: 1e-5))
    }

    @Test(arguments: ["adam_lr2e-4_beta1_0.5", "rmsprop_lr1e-3", "rmsprop_lr2e-3"])
    func optimizerTrajectoryMatchesKeras(name: String) throws {
        let golden = try #require(try Golden.object("optimizers")[name] as? [String: Any])
        let config = try #require(golden["config"] as? [String: Any])
        let rate = Float(try #require(config["learning_rate"] as? Double))
        let optimizer: any Optimizer = name.hasPrefix("adam")
            ? try Adam(learningRate: rate, beta1: Float(config["beta_1"] as! Double), beta2: Float(config["beta_2"] as! Double))
            : try RMSprop(learningRate: rate, rho: Float(config["rho"] as! Double))
        let parameter = Parameter(name: "w", value: try Golden.tensor(golden["initial"]))
        let gradients = try #require(golden["gradients"] as? [Any]).map(Golden.tensor)
        let after = try #require(golden["after_each_step"] as? [Any]).map(Golden.tensor)
        for (step, gradient) in gradients.enumerated() {
            parameter.gradient = gradient
            optimizer.update([parameter])
            #expect(parameter.value.isClose(to: after[step], tolerance: 1e-6), "\(name) step \(step + 1)")
        }
    }

    @Test func chapterParameterCountsMatchKeras() throws {
        let counts = try Golden.object("parameter_counts")
        let random = RandomGenerator(seed: 2024)
        let generator = try ChapterModels.denseGenerator(random: random).summary()
        let discriminator = try ChapterModels.denseDiscriminator(random: random).summary()
        #expect(generator.totalParameters == counts["dense_generator"] as? Int)
        #expect(generator.nonTrainableParameters == counts["dense_generator_non_trainable"] as? Int)
        #expect(discriminator.totalParameters == counts["dense_discriminator"] as? Int)
        #expect(generator.totalParameters == 1_493_520 && discriminator.totalParameters == 1_460_225)
    }
}
