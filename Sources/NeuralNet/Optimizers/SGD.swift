/// Keras `SGD` with optional momentum: `u ← μ u − lr g`, `w ← w + u`.
public final class SGD: Optimizer {
    public let learningRate: Float
    /// The momentum μ in [0, 1); 0 gives plain gradient descent.
    public let momentum: Float
    private var state = OptimizerState()

    /// An SGD optimizer; out-of-range settings are thrown errors.
    public init(learningRate: Float = 0.01, momentum: Float = 0) throws {
        try validateLearningRate(learningRate, "SGD")
        guard momentum >= 0 && momentum < 1 else { throw NeuralNetError("SGD momentum must be in [0, 1), got \(momentum)") }
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func saveState(for parameters: [Parameter]) -> OptimizerSnapshot {
        OptimizerSnapshot(iterations: 0, arrays: state.save(for: parameters, count: 1))
    }

    public func restoreState(_ snapshot: OptimizerSnapshot, for parameters: [Parameter]) throws {
        try state.restore(snapshot.arrays, for: parameters, count: 1, optimizer: "SGD")
    }

    public func update(_ parameters: [Parameter]) {
        let (rate, mu) = (learningRate, momentum)
        for parameter in parameters where parameter.isTrainable {
            let u = state.arrays(for: parameter, count: 1)[0].pointer
            parameter.value.withUnsafeMutableBufferPointer { w in
                parameter.withGradient { g in
                    for i in 0..<w.count {
                        u[i] = mu * u[i] - rate * g[i]
                        w[i] += u[i]
                    }
                }
            }
        }
    }
}
