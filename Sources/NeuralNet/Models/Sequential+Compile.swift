/// What `Sequential.compile(loss:optimizer:)` fixed, as Keras's `model.compile`: the loss, the
/// optimizer, and the weights that optimizer updates, which are the model's trainable weights at
/// the time of compiling. So a discriminator compiled first still trains through its own
/// `trainOnBatch` after `discriminator.trainable = false`, while a combined model compiled after
/// that trains only the generator: the notebook's classic GAN.
public struct Compilation {
    public let loss: BinaryCrossentropy
    public let optimizer: any Optimizer
    /// The weights `trainOnBatch` updates.
    public let parameters: [Parameter]
}

extension Sequential {
    /// Keras's `model.compile(loss=…, optimizer=…)`: fixes the loss, the optimizer and the weights
    /// to update. A frozen nested model with batch normalisation is an error: Keras runs such
    /// layers in inference mode, which this library does not do.
    public func compile(loss: BinaryCrossentropy, optimizer: any Optimizer) throws {
        for case let nested as NestedModel in layers where !nested.model.trainable {
            if nested.model.layers.contains(where: { $0 is BatchNormalization }) {
                throw NeuralNetError("\(name): \(nested.name) is frozen (trainable = false) and has BatchNormalization; Keras would run "
                    + "those layers in inference mode, which lab does not do; freeze a model without batch normalisation")
            }
        }
        compilation = Compilation(loss: loss, optimizer: optimizer, parameters: trainableParameters)
    }

    /// Keras's `model.train_on_batch(x, y)`: one gradient step on one batch with the compiled
    /// loss and optimizer, in training mode; returns the batch's loss before the step. `y` holds
    /// one target per output value (for a one-unit output, one per item).
    public func trainOnBatch(_ x: Tensor, _ y: Tensor) throws -> Float {
        let compilation = try checkTrainingBatch(x, y)
        let output = forward(x, training: true, slot: 0)
        let (loss, gradient) = compilation.loss(predictions: output, targets: Tensor(shape: output.shape, scalars: y.scalars))
        guard loss.isFinite else { throw NeuralNetError("\(name).trainOnBatch: the loss is \(loss) (not a finite number); the weights were not changed") }
        // Every weight's gradient starts at zero (a frozen part's too, so nothing is left over
        // for the next model that shares it); only layers holding compiled weights add theirs
        // (a frozen discriminator inside the combined model passes gradients through but spends
        // nothing on its own), and only the compiled weights change.
        for parameter in parameters { parameter.zeroGradient() }
        let compiled = Set(compilation.parameters.map(ObjectIdentifier.init))
        backward(gradient, slot: 0) { layer in layer.parameters.contains { compiled.contains(ObjectIdentifier($0)) } }
        compilation.optimizer.update(compilation.parameters)
        return loss
    }

    /// Checks what `trainOnBatch(x, y)` needs (a compiled model, the input shape, one target per
    /// output value, memory for the batch) without training; returns the compilation.
    @discardableResult
    public func checkTrainingBatch(_ x: Tensor, _ y: Tensor) throws -> Compilation {
        guard let compilation else {
            throw NeuralNetError("\(name) was never compiled: call \(name).compile(loss:optimizer:) before trainOnBatch")
        }
        guard Array(x.shape.dropFirst()) == inputShape, x.shape.count == inputShape.count + 1 else {
            throw NeuralNetError("\(name) expects input of shape \(kerasShape(inputShape)), got \(x.shape.map(String.init).joined(separator: "×"))")
        }
        let outputsPerItem = outputShape.reduce(1, *)
        guard y.count == x.batchSize * outputsPerItem else {
            throw NeuralNetError("\(name).trainOnBatch got \(y.count) targets for \(x.batchSize) inputs; it needs \(x.batchSize * outputsPerItem) "
                + "(one per output value)")
        }
        try checkBatchFits(x.batchSize)
        return compilation
    }
}
