/// Keras `RMSprop` (no momentum, not centred): `v ← ρ v + (1 − ρ) g²`, `w ← w − lr g / √(v + ε)`.
public final class RMSprop: Optimizer {
    public let learningRate: Float
    /// Decay of the squared-gradient average.
    public let rho: Float
    /// Added to the average under the square root.
    public let epsilon: Float
    private var state = OptimizerState()

    /// An RMSprop optimizer with Keras defaults; out-of-range settings are thrown errors.
    public init(learningRate: Float = 1e-3, rho: Float = 0.9, epsilon: Float = 1e-7) throws {
        try validateLearningRate(learningRate, "RMSprop")
        guard rho >= 0 && rho < 1 else { throw NeuralNetError("RMSprop rho must be in [0, 1), got \(rho)") }
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
    }

    public func saveState(for parameters: [Parameter]) -> OptimizerSnapshot {
        OptimizerSnapshot(iterations: 0, arrays: state.save(for: parameters, count: 1))
    }

    public func restoreState(_ snapshot: OptimizerSnapshot, for parameters: [Parameter]) throws {
        try state.restore(snapshot.arrays, for: parameters, count: 1, optimizer: "RMSprop")
    }

    public func update(_ parameters: [Parameter]) {
        let (rate, keep, take, eps) = (learningRate, rho, 1 - rho, epsilon)
        for parameter in parameters where parameter.isTrainable {
            let v = state.arrays(for: parameter, count: 1)[0].pointer
            parameter.value.withUnsafeMutableBufferPointer { w in
                parameter.withGradient { g in
                    for i in 0..<w.count {
                        let vi = keep * v[i] + take * g[i] * g[i]
                        v[i] = vi
                        w[i] -= rate * g[i] / (vi + eps).squareRoot()
                    }
                }
            }
        }
    }
}
