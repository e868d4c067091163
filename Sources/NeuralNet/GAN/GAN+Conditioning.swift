/// A conditional GAN (Mirza & Osindero 2014): the class is given to both players by
/// concatenation. A real item arrives as image ⊕ one-hot class (`conditionedData`); G gets noise ⊕
/// the same one-hot codes as the real batch it is trained against, and D judges G's output ⊕ those
/// codes, so D learns whether an image fits its class.
extension GAN {
    /// Checks that the models fit `classes` one-hot columns: G's input is noise ⊕ class, D's input
    /// is G's (flat) output ⊕ class.
    static func checkConditioning(classes: Int, generator: Sequential, discriminator: Sequential) throws {
        guard classes != 0 else { return }
        guard (2...1_000).contains(classes) else { throw NeuralNetError("classes: takes 2 to 1,000 classes, got \(classes)") }
        guard generator.inputShape.count == 1, generator.inputShape[0] > classes else {
            throw NeuralNetError("a conditional generator takes noise ⊕ a one-hot class of \(classes): its input must be longer than "
                + "\(classes), not \(kerasShape(generator.inputShape))")
        }
        guard generator.outputShape.count == 1, discriminator.inputShape == [generator.outputShape[0] + classes] else {
            throw NeuralNetError("a conditional discriminator takes \(generator.name)'s flat output ⊕ a one-hot class: "
                + "\(generator.name) makes \(kerasShape(generator.outputShape)), so \(discriminator.name) must take "
                + "(None, \(generator.outputShape.count == 1 ? String(generator.outputShape[0] + classes) : "flat + \(classes)")), "
                + "not \(kerasShape(discriminator.inputShape))")
        }
    }

    /// Real items with their labels as one-hot columns after them: what `train` feeds D.
    public func conditionedData(_ data: Tensor, labels: [Int]) throws -> Tensor {
        guard conditionClasses > 0 else { return data }
        guard labels.count == data.batchSize else {
            throw NeuralNetError("\(labels.count) labels for \(data.batchSize) items")
        }
        if let bad = labels.first(where: { !(0..<conditionClasses).contains($0) }) {
            throw NeuralNetError("label \(bad) is not one of the \(conditionClasses) classes 0…\(conditionClasses - 1)")
        }
        return Self.joined(data, Self.oneHot(labels, classes: conditionClasses))
    }

    /// G's input for samples of the given classes: fresh noise ⊕ their one-hot codes.
    public func noise(classes labels: [Int]) -> Tensor {
        generatorInput(latent: random.normalTensor(shape: [labels.count, latentDimension]), classes: labels)
    }

    /// G's input from noise `z` drawn elsewhere (`[n, latentDimension]`): `z` itself for an
    /// unconditional GAN, `z` ⊕ the one-hot codes of `labels` for a conditional one.
    public func generatorInput(latent z: Tensor, classes labels: [Int]) -> Tensor {
        guard conditionClasses > 0 else { return z }
        precondition(labels.count == z.batchSize && labels.allSatisfy { (0..<conditionClasses).contains($0) }, "one class per row")
        return Self.joined(z, Self.oneHot(labels, classes: conditionClasses))
    }

    /// G's input for a training step and the one-hot codes D's fake items get: for a conditional
    /// GAN the real batch's own codes (its last columns), so both halves of D's batch have the same
    /// classes.
    func generatorInput(for real: Tensor, noise given: Tensor?) -> (input: Tensor, conditions: Tensor?) {
        guard conditionClasses > 0 else { return (given ?? noise(count: real.batchSize), nil) }
        let conditions = Self.trailingColumns(real, conditionClasses)
        if let given { return (given, Self.trailingColumns(given, conditionClasses)) }
        return (Self.joined(random.normalTensor(shape: [real.batchSize, latentDimension]), conditions), conditions)
    }

    /// G's output with the codes after it (unchanged for an unconditional GAN).
    func conditioned(_ fake: Tensor, _ conditions: Tensor?) -> Tensor {
        conditions.map { Self.joined(fake, $0) } ?? fake
    }

    static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var codes = [Float](repeating: 0, count: labels.count * classes)
        for (row, label) in labels.enumerated() { codes[row * classes + label] = 1 }
        return Tensor(shape: [labels.count, classes], scalars: codes)
    }

    /// `[n, a] ⊕ [n, b]` → `[n, a + b]`, row by row.
    static func joined(_ left: Tensor, _ right: Tensor) -> Tensor {
        let rows = left.batchSize, a = left.itemSize, b = right.itemSize
        return Tensor(shape: [rows, a + b]) { out in
            left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    for row in 0..<rows {
                        for i in 0..<a { out[row * (a + b) + i] = l[row * a + i] }
                        for i in 0..<b { out[row * (a + b) + a + i] = r[row * b + i] }
                    }
                }
            }
        }
    }

    static func leadingColumns(_ tensor: Tensor, _ count: Int) -> Tensor { columns(tensor, 0..<count) }
    static func trailingColumns(_ tensor: Tensor, _ count: Int) -> Tensor { columns(tensor, (tensor.itemSize - count)..<tensor.itemSize) }

    private static func columns(_ tensor: Tensor, _ range: Range<Int>) -> Tensor {
        let rows = tensor.batchSize, width = tensor.itemSize
        return Tensor(shape: [rows, range.count]) { out in
            tensor.withUnsafeBufferPointer { t in
                for row in 0..<rows {
                    for (i, column) in range.enumerated() { out[row * range.count + i] = t[row * width + column] }
                }
            }
        }
    }
}
