/// Batch normalisation over the last axis, as Keras's `BatchNormalization` (on `[N, C]`, or per
/// channel on NHWC).
///
/// Training: `y = γ (x − μ) / √(σ² + ε) + β` with the batch mean μ and biased variance σ², and
/// the moving statistics move towards them: `m ← m · momentum + μ · (1 − momentum)`.
/// Inference: the moving mean and variance replace μ and σ². Four numbers per feature, γ and β
/// trainable, the moving mean and variance not.
public final class BatchNormalization: Layer {
    /// Weight of the old moving statistics in each update (Keras default 0.99).
    public let momentum: Float
    /// Added to the variance before the square root (Keras default 1e-3).
    public let epsilon: Float
    public var name: String
    public let typeName = "BatchNormalization"

    /// γ, β, moving mean and moving variance, created by `build` unless given.
    public private(set) var gamma, beta, movingMean, movingVariance: Parameter?

    private struct Memory { var normalized: Tensor; var inverseStd: [Float]; var training: Bool }
    private var memory = SlotStore<Memory>()

    /// A layer whose statistics are created when the model is built (γ = 1, β = 0, mean 0, variance 1).
    public init(momentum: Float = 0.99, epsilon: Float = 1e-3, name: String = "") {
        self.momentum = momentum
        self.epsilon = epsilon
        self.name = name
    }

    /// A layer with the given γ, β, moving mean and moving variance, each `[C]`.
    public convenience init(
        gamma: Tensor, beta: Tensor, movingMean: Tensor, movingVariance: Tensor,
        momentum: Float = 0.99, epsilon: Float = 1e-3, name: String = ""
    ) {
        self.init(momentum: momentum, epsilon: epsilon, name: name)
        self.gamma = Parameter(name: "gamma", value: gamma)
        self.beta = Parameter(name: "beta", value: beta)
        self.movingMean = Parameter(name: "moving_mean", value: movingMean, isTrainable: false)
        self.movingVariance = Parameter(name: "moving_variance", value: movingVariance, isTrainable: false)
    }

    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard (0...1).contains(momentum) else {
            throw NeuralNetError("BatchNormalization momentum must be in [0, 1], got \(momentum)")
        }
        guard epsilon > 0 else { throw NeuralNetError("BatchNormalization epsilon must be positive, got \(epsilon)") }
        guard let channels = inputShape.last, channels > 0 else {
            throw NeuralNetError("\(name) (BatchNormalization) needs a feature axis, got \(kerasShape(inputShape))")
        }
        if let gamma {
            guard gamma.value.count == channels else {
                throw NeuralNetError("\(name) has \(gamma.value.count) features but receives \(kerasShape(inputShape))")
            }
        } else {
            gamma = Parameter(name: "gamma", value: Tensor(shape: [channels], repeating: 1))
            beta = Parameter(name: "beta", value: Tensor(shape: [channels]))
            movingMean = Parameter(name: "moving_mean", value: Tensor(shape: [channels]), isTrainable: false)
            movingVariance = Parameter(
                name: "moving_variance", value: Tensor(shape: [channels], repeating: 1), isTrainable: false)
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        guard let gamma, let beta, let movingMean, let movingVariance else {
            preconditionFailure("\(name): forward before build")
        }
        let channels = gamma.value.count
        let rows = input.count / channels
        var mean = [Float](repeating: 0, count: channels)
        var inverseStd = [Float](repeating: 0, count: channels)
        input.withUnsafeBufferPointer { xb in
            let x = xb.baseAddress!
            if training {
                // Two passes in Double-free Float, row-wise so the inner loop runs over channels.
                var variance = [Float](repeating: 0, count: channels)
                for r in 0..<rows { let row = x + r * channels; for c in 0..<channels { mean[c] += row[c] } }
                let scale = 1 / Float(rows)
                for c in 0..<channels { mean[c] *= scale }
                for r in 0..<rows {
                    let row = x + r * channels
                    for c in 0..<channels { let d = row[c] - mean[c]; variance[c] += d * d }
                }
                for c in 0..<channels {
                    variance[c] *= scale
                    inverseStd[c] = 1 / (variance[c] + epsilon).squareRoot()
                }
                let keep = momentum, take = 1 - momentum
                movingMean.value.withUnsafeMutableBufferPointer { m in
                    for c in 0..<channels { m[c] = m[c] * keep + mean[c] * take }
                }
                movingVariance.value.withUnsafeMutableBufferPointer { v in
                    for c in 0..<channels { v[c] = v[c] * keep + variance[c] * take }
                }
            } else {
                mean = movingMean.value.scalars
                for c in 0..<channels { inverseStd[c] = 1 / (movingVariance.value.scalars[c] + epsilon).squareRoot() }
            }
        }
        let normalized = Tensor(shape: input.shape) { xhat in
            input.withUnsafeBufferPointer { x in
                for r in 0..<rows {
                    let base = r * channels
                    for c in 0..<channels { xhat[base + c] = (x[base + c] - mean[c]) * inverseStd[c] }
                }
            }
        }
        let output = Tensor(shape: input.shape) { y in
            normalized.withUnsafeBufferPointer { xhat in
                gamma.value.withUnsafeBufferPointer { g in
                    beta.value.withUnsafeBufferPointer { b in
                        for r in 0..<rows {
                            let base = r * channels
                            for c in 0..<channels { y[base + c] = xhat[base + c] * g[c] + b[c] }
                        }
                    }
                }
            }
        }
        memory[slot] = Memory(normalized: normalized, inverseStd: inverseStd, training: training)
        return output
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard let gamma, let beta, let saved = memory[slot] else { preconditionFailure("\(name): backward before forward") }
        let channels = gamma.value.count
        let rows = outputGradient.count / channels
        var sumGrad = [Float](repeating: 0, count: channels)
        var sumGradNormalized = [Float](repeating: 0, count: channels)
        outputGradient.withUnsafeBufferPointer { dy in
            saved.normalized.withUnsafeBufferPointer { xhat in
                for r in 0..<rows {
                    let base = r * channels
                    for c in 0..<channels {
                        sumGrad[c] += dy[base + c]
                        sumGradNormalized[c] += dy[base + c] * xhat[base + c]
                    }
                }
            }
        }
        if accumulateParameterGradients {
            gamma.gradient.withUnsafeMutableBufferPointer { g in for c in 0..<channels { g[c] += sumGradNormalized[c] } }
            beta.gradient.withUnsafeMutableBufferPointer { b in for c in 0..<channels { b[c] += sumGrad[c] } }
        }
        guard needsInputGradient else { return nil }
        // Training: the batch statistics depend on x, which adds the two mean terms.
        var scale = [Float](repeating: 0, count: channels)
        var meanGrad = [Float](repeating: 0, count: channels)
        var meanGradNormalized = [Float](repeating: 0, count: channels)
        let perRow = 1 / Float(rows)
        for c in 0..<channels {
            scale[c] = gamma.value.scalars[c] * saved.inverseStd[c]
            if saved.training {
                meanGrad[c] = sumGrad[c] * perRow
                meanGradNormalized[c] = sumGradNormalized[c] * perRow
            }
        }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                saved.normalized.withUnsafeBufferPointer { xhat in
                    for r in 0..<rows {
                        let base = r * channels
                        for c in 0..<channels {
                            dx[base + c] = scale[c] * (dy[base + c] - meanGrad[c] - xhat[base + c] * meanGradNormalized[c])
                        }
                    }
                }
            }
        }
    }
}
