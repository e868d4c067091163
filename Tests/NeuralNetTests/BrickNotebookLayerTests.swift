import Foundation
import NeuralNet
import Testing
import _TestSupport

/// The 004 notebook's convolutions that the shared golden file lacks, against Keras
/// (`Tests/Golden/keras-brick-layers.json`, made once by `scripts/keras_brick_layers.py`), and the
/// two 1×1 ends worked by hand.
@Suite struct BrickNotebookLayerTests {
    static func golden(_ name: String) throws -> LayerCase {
        let cases = try Golden.repositoryCases("keras-brick-layers.json")
        return LayerCase(name: name, object: try #require(cases[name] as? [String: Any]))
    }

    @Test(arguments: ["conv2d_k4_s2_same_8x8x2_to_3_nobias", "conv2d_k4_s2_same_7x7x2_to_3_nobias",
                      "conv2d_k4_s1_valid_4x4x3_to_1_sigmoid_nobias"])
    func convolutionsMatchKeras(_ name: String) throws {
        let golden = try Self.golden(name)
        let strides = (golden.config["strides"] as? [Int])?[0] ?? 1
        let padding: Padding = golden.config["padding"] as? String == "same" ? .same : .valid
        let activation: Activation = golden.config["activation"] as? String == "sigmoid" ? .sigmoid : .linear
        let layer = Conv2D(kernel: try golden.weight("kernel"), bias: nil, strides: strides, padding: padding, activation: activation)
        let input = try golden.input
        _ = try layer.build(inputShape: Array(input.shape.dropFirst()), random: RandomGenerator(seed: 1))
        let output = layer.forward(input, training: true, slot: 0)
        #expect(output.shape == (try golden.output).shape)
        #expect(output.isClose(to: try golden.output, tolerance: 1e-5), "\(name) output")
        let dx = layer.backward(try golden.upstreamGradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)
        #expect(dx?.isClose(to: try golden.gradient("input"), tolerance: 1e-5) == true, "\(name) input gradient")
        #expect(layer.parameters[0].gradient.isClose(to: try golden.gradient("kernel"), tolerance: 1e-5), "\(name) kernel gradient")
    }

    /// D's last layer: a 4×4 valid convolution of a 4×4 map is one dot product of the whole map
    /// with the kernel, then the sigmoid.
    @Test func theLastDiscriminatorConvolutionIsOneDotProduct() throws {
        let kernel = Tensor(shape: [4, 4, 2, 1], scalars: (0..<32).map { Float($0 % 5) * 0.01 - 0.02 })
        let input = Tensor(shape: [1, 4, 4, 2], scalars: (0..<32).map { Float($0) / 16 - 1 })
        let layer = Conv2D(kernel: kernel, bias: nil, strides: 1, padding: .valid, activation: .sigmoid)
        _ = try layer.build(inputShape: [4, 4, 2], random: RandomGenerator(seed: 1))
        let output = layer.forward(input, training: false, slot: 0)
        // NHWC input [y][x][c] and kernel [y][x][c][0] flatten in the same order.
        let dot = zip(input.scalars, kernel.scalars).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(output.shape == [1, 1, 1, 1])
        #expect(abs(output.scalars[0] - 1 / (1 + exp(-dot))) < 1e-6)
    }

    /// G's first layer: a 4×4 valid transposed convolution of a 1×1 input is the kernel weighted
    /// by the input: output[y][x][o] = Σc z[c] · kernel[y][x][o][c].
    @Test func theFirstGeneratorLayerSpreadsOneVectorOverTheKernel() throws {
        let (inputs, outputs) = (3, 2)
        let kernel = Tensor(shape: [4, 4, outputs, inputs], scalars: (0..<(16 * outputs * inputs)).map { Float(($0 * 7) % 11) - 5 })
        let z: [Float] = [0.5, -1, 2]
        let layer = Conv2DTranspose(kernel: kernel, bias: nil, strides: 1, padding: .valid)
        _ = try layer.build(inputShape: [1, 1, inputs], random: RandomGenerator(seed: 1))
        let output = layer.forward(Tensor(shape: [1, 1, 1, inputs], scalars: z), training: false, slot: 0)
        #expect(output.shape == [1, 4, 4, outputs])
        for y in 0..<4 {
            for x in 0..<4 {
                for o in 0..<outputs {
                    let expected = (0..<inputs).reduce(Float(0)) { $0 + z[$1] * kernel.scalars[((y * 4 + x) * outputs + o) * inputs + $1] }
                    #expect(output.scalars[(y * 4 + x) * outputs + o] == expected)
                }
            }
        }
    }
}
