/// A fully connected layer, as Keras's `Dense`: `y = f(x · kernel + bias)`.
///
/// The kernel has Keras layout `[in, out]`. With sizes it starts Glorot-uniform (limit
/// √(6 / (in + out))) with a zero bias; with tensors it starts from them, so tests can pin weights.
/// Inputs of rank above 2 are rejected; put a `Flatten` before.
public final class Dense: Layer {
    /// The number of outputs per item.
    public let units: Int
    /// Applied to the affine result.
    public let activation: Activation
    /// Whether the layer adds a bias.
    public let useBias: Bool
    public var name: String
    public let typeName = "Dense"

    /// `[in, out]`, created by `build` unless given.
    public private(set) var kernel: Parameter?
    /// `[out]`, or nil without bias.
    public private(set) var bias: Parameter?

    private struct Memory { var input: Tensor; var output: Tensor }
    private var memory = SlotStore<Memory>()
    private let weightProducts = WeightProducts()

    public func releaseWorkingMemory() { memory = SlotStore() }

    /// A layer of `units` outputs whose weights are created when the model is built.
    public init(_ units: Int, activation: Activation = .linear, useBias: Bool = true, name: String = "") {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.name = name
    }

    /// A layer with the given kernel `[in, out]` and optional bias `[out]`.
    public init(kernel: Tensor, bias: Tensor?, activation: Activation = .linear, name: String = "") {
        precondition(kernel.shape.count == 2, "kernel must be [in, out], got \(kernel.shape)")
        precondition(bias == nil || bias!.shape == [kernel.shape[1]], "bias must be [\(kernel.shape[1])]")
        self.units = kernel.shape[1]
        self.activation = activation
        self.useBias = bias != nil
        self.name = name
        self.kernel = Parameter(name: "kernel", value: kernel)
        self.bias = bias.map { Parameter(name: "bias", value: $0) }
    }

    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard units > 0 else { throw NeuralNetError("Dense expects a positive unit count, got \(units)") }
        try activation.validate(layer: name)
        guard inputShape.count == 1 else {
            throw NeuralNetError(
                "\(name) (Dense) takes flat items, got input shape \(kerasShape(inputShape)); add Flatten() before it")
        }
        let inputs = inputShape[0]
        if let kernel {
            guard kernel.value.shape[0] == inputs else {
                throw NeuralNetError(
                    "\(name) (Dense) has a kernel for \(kernel.value.shape[0]) inputs but receives \(kerasShape(inputShape))")
            }
            return [units]
        }
        try MemoryBudget.check(elements: MemoryBudget.elementCount([inputs, units]), "\(name) (Dense)'s kernel of \(inputs)×\(units)")
        let limit = (6 / Float(inputs + units)).squareRoot()
        kernel = Parameter(name: "kernel", value: random.uniformTensor(shape: [inputs, units], low: -limit, high: limit))
        if useBias { bias = Parameter(name: "bias", value: Tensor(shape: [units])) }
        return [units]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        guard let kernel else { preconditionFailure("\(name): forward before build") }
        let rows = input.batchSize, inputs = kernel.value.shape[0]
        precondition(input.itemSize == inputs, "\(name): input \(input.shape) does not fit kernel \(kernel.value.shape)")
        let output = Tensor(shape: [rows, units]) { y in
            let out = y.baseAddress!
            if WeightProducts.applies(rows: rows, columns: units, depth: inputs) {
                input.withUnsafeBufferPointer { x in
                    weightProducts.multiply(rows: rows, x: x.baseAddress!, weight: kernel.value, stamp: kernel.stamp, transposed: false,
                                            into: out)
                }
                if let bias {
                    bias.value.withUnsafeBufferPointer { b in
                        ParallelSplit.forEachRowRange(rows: rows, width: units) { range in
                            for r in range { VectorMath.add(b.baseAddress!, into: out + r * units, count: units) }
                        }
                    }
                }
            } else {
                if let bias {
                    bias.value.withUnsafeBufferPointer { b in
                        ParallelSplit.forEachRowRange(rows: rows, width: units) { range in
                            for r in range { (out + r * units).update(from: b.baseAddress!, count: units) }
                        }
                    }
                }
                input.withUnsafeBufferPointer { x in
                    kernel.value.withUnsafeBufferPointer { w in
                        BLAS.gemm(m: rows, n: units, k: inputs, a: x.baseAddress!, lda: inputs,
                                  b: w.baseAddress!, ldb: units, beta: bias == nil ? 0 : 1, c: out, ldc: units)
                    }
                }
            }
            activation.apply(out, out, count: rows * units)
        }
        memory[slot] = Memory(input: input, output: output)
        return output
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard let kernel, let saved = memory[slot] else { preconditionFailure("\(name): backward before forward") }
        let rows = saved.input.batchSize, inputs = kernel.value.shape[0]
        let preActivation = activation.gradient(outputGradient, output: saved.output)
        if accumulateParameterGradients {
            accumulateKernelGradient(input: saved.input, preActivationGradient: preActivation)
            bias?.accumulateColumnSums(of: preActivation)
        }
        guard needsInputGradient else { return nil }
        return Tensor(shape: saved.input.shape) { dx in
            preActivation.withUnsafeBufferPointer { dz in
                if WeightProducts.applies(rows: rows, columns: inputs, depth: units) {
                    weightProducts.multiply(rows: rows, x: dz.baseAddress!, weight: kernel.value, stamp: kernel.stamp, transposed: true,
                                            into: dx.baseAddress!)
                    return
                }
                kernel.value.withUnsafeBufferPointer { w in
                    BLAS.gemm(transposeB: true, m: rows, n: inputs, k: units, a: dz.baseAddress!, lda: units,
                              b: w.baseAddress!, ldb: units, beta: 0, c: dx.baseAddress!, ldc: inputs)
                }
            }
        }
    }

    /// The input and output the call in `slot` remembered.
    func rememberedCall(_ slot: Int) -> (input: Tensor, output: Tensor) {
        guard let saved = memory[slot] else { preconditionFailure("\(name): no call remembered in slot \(slot)") }
        return (saved.input, saved.output)
    }

    /// `x · W` for a batch `x` of rows (no bias, no activation).
    func linearPart(_ x: Tensor) -> Tensor {
        guard let w = kernel?.value else { preconditionFailure("\(name): used before build") }
        let rows = x.batchSize, inputs = w.shape[0]
        return Tensor(shape: [rows, units]) { y in
            x.withUnsafeBufferPointer { xs in
                w.withUnsafeBufferPointer { ws in
                    BLAS.gemm(m: rows, n: units, k: inputs, a: xs.baseAddress!, lda: inputs, b: ws.baseAddress!, ldb: units,
                              beta: 0, c: y.baseAddress!, ldc: units)
                }
            }
        }
    }

    /// Adds `inputᵀ · preActivationGradient` to the kernel's gradient.
    func accumulateKernelGradient(input: Tensor, preActivationGradient: Tensor) {
        guard let kernel else { preconditionFailure("\(name): used before build") }
        let rows = input.batchSize, inputs = kernel.value.shape[0]
        preActivationGradient.withUnsafeBufferPointer { dz in
            input.withUnsafeBufferPointer { x in
                kernel.accumulateGradient { dw, overwrite in
                    BLAS.gemm(transposeA: true, m: inputs, n: units, k: rows, a: x.baseAddress!, lda: inputs,
                              b: dz.baseAddress!, ldb: units, beta: overwrite ? 0 : 1, c: dw, ldc: units)
                }
            }
        }
    }
}
