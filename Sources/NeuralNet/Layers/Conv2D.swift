/// A 2-D convolution over NHWC images, as Keras's `Conv2D`: `y = f(patches(x) · kernel + bias)`.
///
/// The kernel has Keras layout `[kh, kw, in, out]` (Glorot-uniform with fan-in kh·kw·in and fan-out
/// kh·kw·out when created from sizes). The products run through `ConvolutionEngine`.
public final class Conv2D: ConvolutionLayer {
    public let settings: ConvolutionSettings
    public var name: String
    public let typeName = "Conv2D"

    /// `[kh, kw, in, out]`, created by `build` unless given.
    public private(set) var kernel: Parameter?
    /// `[out]`, or nil without bias.
    public private(set) var bias: Parameter?
    /// The products, created by `build`; the image side is the input.
    private(set) var engine: ConvolutionEngine?
    public var algorithmDescription: String? { engine?.algorithmDescription }

    /// What a call remembers for `backward`: its prepared input, and its output unless the
    /// activation is linear and the output never existed whole (`forward(_:through:…)`).
    struct Memory { var input: ConvolutionEngine.PreparedImage; var output: Tensor? }
    var memory = SlotStore<Memory>()

    /// A convolution of `filters` outputs whose weights are created when the model is built.
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                useBias: Bool = true, activation: Activation = .linear, name: String = "") {
        settings = ConvolutionSettings(filters: filters, kernelSize: (kernelSize, kernelSize), strides: strides,
                                       padding: padding, useBias: useBias, activation: activation)
        self.name = name
    }

    /// A convolution with the given kernel `[kh, kw, in, out]` and optional bias `[out]`.
    public init(kernel: Tensor, bias: Tensor?, strides: Int = 1, padding: Padding = .valid,
                activation: Activation = .linear, name: String = "") {
        settings = ConvolutionSettings(kernel: kernel, filterAxis: 3, hasBias: bias != nil, strides: strides, padding: padding,
                                       activation: activation)
        self.name = name
        self.kernel = Parameter(name: "kernel", value: kernel)
        self.bias = bias.map { Parameter(name: "bias", value: $0) }
    }

    public func releaseWorkingMemory() {
        memory = SlotStore()
        engine?.releaseBuffers()
    }

    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        let (height, width, channels) = try settings.validate(layer: name, typeName: typeName, inputShape: inputShape)
        if padding == .valid, height < kernelSize.height || width < kernelSize.width {
            throw NeuralNetError(
                "\(name) (Conv2D): a \(kernelSize.height)×\(kernelSize.width) kernel with 'valid' padding does not fit "
                    + "input \(kerasShape(inputShape))")
        }
        let rows = ConvolutionGeometry.convolutionOutput(input: height, kernel: kernelSize.height, stride: strides.y, same: padding == .same)
        let columns = ConvolutionGeometry.convolutionOutput(input: width, kernel: kernelSize.width, stride: strides.x, same: padding == .same)
        engine = ConvolutionEngine(geometry: ConvolutionGeometry(
            imageHeight: height, imageWidth: width, channels: channels, gridHeight: rows.size, gridWidth: columns.size,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width, strideY: strides.y, strideX: strides.x,
            padTop: rows.padBefore, padLeft: columns.padBefore), gridChannels: filters)
        (kernel, bias) = try settings.weights(given: kernel, bias, newShape: [kernelSize.height, kernelSize.width, channels, filters], channelAxis: 2, channels: channels,
                                              layer: name, typeName: typeName, inputShape: inputShape, random: random)
        return [rows.size, columns.size, filters]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        guard let kernel, let engine else { preconditionFailure("\(name): forward before build") }
        if let old = memory[slot] {
            memory[slot] = nil
            engine.recycle(old.input)
        }
        let prepared = engine.prepare(image: input)
        var output = engine.grid(from: prepared, kernel: kernel.value, stamp: kernel.stamp, bias: bias?.value)
        activation.applyInPlace(&output)
        memory[slot] = Memory(input: prepared, output: output)
        return output
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard let kernel, let engine, let saved = memory[slot] else { preconditionFailure("\(name): backward before forward") }
        let preActivation = activation.gradient(outputGradient, output: saved.output ?? outputGradient)
        let grid = engine.prepare(grid: preActivation)
        defer { engine.recycle(grid) }
        if accumulateParameterGradients {
            engine.accumulateKernelGradient(image: saved.input, grid: grid, into: kernel)
            bias?.accumulateColumnSums(of: preActivation)
        }
        guard needsInputGradient else { return nil }
        return engine.image(from: grid, kernel: kernel.value, stamp: kernel.stamp, bias: nil)
    }

    /// The engine, the kernel and the output of the call in `slot` (with a linear activation,
    /// which never reads it, an empty tensor where the output was not kept).
    func rememberedCall(_ slot: Int) -> (ConvolutionEngine, Parameter, Tensor) {
        guard let engine, let kernel, let saved = memory[slot] else { preconditionFailure("\(name): no call remembered in slot \(slot)") }
        return (engine, kernel, saved.output ?? Tensor(shape: [0]))
    }
}
