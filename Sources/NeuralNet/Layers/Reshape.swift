/// Keras `Reshape`: the same elements of each item with a new item shape.
public final class Reshape: Layer {
    /// The item shape going out, e.g. `[7, 7, 256]`.
    public let targetShape: [Int]
    public var name: String
    public let typeName = "Reshape"
    private var inputShapes = SlotStore<[Int]>()

    /// A reshape to `targetShape` (the batch axis excluded).
    public init(_ targetShape: [Int], name: String = "") {
        self.targetShape = targetShape
        self.name = name
    }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard targetShape.allSatisfy({ $0 > 0 }) else {
            throw NeuralNetError("Reshape sizes must be positive, got \(targetShape)")
        }
        let incoming = inputShape.reduce(1, *)
        guard let outgoing = MemoryBudget.elementCount(targetShape), incoming == outgoing else {
            let outgoing = MemoryBudget.elementCount(targetShape).map(String.init) ?? "too many"
            throw NeuralNetError(
                "\(name) (Reshape) cannot turn \(kerasShape(inputShape)) (\(incoming) values) into "
                    + "\(kerasShape(targetShape)) (\(outgoing) values)")
        }
        return targetShape
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        inputShapes[slot] = input.shape
        return input.reshaped(to: [input.batchSize] + targetShape)
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient, let shape = inputShapes[slot] else { return nil }
        return outputGradient.reshaped(to: shape)
    }
}

/// Keras `Flatten`: each item becomes one axis.
public final class Flatten: Layer {
    public var name: String
    public let typeName = "Flatten"
    private var inputShapes = SlotStore<[Int]>()

    /// A flattening layer.
    public init(name: String = "") { self.name = name }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        [inputShape.reduce(1, *)]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        inputShapes[slot] = input.shape
        return input.reshaped(to: [input.batchSize, input.itemSize])
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient, let shape = inputShapes[slot] else { return nil }
        return outputGradient.reshaped(to: shape)
    }
}
