extension Sequential {
    /// Floating-point operations of the matrix products of one forward pass over `batch` items.
    ///
    /// Counts 2·m·n·k per product (the element-wise work is small beside it).
    public func forwardMatrixFLOPs(batch: Int) -> Double {
        var inputShape = self.inputShape
        var total = 0.0
        for (layer, outputShape) in zip(layers, outputShapes) {
            total += Self.matrixFLOPs(layer, input: inputShape, output: outputShape, batch: batch)
            inputShape = outputShape
        }
        return total
    }

    /// The same for the product of the first layer alone (its input gradient is often skipped).
    func firstLayerMatrixFLOPs(batch: Int) -> Double {
        guard let layer = layers.first, let output = outputShapes.first else { return 0 }
        return Self.matrixFLOPs(layer, input: inputShape, output: output, batch: batch)
    }

    /// One layer's forward product: every output value of a Dense or convolution costs one
    /// multiply-add per weight it reads.
    static func matrixFLOPs(_ layer: any Layer, input: [Int], output: [Int], batch: Int) -> Double {
        let items = 2 * Double(batch)
        switch layer {
        case is Dense:
            return items * Double(input.reduce(1, *)) * Double(output.reduce(1, *))
        case let conv as Conv2D:
            return items * Double(output.reduce(1, *)) * Double(conv.kernelSize.height * conv.kernelSize.width * input[2])
        case let conv as Conv2DTranspose:
            return items * Double(input.reduce(1, *)) * Double(conv.kernelSize.height * conv.kernelSize.width * output[2])
        default:
            return 0
        }
    }
}

extension GAN {
    /// Floating-point operations of the matrix products in one training step at `batch` items as
    /// Keras computes it: G forward; D forward twice; D weight and hidden input gradients for both
    /// calls; D input gradients for the G loss; G weight and hidden input gradients. `trainStep`
    /// does less (it skips padding taps and the second pass through D), so this is the work a
    /// step stands for, not the work it does.
    public func stepMatrixFLOPs(batch: Int) -> Double {
        let g = generator.forwardMatrixFLOPs(batch: batch)
        let d = discriminator.forwardMatrixFLOPs(batch: batch)
        let dBackward = 2 * d - discriminator.firstLayerMatrixFLOPs(batch: batch)
        let gBackward = 2 * g - generator.firstLayerMatrixFLOPs(batch: batch)
        return g + 2 * d + 2 * dBackward + d + gBackward
    }
}
