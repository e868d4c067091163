@testable import NeuralNet
import Testing

/// Dense layers large enough for `WeightProducts` compute their outputs and input gradients as
/// double-precision sums do, and follow every change of their weights even when one packing
/// serves two calls.
@Suite struct WeightProductsTests {
    /// `x · W + b` (`[rows, units]`) and `dz · Wᵀ` (`[rows, inputs]`) in double precision.
    func reference(x: Tensor, w: Tensor, b: Tensor, dz: Tensor) -> (output: [Double], inputGradient: [Double]) {
        let (rows, inputs, units) = (x.shape[0], w.shape[0], w.shape[1])
        var output = [Double](repeating: 0, count: rows * units), gradient = [Double](repeating: 0, count: rows * inputs)
        for r in 0..<rows {
            for u in 0..<units {
                output[r * units + u] = (0..<inputs).reduce(Double(b.scalars[u])) {
                    $0 + Double(x.scalars[r * inputs + $1]) * Double(w.scalars[$1 * units + u])
                }
            }
            for i in 0..<inputs {
                gradient[r * inputs + i] = (0..<units).reduce(0.0) { $0 + Double(dz.scalars[r * units + $1]) * Double(w.scalars[i * units + $1]) }
            }
        }
        return (output, gradient)
    }

    func largestError(_ a: Tensor, _ b: [Double]) -> Double {
        let scale = max(b.map(abs).max() ?? 1, 1e-12)
        return zip(a.scalars, b).map { abs(Double($0) - $1) }.max()! / scale
    }

    @Test func largeDenseLayersMatchDoublePrecisionThroughWeightChanges() throws {
        // 160 → 128 on 32 rows: both products run on panels (128 and 160 columns, sums of 160 and
        // 128 terms); 176 → 144 as well, each ending in a half panel (4½ and 5½ panels); 40 → 48:
        // neither (sums too short).
        for (rows, width, units, onPanels) in [(32, 160, 128, true), (32, 176, 144, true), (48, 40, 48, false)] {
            #expect(WeightProducts.applies(rows: rows, columns: units, depth: width) == onPanels)
            #expect(WeightProducts.applies(rows: rows, columns: width, depth: units) == onPanels)
            let random = RandomGenerator(seed: 12)
            let layer = Dense(units)
            _ = try layer.build(inputShape: [width], random: random)
            layer.bias!.value = random.uniformTensor(shape: [units], low: -1, high: 1)
            let inputs = (0..<2).map { _ in random.uniformTensor(shape: [rows, width], low: -1, high: 1) }
            let upstreams = (0..<2).map { _ in random.uniformTensor(shape: [rows, units], low: -1, high: 1) }
            // Two slots per weight value, as a discriminator's real and fake batches, and in-place
            // changes of the weights, as an optimizer makes, between calls that would otherwise
            // find the packing of the call before.
            func changeWeights() {
                layer.kernel!.value.withUnsafeMutableBufferPointer { w in
                    for i in w.indices { w[i] = w[i] * 0.5 + Float(i % 5) * 0.02 }
                }
            }
            func checkForward(_ label: String) {
                for slot in 0..<2 {
                    let output = layer.forward(inputs[slot], training: true, slot: slot)
                    let expected = reference(x: inputs[slot], w: layer.kernel!.value, b: layer.bias!.value, dz: upstreams[slot])
                    #expect(largestError(output, expected.output) < 1e-6, "\(width)→\(units), \(label), slot \(slot)")
                }
            }
            func checkBackward(_ label: String) {
                for slot in 0..<2 {
                    let gradient = layer.backward(upstreams[slot], slot: slot, needsInputGradient: true, accumulateParameterGradients: false)!
                    let expected = reference(x: inputs[slot], w: layer.kernel!.value, b: layer.bias!.value, dz: upstreams[slot])
                    #expect(largestError(gradient, expected.inputGradient) < 1e-6, "\(width)→\(units) dx, \(label), slot \(slot)")
                }
            }
            for round in 0..<2 {
                checkForward("round \(round)")
                changeWeights()
                checkForward("round \(round), after a change")
                checkBackward("round \(round)")
                changeWeights()
                checkBackward("round \(round), after a change")
            }
        }
    }
}
