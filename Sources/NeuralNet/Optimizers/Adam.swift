import CKernels
import RealModule

/// Keras `Adam`: `m ← m + (g − m)(1 − β₁)`, `v ← v + (g² − v)(1 − β₂)`,
/// `w ← w − α m / (√v + ε)` with `α = lr √(1 − β₂ᵗ) / (1 − β₁ᵗ)`.
public final class Adam: Optimizer {
    public let learningRate: Float
    /// Decay of the first moment (Keras default 0.9; GANs often use 0.5).
    public let beta1: Float
    /// Decay of the second moment.
    public let beta2: Float
    /// Added to √v.
    public let epsilon: Float
    /// Updates applied so far.
    public private(set) var iterations = 0
    private var state = OptimizerState()

    /// An Adam optimizer with Keras defaults; out-of-range settings are thrown errors.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) throws {
        try validateLearningRate(learningRate, "Adam")
        for (label, value) in [("beta1", beta1), ("beta2", beta2)] where !(value >= 0 && value < 1) {
            throw NeuralNetError("Adam \(label) must be in [0, 1), got \(value)")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func saveState(for parameters: [Parameter]) -> OptimizerSnapshot {
        OptimizerSnapshot(iterations: iterations, arrays: state.save(for: parameters, count: 2))
    }

    public func restoreState(_ snapshot: OptimizerSnapshot, for parameters: [Parameter]) throws {
        try state.restore(snapshot.arrays, for: parameters, count: 2, optimizer: "Adam")
        iterations = snapshot.iterations
    }

    public func update(_ parameters: [Parameter]) {
        iterations += 1
        let t = Float(iterations)
        let alpha = learningRate * (1 - .pow(beta2, t)).squareRoot() / (1 - .pow(beta1, t))
        let (b1, b2, eps) = (1 - beta1, 1 - beta2, epsilon)
        for parameter in parameters where parameter.isTrainable {
            let moments = state.arrays(for: parameter, count: 2)
            parameter.value.withUnsafeMutableBufferPointer { w in
                parameter.withGradient { g in
                    ParallelSplit.forEachRange(count: w.count) { r in
                        // C, with the CPU's widest vectors (`lab_adam_step`): the square roots and
                        // divisions ran four at a time in Swift's baseline SSE code.
                        lab_adam_step(w.baseAddress! + r.lowerBound, g + r.lowerBound, moments[0].pointer + r.lowerBound,
                                      moments[1].pointer + r.lowerBound, r.count, b1, b2, alpha, eps)
                    }
                }
            }
        }
    }
}
