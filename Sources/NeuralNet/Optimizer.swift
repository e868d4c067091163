/// Updates trainable parameters from their gradients, keeping per-parameter state.
public protocol Optimizer: AnyObject {
    /// The step size.
    var learningRate: Float { get }
    /// Applies one update to each trainable parameter from its accumulated gradient.
    func update(_ parameters: [Parameter])
}

/// A zero-initialised array of optimizer state (a moment or a velocity) for one parameter.
final class StateArray {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}

/// Optimizer state per parameter, created on first use.
struct OptimizerState {
    private var arrays: [ObjectIdentifier: [StateArray]] = [:]

    /// The `count` state arrays of `parameter`.
    mutating func arrays(for parameter: Parameter, count: Int) -> [StateArray] {
        let key = ObjectIdentifier(parameter)
        if let existing = arrays[key] { return existing }
        let created = (0..<count).map { _ in StateArray(count: parameter.value.count) }
        arrays[key] = created
        return created
    }
}

func validateLearningRate(_ rate: Float, _ optimizer: String) throws {
    guard rate > 0, rate.isFinite else {
        throw NeuralNetError("\(optimizer) learning rate must be a positive number, got \(rate)")
    }
}
