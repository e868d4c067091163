import RealModule

/// Keras `SparseCategoricalCrossentropy`: integer class labels against class scores
/// `[n, classes]`, the mean over the batch.
///
/// From probabilities (a softmax output), each is clipped to [1e-7, 1 − 1e-7] as Keras does
/// and the loss is `−log p[label]`. From logits it is the stable `logsumexp(x) − x[label]`,
/// whose gradient is `softmax(x) − onehot(label)`.
public struct SparseCategoricalCrossentropy: Sendable {
    /// Whether predictions are logits rather than probabilities.
    public var fromLogits: Bool
    /// Keras's clipping bound for probabilities.
    public static let epsilon: Float = 1e-7

    public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }

    /// The mean loss and its gradient with respect to `predictions`; a label outside
    /// `0..<classes` or a count that does not match is a thrown error.
    public func callAsFunction(predictions: Tensor, labels: [Int]) throws -> (loss: Float, gradient: Tensor) {
        guard predictions.shape.count == 2, predictions.shape[0] == labels.count else {
            throw NeuralNetError("SparseCategoricalCrossentropy expects [\(labels.count), classes] predictions, got \(predictions.shape)")
        }
        let classes = predictions.shape[1]
        if let bad = labels.first(where: { !(0..<classes).contains($0) }) {
            throw NeuralNetError("label \(bad) is not a class of \(classes) (0…\(classes - 1))")
        }
        let scale = 1 / Float(labels.count)
        var total: Double = 0
        let gradient = Tensor(shape: predictions.shape) { g in
            predictions.withUnsafeBufferPointer { p in
                for (row, label) in labels.enumerated() {
                    let x = p.baseAddress! + row * classes, dx = g.baseAddress! + row * classes
                    if fromLogits {
                        var largest = -Float.infinity
                        for i in 0..<classes { largest = max(largest, x[i]) }
                        var sum: Float = 0
                        for i in 0..<classes { sum += .exp(x[i] - largest) }
                        let logSum = largest + .log(sum)
                        total += Double(logSum - x[label])
                        for i in 0..<classes { dx[i] = (.exp(x[i] - logSum) - (i == label ? 1 : 0)) * scale }
                    } else {
                        for i in 0..<classes { dx[i] = 0 }
                        let value = x[label]
                        let clipped = min(max(value, Self.epsilon), 1 - Self.epsilon)
                        total -= Double(Float.log(clipped))
                        // Where clipping acts the gradient is zero, as in Keras.
                        dx[label] = clipped == value ? -scale / value : 0
                    }
                }
            }
        }
        return (Float(total) * scale, gradient)
    }
}
