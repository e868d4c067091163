extension GAN {
    /// Checks that every layer of the critic has an exact second-order path (`SecondOrderLayer`
    /// without a curved activation); the error names the first that has not.
    static func checkSecondOrderPath(through discriminator: Sequential) throws {
        for layer in discriminator.layers {
            guard let secondOrder = layer as? any SecondOrderLayer else {
                throw NeuralNetError("WGAN-GP differentiates ‖∇ₓD(x̂)‖ with respect to \(discriminator.name)'s weights, and "
                    + "\(layer.name) (\(layer.typeName)) has no second-order path; the critic may use Dense, Conv2D, ReLU, "
                    + "LeakyReLU, Dropout, Flatten and Reshape, with linear, ReLU or LeakyReLU activations (no batch normalisation, "
                    + "as the paper)")
            }
            if let problem = secondOrder.secondOrderProblem {
                throw NeuralNetError("WGAN-GP differentiates ‖∇ₓD(x̂)‖ with respect to \(discriminator.name)'s weights, and \(problem); "
                    + "use a linear, ReLU or LeakyReLU activation (a WGAN critic ends without a sigmoid)")
            }
        }
    }

    /// WGAN-GP's penalty λ·E[(‖∇ₓD(x̂)‖₂ − 1)²] at x̂ = εx + (1 − ε)·fake (ε ~ U[0, 1] per
    /// sample): adds its gradient with respect to D's weights to D's gradients (double
    /// backpropagation through `SecondOrderLayer`s, checked when the GAN was made) and returns it.
    /// The fake batch is taken as given: the penalty trains the critic only. In a conditional GAN
    /// the gradient's norm is over the item's own columns: the one-hot class is not an input D
    /// could be smooth in.
    func addGradientPenalty(real: Tensor, fake: Tensor, lambda: Float) -> Float {
        let batch = real.batchSize, itemSize = real.itemSize
        let mixed = Tensor(shape: real.shape) { x in
            real.withUnsafeBufferPointer { r in
                fake.withUnsafeBufferPointer { f in
                    for n in 0..<batch {
                        let epsilon = random.nextUniform()
                        for i in (n * itemSize)..<((n + 1) * itemSize) { x[i] = epsilon * r[i] + (1 - epsilon) * f[i] }
                    }
                }
            }
        }
        let layers = discriminator.layers.map { $0 as! any SecondOrderLayer }
        let slot = 2
        var activations = mixed
        for layer in layers { activations = layer.forward(activations, training: true, slot: slot) }
        // ∇ₓD for every sample at once: each sample's score depends on its own input only.
        var upstream: [Tensor] = []
        var gradient = Tensor(shape: activations.shape, repeating: 1)
        for layer in layers.reversed() {
            upstream.append(gradient)
            gradient = layer.backward(gradient, slot: slot, needsInputGradient: true, accumulateParameterGradients: false)!
        }
        upstream.reverse()
        // P = λ·mean((‖g‖ − 1)²); ∂P/∂g = λ·2(‖g‖ − 1)·g/‖g‖ / batch (zero where g is zero).
        var penalty: Double = 0
        var direction = gradient
        let own = itemSize - conditionClasses
        direction.withUnsafeMutableBufferPointer { g in
            for n in 0..<batch {
                let row = g.baseAddress! + n * itemSize
                var squares: Double = 0
                for i in 0..<own { squares += Double(row[i]) * Double(row[i]) }
                let norm = squares.squareRoot()
                penalty += (norm - 1) * (norm - 1)
                let scale = norm > 0 ? Float(Double(lambda) * 2 * (norm - 1) / norm / Double(batch)) : 0
                for i in 0..<own { row[i] *= scale }
                for i in own..<itemSize { row[i] = 0 }
            }
        }
        for (layer, outputGradient) in zip(layers, upstream) {
            layer.accumulateSecondOrderGradient(direction: direction, outputGradient: outputGradient, slot: slot)
            direction = layer.directionalDerivative(direction, slot: slot)
        }
        return Float(Double(lambda) * penalty / Double(batch))
    }
}
