/// A built model used as one layer of another, as in Keras's `Sequential([generator,
/// discriminator])`: the same layer objects and weights, so training either model changes both.
/// Its `trainable` is the nested model's own (`discriminator.trainable = false`).
public final class NestedModel: Layer {
    public let model: Sequential
    public var name: String
    public let typeName = "Sequential"

    public init(_ model: Sequential) {
        self.model = model
        name = model.name
    }

    public var parameters: [Parameter] { model.parameters }
    public var trainableParameters: [Parameter] { model.trainableParameters }
    public var couplesBatchItems: Bool { model.layers.contains { $0.couplesBatchItems } }

    /// How many models deep `model` goes: 1 for a model of plain layers, one more for each
    /// model nested inside.
    public static func depth(of model: Sequential) -> Int {
        1 + model.layers.reduce(0) { deepest, layer in max(deepest, (layer as? NestedModel).map { depth(of: $0.model) } ?? 0) }
    }

    /// Nothing is created: the model was built with its own input shape, which must be the one
    /// coming in.
    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard inputShape == model.inputShape else {
            throw NeuralNetError("\(name) (Sequential) takes \(kerasShape(model.inputShape)) but receives \(kerasShape(inputShape))")
        }
        return model.outputShape
    }

    public func releaseWorkingMemory() { model.releaseWorkingMemory() }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        model.forward(input, training: training, slot: slot)
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        model.backward(outputGradient, slot: slot, needsInputGradient: needsInputGradient,
                       accumulateParameterGradients: accumulateParameterGradients)
    }
}
