extension GAN {
    /// WGAN-GP's penalty λ·E[(‖∇ₓD(x̂)‖₂ − 1)²] at x̂ = εx + (1 − ε)·fake (ε ~ U[0, 1] per
    /// sample): adds its gradient with respect to D's weights to D's gradients (double
    /// backpropagation through `SecondOrderLayer`s, checked when the GAN was made) and returns it.
    /// The fake batch is taken as given: the penalty trains the critic only.
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
        direction.withUnsafeMutableBufferPointer { g in
            for n in 0..<batch {
                let row = g.baseAddress! + n * itemSize
                var squares: Double = 0
                for i in 0..<itemSize { squares += Double(row[i]) * Double(row[i]) }
                let norm = squares.squareRoot()
                penalty += (norm - 1) * (norm - 1)
                let scale = norm > 0 ? Float(Double(lambda) * 2 * (norm - 1) / norm / Double(batch)) : 0
                for i in 0..<itemSize { row[i] *= scale }
            }
        }
        for (layer, outputGradient) in zip(layers, upstream) {
            layer.accumulateSecondOrderGradient(direction: direction, outputGradient: outputGradient, slot: slot)
            direction = layer.directionalDerivative(direction, slot: slot)
        }
        return Float(Double(lambda) * penalty / Double(batch))
    }
}
