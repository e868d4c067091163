/// Minibatch standard deviation (Karras et al. 2018, ProGAN §3): lets the discriminator see how
/// varied a batch is, so a generator that makes the same image for every noise is easy to tell
/// apart, one of the theory chapter's remedies for mode collapse.
///
/// For a batch x of N items of F values each, σ_f = √(mean over n of (x_nf − μ_f)² + ε) per value
/// position f (biased variance, ε = 10⁻⁸), s = the mean of σ_f over f, and every item gets s
/// appended: a last feature for `[N, F]`, a last channel filled with s for `[N, H, W, C]`. The
/// statistic is taken over the whole batch (ProGAN uses groups of 4; one group is the batch).
/// Inference computes it the same way over the batch given. In the summary the layer is one
/// wider than its input and has no weights.
public final class MinibatchStdDev: Layer {
    public var name: String
    public let typeName = "MinibatchStdDev"
    public var couplesBatchItems: Bool { true }
    private static let epsilon: Float = 1e-8
    private struct Memory { var input: Tensor; var means: [Double]; var deviations: [Float] }
    private var memory = SlotStore<Memory>()

    public init(name: String = "") { self.name = name }

    public func releaseWorkingMemory() { memory = SlotStore() }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard inputShape.count == 1 || inputShape.count == 3 else {
            throw NeuralNetError("\(name) (MinibatchStdDev) takes (None, features) or (None, height, width, channels), got \(kerasShape(inputShape))")
        }
        return Array(inputShape.dropLast()) + [inputShape.last! + 1]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        let batch = input.batchSize, features = input.itemSize
        let channels = input.shape.last!, positions = features / channels
        var means = [Double](repeating: 0, count: features), deviations = [Float](repeating: 0, count: features)
        input.withUnsafeBufferPointer { x in
            for f in 0..<features {
                var mean: Double = 0
                for n in 0..<batch { mean += Double(x[n * features + f]) }
                mean /= Double(batch)
                var squares: Double = 0
                for n in 0..<batch {
                    let d = Double(x[n * features + f]) - mean
                    squares += d * d
                }
                means[f] = mean
                deviations[f] = Float((squares / Double(batch) + Double(Self.epsilon)).squareRoot())
            }
        }
        let statistic = Float(deviations.reduce(0.0) { $0 + Double($1) } / Double(features))
        memory[slot] = Memory(input: input, means: means, deviations: deviations)
        return Tensor(shape: Array(input.shape.dropLast()) + [channels + 1]) { y in
            input.withUnsafeBufferPointer { x in
                for p in 0..<(batch * positions) {
                    for c in 0..<channels { y[p * (channels + 1) + c] = x[p * channels + c] }
                    y[p * (channels + 1) + channels] = statistic
                }
            }
        }
    }

    /// The input passes its gradient through; the appended value's gradients, summed into G_s,
    /// add G_s · ∂s/∂x_nf = G_s · (x_nf − μ_f) / (F · N · σ_f).
    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let saved = memory[slot] else { preconditionFailure("\(name): backward before forward") }
        let input = saved.input, batch = input.batchSize, features = input.itemSize
        let channels = input.shape.last!, positions = features / channels
        var statisticGradient: Double = 0
        outputGradient.withUnsafeBufferPointer { g in
            for p in 0..<(batch * positions) { statisticGradient += Double(g[p * (channels + 1) + channels]) }
        }
        return Tensor(shape: input.shape) { dx in
            input.withUnsafeBufferPointer { x in
                outputGradient.withUnsafeBufferPointer { g in
                    for p in 0..<(batch * positions) {
                        for c in 0..<channels { dx[p * channels + c] = g[p * (channels + 1) + c] }
                    }
                    for f in 0..<features {
                        let mean = saved.means[f]
                        let scale = statisticGradient / (Double(features) * Double(batch) * Double(saved.deviations[f]))
                        for n in 0..<batch { dx[n * features + f] += Float(scale * (Double(x[n * features + f]) - mean)) }
                    }
                }
            }
        }
    }
}
