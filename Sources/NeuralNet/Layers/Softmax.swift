import RealModule

/// Keras `Softmax`: along the last axis, `y_i = e^(x_i − max x) / Σ_j e^(x_j − max x)`.
///
/// Backward from the output alone: `dx_i = y_i (dy_i − Σ_j dy_j y_j)`.
public final class Softmax: Layer {
    public var name: String
    public let typeName = "Softmax"
    private var outputs = SlotStore<Tensor>()

    public func releaseWorkingMemory() { outputs = SlotStore() }

    /// A softmax over the last axis.
    public init(name: String = "") { self.name = name }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw NeuralNetError("\(name) (Softmax) needs items with a last axis, got \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        let width = input.shape.last!
        let rows = input.count / width
        let output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                ParallelSplit.forEachRowRange(rows: rows, width: width) { range in
                    for row in range {
                        let xs = x.baseAddress! + row * width, ys = y.baseAddress! + row * width
                        var largest = -Float.infinity
                        for i in 0..<width { largest = max(largest, xs[i]) }
                        var sum: Float = 0
                        for i in 0..<width {
                            ys[i] = .exp(xs[i] - largest)
                            sum += ys[i]
                        }
                        let scale = 1 / sum
                        for i in 0..<width { ys[i] *= scale }
                    }
                }
            }
        }
        outputs[slot] = output
        return output
    }

    public func backward(_ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let output = outputs[slot] else { preconditionFailure("\(name): backward before forward") }
        let width = output.shape.last!
        let rows = output.count / width
        return Tensor(shape: output.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                output.withUnsafeBufferPointer { y in
                    ParallelSplit.forEachRowRange(rows: rows, width: width) { range in
                        for row in range {
                            let offset = row * width
                            var dot: Float = 0
                            for i in 0..<width { dot += dy[offset + i] * y[offset + i] }
                            for i in 0..<width { dx[offset + i] = y[offset + i] * (dy[offset + i] - dot) }
                        }
                    }
                }
            }
        }
    }
}
