/// Updates trainable parameters from their gradients, keeping per-parameter state.
public protocol Optimizer: AnyObject {
    /// The step size.
    var learningRate: Float { get }
    /// Applies one update to each trainable parameter from its accumulated gradient.
    func update(_ parameters: [Parameter])
    /// A copy of the optimizer's state for `parameters` (moments, velocities, step count).
    func saveState(for parameters: [Parameter]) -> OptimizerSnapshot
    /// Puts back a state saved for parameters of the same shapes; a mismatch is a thrown error.
    func restoreState(_ snapshot: OptimizerSnapshot, for parameters: [Parameter]) throws
}

/// An optimizer's state for a list of parameters, as plain values: the update count and, for each
/// parameter in order, its state arrays one after another (empty when it has none yet).
public struct OptimizerSnapshot: Sendable, Equatable {
    public var iterations: Int
    public var arrays: [[Float]]

    public init(iterations: Int, arrays: [[Float]]) {
        self.iterations = iterations
        self.arrays = arrays
    }
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
    fileprivate(set) var arrays: [ObjectIdentifier: [StateArray]] = [:]

    /// The `count` state arrays of `parameter`.
    mutating func arrays(for parameter: Parameter, count: Int) -> [StateArray] {
        let key = ObjectIdentifier(parameter)
        if let existing = arrays[key] { return existing }
        let created = (0..<count).map { _ in StateArray(count: parameter.value.count) }
        arrays[key] = created
        return created
    }

    /// Each parameter's `count` arrays concatenated, or an empty array where none exist yet.
    func save(for parameters: [Parameter], count: Int) -> [[Float]] {
        parameters.map { parameter in
            guard let existing = arrays[ObjectIdentifier(parameter)] else { return [] }
            return existing.flatMap { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) }
        }
    }

    /// Replaces the arrays of `parameters` with saved ones.
    mutating func restore(_ saved: [[Float]], for parameters: [Parameter], count: Int, optimizer: String) throws {
        guard saved.count == parameters.count else {
            throw NeuralNetError("\(optimizer) state for \(saved.count) parameters cannot restore \(parameters.count)")
        }
        for (parameter, values) in zip(parameters, saved) {
            let key = ObjectIdentifier(parameter)
            if values.isEmpty {
                arrays[key] = nil
                continue
            }
            guard values.count == count * parameter.value.count else {
                throw NeuralNetError("\(optimizer) state of \(values.count) values does not fit \(parameter.name) \(parameter.value.shape)")
            }
            let restored = (0..<count).map { _ in StateArray(count: parameter.value.count) }
            for (index, array) in restored.enumerated() {
                values.withUnsafeBufferPointer { source in
                    array.pointer.update(from: source.baseAddress! + index * array.count, count: array.count)
                }
            }
            arrays[key] = restored
        }
    }
}

func validateLearningRate(_ rate: Float, _ optimizer: String) throws {
    guard rate > 0, rate.isFinite else {
        throw NeuralNetError("\(optimizer) learning rate must be a positive number, got \(rate)")
    }
}
