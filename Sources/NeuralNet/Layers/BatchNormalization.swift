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
    /// Training normalises with the statistics of the whole batch.
    public let couplesBatchItems = true

    /// γ, β, moving mean and moving variance, created by `build` unless given.
    public private(set) var gamma, beta, movingMean, movingVariance: Parameter?

    /// What `backward` needs of a call: its input (which the layer before usually keeps anyway,
    /// so this costs no memory) and the constants of x̂ = x · scale + shift, from which `backward`
    /// computes x̂ again, to the same bits, instead of storing it.
    private struct Memory { var input: Tensor; var step: NormalizationStep }
    private var memory = SlotStore<Memory>()

    public func releaseWorkingMemory() { memory = SlotStore() }

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
        let step = normalizationStep(for: input, training: training)
        let output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                ChannelLoops.normalize(x.baseAddress!, rows: input.count / step.channels, channels: step.channels,
                                       scale: step.scale, shift: step.shift, gamma: step.gamma, beta: step.beta,
                                       into: y.baseAddress!)
            }
        }
        remember(input: input, of: step, slot: slot)
        return output
    }

    /// The per-channel constants of a call on `input`: the batch statistics in training, which
    /// also move the moving ones, the moving statistics in inference.
    func normalizationStep(for input: Tensor, training: Bool) -> NormalizationStep {
        guard let gamma, let beta, let movingMean, let movingVariance else {
            preconditionFailure("\(name): forward before build")
        }
        let channels = gamma.value.count
        let rows = input.count / channels
        var mean = [Float](repeating: 0, count: channels)
        var inverseStd = [Float](repeating: 0, count: channels)
        if training {
            var variance = [Float](repeating: 0, count: channels)
            input.withUnsafeBufferPointer { x in
                mean.withUnsafeMutableBufferPointer { m in
                    variance.withUnsafeMutableBufferPointer { v in
                        ChannelLoops.columnMeanAndVariance(x.baseAddress!, rows: rows, channels: channels,
                                                           mean: m.baseAddress!, variance: v.baseAddress!)
                    }
                }
            }
            for c in 0..<channels { inverseStd[c] = 1 / (variance[c] + epsilon).squareRoot() }
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
        // x̂ = (x − μ) · s, then y = x̂ · γ + β.
        let shift = (0..<channels).map { -mean[$0] * inverseStd[$0] }
        return NormalizationStep(channels: channels, scale: inverseStd, shift: shift,
                                 gamma: gamma.value.scalars, beta: beta.value.scalars, training: training)
    }

    /// Remembers the call in `slot` for `backward`.
    func remember(input: Tensor, of step: NormalizationStep, slot: Int) {
        memory[slot] = Memory(input: input, step: step)
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        backward(outputGradient, slot: slot, needsInputGradient: needsInputGradient,
                 accumulateParameterGradients: accumulateParameterGradients, throughRectifier: nil)
    }

    /// `backward`, or with `rectifier` the backward pass through this layer and the rectifier
    /// that follows it, `outputGradient` the gradient at the rectifier's output: its derivative
    /// is applied inside this layer's two passes (`ChannelLoops.Rectifier`), with the same bits
    /// as the rectifier's own `backward` first. With `dropout` as well (the elements kept by a
    /// dropout after the rectifier, kept alive by the caller), `outputGradient` is the gradient
    /// at the dropout's output, and its mask goes inside the passes too.
    func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool,
        throughRectifier rectifier: Activation?, keptBy dropout: KeptElements? = nil
    ) -> Tensor? {
        guard let gamma, let beta, let saved = memory[slot] else { preconditionFailure("\(name): backward before forward") }
        let channels = gamma.value.count
        let rows = outputGradient.count / channels
        var sumGrad = [Float](repeating: 0, count: channels)
        var sumGradNormalized = [Float](repeating: 0, count: channels)
        let step = saved.step
        precondition(dropout == nil || (rectifier != nil && dropout!.count == outputGradient.count), "dropout needs its rectifier")
        let following = rectifier.map {
            ChannelLoops.Rectifier(activation: $0, gamma: step.gamma, beta: step.beta, keptBits: dropout?.bits, kept: dropout?.kept ?? 1)
        }
        outputGradient.withUnsafeBufferPointer { dy in
            saved.input.withUnsafeBufferPointer { x in
                sumGrad.withUnsafeMutableBufferPointer { sg in
                    sumGradNormalized.withUnsafeMutableBufferPointer { sgx in
                        ChannelLoops.columnSums(dy.baseAddress!, normalizing: x.baseAddress!, scale: step.scale, shift: step.shift,
                                                rows: rows, channels: channels, rectifier: following, sum: sg.baseAddress!,
                                                sumOfProducts: sgx.baseAddress!)
                    }
                }
            }
        }
        if accumulateParameterGradients {
            gamma.accumulateGradient { g, overwrite in
                for c in 0..<channels { g[c] = (overwrite ? 0 : g[c]) + sumGradNormalized[c] }
            }
            beta.accumulateGradient { b, overwrite in
                for c in 0..<channels { b[c] = (overwrite ? 0 : b[c]) + sumGrad[c] }
            }
        }
        guard needsInputGradient else { return nil }
        // dx = γ s (dy − mean(dy) − x̂ · mean(dy · x̂)); in inference the statistics are constants,
        // so the two mean terms vanish.
        let perRow = step.training ? 1 / Float(rows) : 0
        let gradientScale = (0..<channels).map { gamma.value.scalars[$0] * step.scale[$0] }
        let meanGrad = sumGrad.map { $0 * perRow }
        let meanGradNormalized = sumGradNormalized.map { $0 * perRow }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                saved.input.withUnsafeBufferPointer { x in
                    ChannelLoops.normalizationGradient(
                        dy.baseAddress!, normalizing: x.baseAddress!, scale: step.scale, shift: step.shift, rows: rows,
                        channels: channels, rectifier: following, gradientScale: gradientScale, meanGradient: meanGrad,
                        meanGradientTimesNormalized: meanGradNormalized, into: dx.baseAddress!)
                }
            }
        }
    }
}

/// One call's batch normalisation as per-channel constants: x̂ = x · scale + shift, then
/// y = x̂ · gamma + beta.
struct NormalizationStep {
    let channels: Int
    /// 1 / √(σ² + ε).
    let scale: [Float]
    /// −μ / √(σ² + ε).
    let shift: [Float]
    let gamma: [Float]
    let beta: [Float]
    /// Whether the statistics are the batch's own.
    let training: Bool
}
