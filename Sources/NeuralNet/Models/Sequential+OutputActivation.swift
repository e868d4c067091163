extension Activation {
    /// The values this function can make, when bounded on both sides: tanh [−1, 1], sigmoid [0, 1].
    public var boundedRange: ClosedRange<Float>? {
        switch self {
        case .tanh: -1...1
        case .sigmoid: 0...1
        case .linear, .relu, .leakyReLU: nil
        }
    }
}

extension Sequential {
    /// The activation of the model's last layer that computes (a `Reshape` or `Flatten` after it
    /// changes nothing), which bounds its outputs: tanh's [−1, 1], sigmoid's [0, 1]. Nil when that
    /// layer is of another kind (batch normalisation, a pooling layer, …).
    public var outputActivation: Activation? {
        for layer in layers.reversed() {
            switch layer {
            case is Reshape, is Flatten: continue
            case let dense as Dense: return dense.activation
            case let convolution as any ConvolutionLayer: return convolution.activation
            case let activation as ActivationLayer: return activation.activation
            case let nested as NestedModel: return nested.model.outputActivation
            default: return nil
            }
        }
        return nil
    }
}
