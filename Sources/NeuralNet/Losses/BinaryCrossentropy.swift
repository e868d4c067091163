import RealModule

/// Keras `BinaryCrossentropy`, the mean over all elements.
///
/// From probabilities, predictions are clipped to [1e-7, 1 − 1e-7] (where clipping acts, the
/// gradient is zero, as in Keras): `−(t log p + (1 − t) log(1 − p))`. From logits it uses the
/// stable form `max(x, 0) − x t + log(1 + e^−|x|)`. Label smoothing `s` replaces each target t by
/// `t (1 − s) + s / 2`.
public struct BinaryCrossentropy: Sendable {
    /// Whether predictions are logits rather than probabilities.
    public var fromLogits: Bool
    /// The amount of label smoothing, in [0, 1].
    public var labelSmoothing: Float
    /// Keras's clipping bound for probabilities.
    public static let epsilon: Float = 1e-7

    /// A loss of the given form; a smoothing outside [0, 1] is a thrown error.
    public init(fromLogits: Bool = false, labelSmoothing: Float = 0) throws {
        guard (0...1).contains(labelSmoothing) else {
            throw NeuralNetError("label smoothing must be in [0, 1], got \(labelSmoothing)")
        }
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
    }

    /// The loss and its gradient with respect to `predictions` for per-element `targets`.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
        precondition(predictions.shape == targets.shape, "predictions \(predictions.shape) vs targets \(targets.shape)")
        let count = predictions.count
        let scale = 1 / Float(count)
        var total: Double = 0
        let gradient = Tensor(shape: predictions.shape) { g in
            predictions.withUnsafeBufferPointer { p in
                targets.withUnsafeBufferPointer { t in
                    for i in 0..<count {
                        let target = t[i] * (1 - labelSmoothing) + 0.5 * labelSmoothing
                        let (loss, derivative) = fromLogits
                            ? Self.fromLogits(p[i], target) : Self.fromProbability(p[i], target)
                        total += Double(loss)
                        g[i] = derivative * scale
                    }
                }
            }
        }
        return (Float(total / Double(count)), gradient)
    }

    /// The loss and gradient for targets that are all `target`.
    public func callAsFunction(predictions: Tensor, target: Float) -> (loss: Float, gradient: Tensor) {
        self(predictions: predictions, targets: Tensor(shape: predictions.shape, repeating: target))
    }

    private static func fromProbability(_ p: Float, _ t: Float) -> (Float, Float) {
        let clipped = min(max(p, epsilon), 1 - epsilon)
        let loss = -(t * .log(clipped) + (1 - t) * .log(1 - clipped))
        let inside = p >= epsilon && p <= 1 - epsilon
        return (loss, inside ? -t / clipped + (1 - t) / (1 - clipped) : 0)
    }

    private static func fromLogits(_ x: Float, _ t: Float) -> (Float, Float) {
        let loss = max(x, 0) - x * t + .log(1 + .exp(-abs(x)))
        return (loss, VectorMath.sigmoid(x) - t)
    }
}
