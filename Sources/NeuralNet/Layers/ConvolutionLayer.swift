/// What `Conv2D` and `Conv2DTranspose` are configured with, as Keras's arguments.
public struct ConvolutionSettings: Sendable {
    /// The number of output channels.
    public let filters: Int
    public let kernelSize: (height: Int, width: Int)
    public let strides: (y: Int, x: Int)
    public let padding: Padding
    public let useBias: Bool
    public let activation: Activation

    init(filters: Int, kernelSize: (Int, Int), strides: Int, padding: Padding, useBias: Bool, activation: Activation) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = (strides, strides)
        self.padding = padding
        self.useBias = useBias
        self.activation = activation
    }

    /// Checks the settings and the item shape coming in; returns its height, width and channels.
    func validate(layer: String, typeName: String, inputShape: [Int]) throws -> (height: Int, width: Int, channels: Int) {
        guard filters > 0 else { throw NeuralNetError("\(typeName) expects a positive number of filters, got \(filters)") }
        guard kernelSize.height > 0, kernelSize.width > 0 else {
            throw NeuralNetError("\(typeName) expects a positive kernel size, got \(kernelSize.height)")
        }
        guard strides.y > 0, strides.x > 0 else { throw NeuralNetError("\(typeName) expects positive strides, got \(strides.y)") }
        guard max(kernelSize.height, kernelSize.width, strides.y, strides.x) <= 1 << 16 else {
            throw NeuralNetError("\(typeName) takes kernel sizes and strides up to 65536, got \(max(kernelSize.height, strides.y))")
        }
        try activation.validate(layer: layer)
        guard inputShape.count == 3 else {
            throw NeuralNetError("\(layer) (\(typeName)) takes images (height, width, channels), got \(kerasShape(inputShape))")
        }
        try MemoryBudget.check(elements: MemoryBudget.elementCount([kernelSize.height, kernelSize.width, inputShape[2], filters]),
                               "\(layer) (\(typeName))'s kernel of \(kernelSize.height)×\(kernelSize.width)×\(inputShape[2])×\(filters)")
        return (inputShape[0], inputShape[1], inputShape[2])
    }

    /// Settings for given weights: a kernel `[kh, kw, …]` whose axis `filterAxis` counts the outputs.
    init(kernel: Tensor, filterAxis: Int, hasBias: Bool, strides: Int, padding: Padding, activation: Activation) {
        precondition(kernel.shape.count == 4, "kernel must have four axes [kh, kw, …], got \(kernel.shape)")
        self.init(filters: kernel.shape[filterAxis], kernelSize: (kernel.shape[0], kernel.shape[1]), strides: strides,
                  padding: padding, useBias: hasBias, activation: activation)
    }

    /// The weights when the layer is built: the kernel given at init, whose axis `channelAxis`
    /// must match the input's channels, with its bias; or a new Glorot kernel of `newShape` and,
    /// with `useBias`, a zero bias.
    func weights(given kernel: Parameter?, _ bias: Parameter?, newShape: [Int], channelAxis: Int, channels: Int, layer: String,
                 typeName: String, inputShape: [Int], random: RandomGenerator) throws -> (kernel: Parameter, bias: Parameter?) {
        if let kernel {
            guard kernel.value.shape[channelAxis] == channels else {
                throw NeuralNetError(
                    "\(layer) (\(typeName)) has a kernel for \(kernel.value.shape[channelAxis]) channels but receives \(kerasShape(inputShape))")
            }
            return (kernel, bias)
        }
        return (Parameter(name: "kernel", value: try Self.glorotKernel(shape: newShape, random: random)),
                useBias ? Parameter(name: "bias", value: Tensor(shape: [filters])) : nil)
    }

    /// Keras's Glorot-uniform kernel of Keras shape `[kh, kw, a, b]`: fan-in kh·kw·a, fan-out kh·kw·b.
    static func glorotKernel(shape: [Int], random: RandomGenerator) throws -> Tensor {
        try MemoryBudget.check(elements: MemoryBudget.elementCount(shape), "a kernel of shape \(shape)")
        let receptive = shape[0] * shape[1]
        let limit = (6 / Float(receptive * (shape[2] + shape[3]))).squareRoot()
        return random.uniformTensor(shape: shape, low: -limit, high: limit)
    }
}

/// `Conv2D` and `Conv2DTranspose`: layers configured by `ConvolutionSettings`.
public protocol ConvolutionLayer: Layer {
    var settings: ConvolutionSettings { get }
    /// How the layer's products run once built (`patches`, `taps` or `winograd F(m×m, r×r)`),
    /// or nil before.
    var algorithmDescription: String? { get }
}

extension ConvolutionLayer {
    /// The number of output channels.
    public var filters: Int { settings.filters }
    public var kernelSize: (height: Int, width: Int) { settings.kernelSize }
    public var strides: (y: Int, x: Int) { settings.strides }
    public var padding: Padding { settings.padding }
    public var useBias: Bool { settings.useBias }
    public var activation: Activation { settings.activation }
}
