/// A layer with a kernel that spectral normalisation can act on: `Dense` and `Conv2D`.
public protocol KernelLayer: Layer {
    /// The kernel weight; its last axis is the number of outputs.
    var kernel: Parameter? { get }
}

extension Dense: KernelLayer {}
extension Conv2D: KernelLayer {}

/// Keras `SpectralNormalization`: before each training call, one power iteration estimates the
/// largest singular value σ of the kernel (reshaped to `[-1, out]`) and the kernel is divided by it,
/// keeping the discriminator 1-Lipschitz per layer. The estimate's vector u (`[1, out]`, not trainable)
/// is carried from call to call, as in Keras, so one iteration per update is enough.
public final class SpectralNormalization: Layer {
    /// The wrapped layer.
    public let layer: any KernelLayer
    public var name: String
    public let typeName = "SpectralNormalization"
    /// The running estimate of the leading left singular vector, `[1, out]`.
    public private(set) var vectorU: Parameter?

    /// Wraps `layer`, whose kernel is normalised in training.
    public init(_ layer: any KernelLayer, name: String = "") {
        self.layer = layer
        self.name = name
    }

    public var parameters: [Parameter] { layer.parameters + [vectorU].compactMap { $0 } }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        if layer.name.isEmpty { layer.name = name.isEmpty ? "wrapped" : name + "_layer" }
        let output = try layer.build(inputShape: inputShape, random: random)
        guard let kernel = layer.kernel, let outputs = kernel.value.shape.last else {
            throw NeuralNetError("\(name): SpectralNormalization needs a layer with a kernel")
        }
        if vectorU == nil {
            vectorU = Parameter(name: "vector_u", value: random.normalTensor(shape: [1, outputs], standardDeviation: 0.02),
                                isTrainable: false)
        }
        return output
    }

    public func releaseWorkingMemory() { layer.releaseWorkingMemory() }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        if training { normalizeKernel() }
        return layer.forward(input, training: training, slot: slot)
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        layer.backward(outputGradient, slot: slot, needsInputGradient: needsInputGradient,
                       accumulateParameterGradients: accumulateParameterGradients)
    }

    /// v = normalize(u Wᵀ), u = normalize(v W), σ = v W uᵀ, W ← W / σ.
    func normalizeKernel() {
        guard let kernel = layer.kernel, let vectorU else { return }
        let outputs = kernel.value.shape.last!, rows = kernel.value.count / outputs
        var u = vectorU.value.scalars
        var v = [Float](repeating: 0, count: rows)
        kernel.value.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                var sum: Float = 0
                for c in 0..<outputs { sum += w[r * outputs + c] * u[c] }
                v[r] = sum
            }
            normalize(&v)
            u = [Float](repeating: 0, count: outputs)
            for r in 0..<rows { for c in 0..<outputs { u[c] += v[r] * w[r * outputs + c] } }
            normalize(&u)
        }
        // σ = v · (W u): with u and v as above this is ‖vW‖, computed directly for accuracy.
        var sigma: Float = 0
        kernel.value.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                var sum: Float = 0
                for c in 0..<outputs { sum += w[r * outputs + c] * u[c] }
                sigma += v[r] * sum
            }
        }
        vectorU.value = Tensor(shape: [1, outputs], scalars: u)
        guard sigma.isFinite, sigma > 0 else { return }
        kernel.value.withUnsafeMutableBufferPointer { w in
            for i in w.indices { w[i] /= sigma }
        }
    }

    private func normalize(_ x: inout [Float]) {
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let scale = 1 / max(norm, 1e-12)
        for i in x.indices { x[i] *= scale }
    }
}
