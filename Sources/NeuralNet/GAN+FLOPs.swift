extension Sequential {
    /// Floating-point operations of the matrix products of one forward pass over `batch` items.
    ///
    /// Counts 2·m·n·k per product (the element-wise work is small beside it).
    public func forwardMatrixFLOPs(batch: Int) -> Double {
        var inputShape = self.inputShape
        var total = 0.0
        for (layer, outputShape) in zip(layers, outputShapes) {
            if layer is Dense {
                total += 2 * Double(batch) * Double(inputShape.reduce(1, *)) * Double(outputShape.reduce(1, *))
            }
            inputShape = outputShape
        }
        return total
    }

    /// The same for the product of the first layer alone (its input gradient is often skipped).
    func firstLayerMatrixFLOPs(batch: Int) -> Double {
        guard layers.first is Dense, let out = outputShapes.first else { return 0 }
        return 2 * Double(batch) * Double(inputShape.reduce(1, *)) * Double(out.reduce(1, *))
    }
}

extension GAN {
    /// Floating-point operations of the matrix products in one `trainStep` at `batch` items:
    /// G forward; D forward twice; D weight and hidden input gradients for both calls; D input
    /// gradients for the G loss; G weight and hidden input gradients.
    public func stepMatrixFLOPs(batch: Int) -> Double {
        let g = generator.forwardMatrixFLOPs(batch: batch)
        let d = discriminator.forwardMatrixFLOPs(batch: batch)
        let dBackward = 2 * d - discriminator.firstLayerMatrixFLOPs(batch: batch)
        let gBackward = 2 * g - generator.firstLayerMatrixFLOPs(batch: batch)
        return g + 2 * d + 2 * dBackward + d + gBackward
    }
}
