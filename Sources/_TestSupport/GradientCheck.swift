import NeuralNet

/// Numeric gradients by central differences, for checking analytic backward passes.
public enum GradientCheck {
    /// dL/dx for `loss(x)` at every element of `x`, by (L(x + h) − L(x − h)) / 2h in Double.
    public static func numericGradient(of x: Tensor, step: Float = 1e-2, loss: (Tensor) -> Double) -> Tensor {
        var scalars = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = x.scalars, minus = x.scalars
            plus[i] += step
            minus[i] -= step
            let difference = loss(Tensor(shape: x.shape, scalars: plus)) - loss(Tensor(shape: x.shape, scalars: minus))
            scalars[i] = Float(difference / (2 * Double(step)))
        }
        return Tensor(shape: x.shape, scalars: scalars)
    }

    /// `sum(output * upstream)` in Double: the scalar whose gradient at the output is `upstream`.
    public static func weightedSum(_ output: Tensor, _ upstream: Tensor) -> Double {
        zip(output.scalars, upstream.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// The largest |a − b| / max(1, |a|, |b|) over two tensors of equal shape.
    public static func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
        return zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($0), abs($1)) }.max() ?? 0
    }
}
