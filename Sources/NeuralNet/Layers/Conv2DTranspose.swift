/// A transposed 2-D convolution over NHWC images, as Keras's `Conv2DTranspose`: each input pixel
/// spreads `kernel`-weighted copies of itself onto a `stride`-times larger output (the adjoint of
/// `Conv2D`), then the bias and activation apply.
///
/// The kernel has Keras layout `[kh, kw, out, in]`. Output size: `same` gives in × stride;
/// `valid` gives in × stride + max(kernel − stride, 0).
public final class Conv2DTranspose: ConvolutionLayer {
    public let settings: ConvolutionSettings
    public var name: String
    public let typeName = "Conv2DTranspose"

    /// `[kh, kw, out, in]`, created by `build` unless given.
    public private(set) var kernel: Parameter?
    /// `[out]`, or nil without bias.
    public private(set) var bias: Parameter?
    /// The products, created by `build`; the image side is the output.
    private(set) var engine: ConvolutionEngine?
    public var algorithmDescription: String? { engine?.algorithmDescription }

    private struct Memory { var input: ConvolutionEngine.PreparedGrid; var output: Tensor }
    private var memory = SlotStore<Memory>()

    /// A transposed convolution of `filters` outputs whose weights are created when the model is built.
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                useBias: Bool = true, activation: Activation = .linear, name: String = "") {
        settings = ConvolutionSettings(filters: filters, kernelSize: (kernelSize, kernelSize), strides: strides,
                                       padding: padding, useBias: useBias, activation: activation)
        self.name = name
    }

    /// A transposed convolution with the given kernel `[kh, kw, out, in]` and optional bias `[out]`.
    public init(kernel: Tensor, bias: Tensor?, strides: Int = 1, padding: Padding = .valid,
                activation: Activation = .linear, name: String = "") {
        settings = ConvolutionSettings(kernel: kernel, filterAxis: 2, hasBias: bias != nil, strides: strides, padding: padding,
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

    /// Output size and padding before, for one axis.
    private func outputSize(input: Int, kernel: Int, stride: Int) -> (size: Int, padBefore: Int) {
        if padding == .valid { return (input * stride + max(kernel - stride, 0), 0) }
        let size = input * stride
        return (size, max((input - 1) * stride + kernel - size, 0) / 2)
    }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        let (height, width, channels) = try settings.validate(layer: name, typeName: typeName, inputShape: inputShape)
        let rows = outputSize(input: height, kernel: kernelSize.height, stride: strides.y)
        let columns = outputSize(input: width, kernel: kernelSize.width, stride: strides.x)
        engine = ConvolutionEngine(geometry: ConvolutionGeometry(
            imageHeight: rows.size, imageWidth: columns.size, channels: filters, gridHeight: height, gridWidth: width,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width, strideY: strides.y, strideX: strides.x,
            padTop: rows.padBefore, padLeft: columns.padBefore), gridChannels: channels)
        (kernel, bias) = try settings.weights(given: kernel, bias, newShape: [kernelSize.height, kernelSize.width, filters, channels], channelAxis: 3, channels: channels,
                                              layer: name, typeName: typeName, inputShape: inputShape, random: random)
        return [rows.size, columns.size, filters]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        guard let kernel, let engine else { preconditionFailure("\(name): forward before build") }
        if let old = memory[slot] {
            memory[slot] = nil
            engine.recycle(old.input)
        }
        let prepared = engine.prepare(grid: input)
        var output = engine.image(from: prepared, kernel: kernel.value, stamp: kernel.stamp, bias: bias?.value)
        activation.applyInPlace(&output)
        memory[slot] = Memory(input: prepared, output: output)
        return output
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard let kernel, let engine, let saved = memory[slot] else { preconditionFailure("\(name): backward before forward") }
        let preActivation = activation.gradient(outputGradient, output: saved.output)
        let image = engine.prepare(image: preActivation)
        defer { engine.recycle(image) }
        if accumulateParameterGradients {
            engine.accumulateKernelGradient(image: image, grid: saved.input, into: kernel)
            bias?.accumulateColumnSums(of: preActivation)
        }
        guard needsInputGradient else { return nil }
        return engine.grid(from: image, kernel: kernel.value, stamp: kernel.stamp, bias: nil)
    }
}
