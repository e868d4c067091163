/// A layer through which WGAN-GP's gradient penalty can be differentiated with respect to the
/// weights (double backpropagation).
///
/// The penalty is a function of g = ∇ₓD(x̂), which the backward pass computes as a chain
/// v₍ₗ₋₁₎ = Jₗᵀ vₗ from v_L = 1 at D's score down to g = v₀. For layers whose derivatives are
/// piecewise constant in their input (linear maps, ReLU, LeakyReLU, dropout masks, reshapes) the
/// only second-order terms are those through the weights, and the gradient of the penalty P comes
/// from one pass *up* the chain: with r₀ = ∂P/∂g, each layer adds ∂⟨r₍ₗ₋₁₎, Jₗᵀ vₗ⟩/∂Wₗ to its
/// weight gradients and hands on rₗ = Jₗ r₍ₗ₋₁₎. Layers with curved activations (tanh, sigmoid),
/// batch normalisation or spectral normalisation would add terms this does not compute, so they do
/// not conform, and the GAN names them instead of approximating.
public protocol SecondOrderLayer: Layer {
    /// Why this layer's second-order path is not available as configured (a curved fused
    /// activation), or nil when it is.
    var secondOrderProblem: String? { get }
    /// Jₗ r: the derivative of the output of the call in `slot` in the direction `direction` at
    /// its input (the linear part only: biases do not move with the input).
    func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor
    /// Adds ∂⟨direction, Jᵀ·outputGradient⟩/∂W to the weight gradients, where `outputGradient` is
    /// the gradient that reached the layer's output in the penalty's first backward pass through
    /// the call in `slot`.
    func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int)
}

extension Activation {
    /// Whether the derivative is piecewise constant (the second derivative vanishes almost everywhere).
    var isPiecewiseLinear: Bool {
        switch self {
        case .linear, .relu, .leakyReLU: true
        case .tanh, .sigmoid: false
        }
    }

    /// The problem a fused activation makes for the second-order path, if any.
    func secondOrderProblem(in layer: String) -> String? {
        isPiecewiseLinear ? nil : "\(layer)'s \(kerasName) activation is curved (its second derivative is not zero)"
    }
}

extension Dense: SecondOrderLayer {
    public var secondOrderProblem: String? { activation.secondOrderProblem(in: name) }

    public func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor {
        let saved = rememberedCall(slot)
        return activation.gradient(linearPart(direction), output: saved.output)
    }

    public func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int) {
        let saved = rememberedCall(slot)
        let preActivation = activation.gradient(outputGradient, output: saved.output)
        accumulateKernelGradient(input: direction, preActivationGradient: preActivation)
    }
}

extension Conv2D: SecondOrderLayer {
    public var secondOrderProblem: String? { activation.secondOrderProblem(in: name) }

    public func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor {
        let (engine, kernel, output) = rememberedCall(slot)
        let prepared = engine.prepare(image: direction)
        defer { engine.recycle(prepared) }
        return activation.gradient(engine.grid(from: prepared, kernel: kernel.value, bias: nil), output: output)
    }

    public func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int) {
        let (engine, kernel, output) = rememberedCall(slot)
        let image = engine.prepare(image: direction)
        let grid = engine.prepare(grid: activation.gradient(outputGradient, output: output))
        defer {
            engine.recycle(image)
            engine.recycle(grid)
        }
        engine.accumulateKernelGradient(image: image, grid: grid, into: kernel)
    }
}

extension ActivationLayer: SecondOrderLayer {
    public var secondOrderProblem: String? { activation.secondOrderProblem(in: name) }

    public func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor {
        activation.gradient(direction, output: rememberedOutput(slot))
    }

    public func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int) {}
}

extension Dropout: SecondOrderLayer {
    public var secondOrderProblem: String? { nil }

    /// The same mask and scale as the call in `slot`: the layer is linear in its input.
    public func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor {
        backward(direction, slot: slot, needsInputGradient: true, accumulateParameterGradients: false)!
    }

    public func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int) {}
}

extension Flatten: SecondOrderLayer {
    public var secondOrderProblem: String? { nil }
    public func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor { forward(direction, training: false, slot: slot) }
    public func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int) {}
}

extension Reshape: SecondOrderLayer {
    public var secondOrderProblem: String? { nil }
    public func directionalDerivative(_ direction: Tensor, slot: Int) -> Tensor { forward(direction, training: false, slot: slot) }
    public func accumulateSecondOrderGradient(direction: Tensor, outputGradient: Tensor, slot: Int) {}
}
