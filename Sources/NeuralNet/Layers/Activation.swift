/// An element-wise activation function, as Keras's `activation=` argument.
///
/// Every derivative here is computed from the output `y`, so layers keep only their output.
public enum Activation: Sendable, Equatable {
    /// y = x
    case linear
    /// y = max(x, 0)
    case relu
    /// y = x for x > 0, αx otherwise (α ≥ 0)
    case leakyReLU(alpha: Float)
    /// y = tanh x
    case tanh
    /// y = 1 / (1 + e⁻ˣ)
    case sigmoid

    /// The Keras spelling, as in `activation='tanh'`.
    public var kerasName: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .leakyReLU: "leaky_relu"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        }
    }

    /// Writes f(x) into `y` (which may be `x`), spread over the `WorkerPool`.
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if self == .linear && UnsafePointer(y) == x { return }
        ParallelSplit.forEachRange(count: count) { range in
            applySerially(x + range.lowerBound, y + range.lowerBound, count: range.count)
        }
    }

    private func applySerially(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .linear:
            if UnsafePointer(y) != x { y.update(from: x, count: count) }
        case .relu, .leakyReLU:
            VectorMath.map(x, y, count: count, rectified)
        case .tanh:
            VectorMath.map(x, y, count: count, VectorMath.tanh)
        case .sigmoid:
            VectorMath.map(x, y, count: count, VectorMath.sigmoid)
        }
    }

    /// ReLU and LeakyReLU: f(x) = x above zero and a fixed slope below. f′ then follows from the
    /// sign of the output, and still does after the output is scaled by a positive number (as
    /// dropout scales what it keeps), which lets `ElementwiseChain` remember the dropped output.
    var isRectifier: Bool {
        switch self {
        case .relu, .leakyReLU: true
        default: false
        }
    }

    /// f of eight values, for a rectifier (`isRectifier`).
    @inline(__always) func rectified(_ v: FloatVector) -> FloatVector {
        switch self {
        case .leakyReLU(let alpha): v.replacing(with: v * alpha, where: v .< 0)
        default: v.replacing(with: 0, where: v .< 0)
        }
    }

    /// dL/dx = dL/dy · f′ for eight values, f′ from the sign of the output, for a rectifier.
    @inline(__always) func rectifierGradient(_ g: FloatVector, output: FloatVector) -> FloatVector {
        switch self {
        case .leakyReLU(let alpha): g.replacing(with: g * alpha, where: output .<= 0)
        default: g.replacing(with: 0, where: output .<= 0)
        }
    }

    /// Replaces every element of `tensor` by f(element).
    func applyInPlace(_ tensor: inout Tensor) {
        guard self != .linear else { return }
        tensor.withUnsafeMutableBufferPointer { y in apply(y.baseAddress!, y.baseAddress!, count: y.count) }
    }

    /// Writes dL/dx = dL/dy · f′ into `dx` (which may be `dy`), with f′ taken from the output `y`;
    /// spread over the `WorkerPool`.
    func backward(
        outputGradient dy: UnsafePointer<Float>, output y: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        ParallelSplit.forEachRange(count: count) { r in
            backwardSerially(outputGradient: dy + r.lowerBound, output: y + r.lowerBound, into: dx + r.lowerBound, count: r.count)
        }
    }

    private func backwardSerially(
        outputGradient dy: UnsafePointer<Float>, output y: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        @inline(__always) func each(_ derivative: (FloatVector, FloatVector) -> FloatVector) {
            VectorMath.zip(dy, y, into: dx, count: count, derivative)
        }
        switch self {
        case .linear:
            if UnsafePointer(dx) != dy { dx.update(from: dy, count: count) }
        case .relu, .leakyReLU:
            each(rectifierGradient)
        case .tanh:
            each { g, out in g * (1 - out * out) }
        case .sigmoid:
            each { g, out in g * out * (1 - out) }
        }
    }

    /// dL/dz for an output gradient, where y = f(z): a new tensor, or the same one for `linear`.
    func gradient(_ outputGradient: Tensor, output: Tensor) -> Tensor {
        guard self != .linear else { return outputGradient }
        return Tensor(shape: outputGradient.shape) { dz in
            outputGradient.withUnsafeBufferPointer { dy in
                output.withUnsafeBufferPointer { y in
                    backward(outputGradient: dy.baseAddress!, output: y.baseAddress!, into: dz.baseAddress!, count: dz.count)
                }
            }
        }
    }

    /// A thrown error for settings no lab should use.
    func validate(layer: String) throws {
        if case .leakyReLU(let alpha) = self, !(alpha >= 0 && alpha.isFinite) {
            throw NeuralNetError("\(layer): the LeakyReLU slope must be a finite number ≥ 0, got \(alpha)")
        }
    }
}

/// A layer that applies an activation function element by element.
///
/// `LeakyReLU(alpha:)`, `ReLU()`, `Tanh()` and `Sigmoid()` create one.
public final class ActivationLayer: Layer {
    /// The function applied.
    public let activation: Activation
    public var name: String
    public let typeName: String
    private var outputs = SlotStore<Tensor>()

    public func releaseWorkingMemory() { outputs = SlotStore() }

    /// The output of the call in `slot`.
    func rememberedOutput(_ slot: Int) -> Tensor {
        guard let output = outputs[slot] else { preconditionFailure("\(name): no call remembered in slot \(slot)") }
        return output
    }

    /// Remembers `output` as the output of the call in `slot`, for a call `ElementwiseChain` made.
    func remember(output: Tensor, slot: Int) { outputs[slot] = output }

    /// A layer applying `activation`, shown in summaries as `typeName`.
    public init(_ activation: Activation, typeName: String, name: String = "") {
        self.activation = activation
        self.typeName = typeName
        self.name = name
    }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        try activation.validate(layer: name)
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        let output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in activation.apply(x.baseAddress!, y.baseAddress!, count: x.count) }
        }
        outputs[slot] = output
        return output
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let output = outputs[slot] else { preconditionFailure("\(name): backward before forward") }
        return Tensor(shape: output.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                output.withUnsafeBufferPointer { y in
                    activation.backward(outputGradient: dy.baseAddress!, output: y.baseAddress!,
                                        into: dx.baseAddress!, count: dx.count)
                }
            }
        }
    }
}

/// Keras `LeakyReLU`: slope `alpha` for negative inputs (Keras's default is 0.3; the chapter uses 0.2).
public func LeakyReLU(alpha: Float = 0.3, name: String = "") -> ActivationLayer {
    ActivationLayer(.leakyReLU(alpha: alpha), typeName: "LeakyReLU", name: name)
}

/// Keras `ReLU`.
public func ReLU(name: String = "") -> ActivationLayer {
    ActivationLayer(.relu, typeName: "ReLU", name: name)
}

/// Keras `Activation('tanh')`.
public func Tanh(name: String = "") -> ActivationLayer {
    ActivationLayer(.tanh, typeName: "Activation", name: name)
}

/// Keras `Activation('sigmoid')`.
public func Sigmoid(name: String = "") -> ActivationLayer {
    ActivationLayer(.sigmoid, typeName: "Activation", name: name)
}
