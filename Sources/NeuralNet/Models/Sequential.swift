/// Builds the layer list of a `Sequential` from a block, one layer per line.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    public static func buildEither(first: [any Layer]) -> [any Layer] { first }
    public static func buildEither(second: [any Layer]) -> [any Layer] { second }
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}

/// A stack of layers applied in order, as Keras's `Sequential`.
///
/// Building infers every layer's output shape from `inputShape` (the shape of one item, batch
/// axis excluded) and creates the weights from the given generator; a layer that cannot take
/// its input is a thrown error naming the layer and both shapes.
public final class Sequential {
    /// The model's name, shown in its summary.
    public let name: String
    /// The shape of one input item.
    public let inputShape: [Int]
    /// The layers, first to last.
    public let layers: [any Layer]
    /// The shape of one output item of each layer.
    public let outputShapes: [[Int]]
    /// Keras's `model.trainable`: false freezes every weight of the model, for optimizers that
    /// look afterwards (a `compile` captures the weights to update when it is called).
    public var trainable = true
    /// What `compile(loss:optimizer:)` fixed, for `trainOnBatch`; nil before.
    public internal(set) var compilation: Compilation?
    /// Runs of batch normalisation, rectifier and dropout that `forward` runs as one pass, by the
    /// index of their first layer.
    private let chains: [Int: ElementwiseChain]
    /// The chains with dropout, by the index of their dropout layer, which `backward` reaches first.
    private let chainsEndingInDropout: [Int: ElementwiseChain]
    /// The chains of a normalisation and a rectifier, without dropout, by the rectifier's index.
    private let chainsEndingInRectifier: [Int: ElementwiseChain]

    /// Builds a model from a list of layers.
    public init(_ name: String, inputShape: [Int], random: RandomGenerator, layers: [any Layer]) throws {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw NeuralNetError("\(name): the input shape must have positive sizes, got \(inputShape)")
        }
        try MemoryBudget.check(elements: MemoryBudget.elementCount(inputShape), "\(name)'s input \(kerasShape(inputShape))")
        var namer = LayerNamer()
        var shape = inputShape
        var shapes: [[Int]] = []
        for (index, layer) in layers.enumerated() {
            if layer.name.isEmpty { layer.name = namer.next(for: layer.typeName) } else { namer.reserve(layer.name) }
            do {
                shape = try layer.build(inputShape: shape, random: random)
                // One output item must be countable and fit the memory budget (a batch is checked
                // when the model is called).
                try MemoryBudget.check(elements: MemoryBudget.elementCount(shape), "\(layer.name) (\(layer.typeName))'s output \(kerasShape(shape))")
            } catch let error as NeuralNetError {
                throw NeuralNetError("\(name): \(error.message)", layerIndex: index)
            }
            shapes.append(shape)
        }
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
        self.outputShapes = shapes
        chains = ElementwiseChain.all(in: layers)
        chainsEndingInDropout = Dictionary(uniqueKeysWithValues: chains.compactMap { start, chain in
            chain.dropout == nil ? nil : (start + chain.length - 1, chain)
        })
        chainsEndingInRectifier = Dictionary(uniqueKeysWithValues: chains.compactMap { start, chain in
            chain.normalization != nil && chain.dropout == nil ? (start + 1, chain) : nil
        })
    }

    /// Builds a model from a block of layers, one per line.
    public convenience init(
        _ name: String, inputShape: [Int], random: RandomGenerator, @LayerBuilder layers: () -> [any Layer]
    ) throws {
        try self.init(name, inputShape: inputShape, random: random, layers: layers())
    }

    /// Checks that running a batch of `batch` items (keeping what a backward pass needs) fits
    /// the memory budget: the largest layer output, three times (output, memory, gradient).
    public func checkBatchFits(_ batch: Int) throws {
        let largest = ([inputShape] + outputShapes).compactMap(MemoryBudget.elementCount).max() ?? 0
        try MemoryBudget.check(elements: MemoryBudget.elementCount([batch, largest, 3]),
                               "\(name) on a batch of \(batch) (its largest layer output is \(largest) values per item)")
    }

    /// The shape of one output item.
    public var outputShape: [Int] { outputShapes.last ?? inputShape }

    /// Every weight of every layer.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// The weights optimizers update: none while `trainable` is false, and none of a nested
    /// model that is frozen.
    public var trainableParameters: [Parameter] { trainable ? layers.flatMap(\.trainableParameters) : [] }

    /// The number of scalars in all weights (Keras `count_params()`).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Applies the model to a batch whose items have `inputShape`; the input's shape is checked.
    public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
        guard Array(input.shape.dropFirst()) == inputShape, input.shape.count == inputShape.count + 1 else {
            throw NeuralNetError(
                "\(name) expects input of shape \(kerasShape(inputShape)), got \(input.shape.map(String.init).joined(separator: "×"))")
        }
        return forward(input, training: training, slot: 0)
    }

    /// Applies every layer, remembering what `backward` needs in `slot`. Runs of batch
    /// normalisation, rectifier and dropout go through the data once (`ElementwiseChain`), and a
    /// one-channel convolution with such a run after it goes a few items at a time
    /// (`Conv2D.forward(_:through:training:slot:)`), with the same results as their layers one
    /// by one.
    public func forward(_ input: Tensor, training: Bool, slot: Int = 0) -> Tensor {
        var value = input, index = 0
        while index < layers.count {
            if let chain = chains[index] {
                value = chain.forward(value, training: training, slot: slot)
                index += chain.length
            } else if let convolution = layers[index] as? Conv2D, let chain = chains[index + 1],
                      convolution.fuses(chain, batch: value.batchSize) {
                value = convolution.forward(value, through: chain, training: training, slot: slot)
                index += 1 + chain.length
            } else {
                value = layers[index].forward(value, training: training, slot: slot)
                index += 1
            }
        }
        return value
    }

    /// Back-propagates `outputGradient` through the call remembered in `slot`, adding parameter
    /// gradients when asked; returns the gradient at the input when `needsInputGradient`.
    @discardableResult
    public func backward(
        _ outputGradient: Tensor, slot: Int = 0,
        needsInputGradient: Bool = false, accumulateParameterGradients: Bool = true
    ) -> Tensor? {
        backward(outputGradient, slot: slot, needsInputGradient: needsInputGradient) { _ in accumulateParameterGradients }
    }

    /// `backward` adding parameter gradients only in the layers `accumulates` picks; every layer
    /// still passes the gradient on to the one before it.
    func backward(_ outputGradient: Tensor, slot: Int, accumulatingIn accumulates: (any Layer) -> Bool) {
        _ = backward(outputGradient, slot: slot, needsInputGradient: false, accumulates: accumulates)
    }

    /// The layers' `backward` from last to first; dropout and the rectifier before it go in one
    /// pass where `forward` chained them (together with a one-channel convolution before them, a
    /// few items at a time, `Conv2D.backward(through:…)`), and a rectifier after a normalisation
    /// goes inside the normalisation's passes (`ElementwiseChain`), with the dropout after it where
    /// `forward` chained all three; the same bits.
    private func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulates: (any Layer) -> Bool
    ) -> Tensor? {
        var gradient: Tensor? = outputGradient
        var index = layers.count - 1
        while index >= 0, let incoming = gradient {
            if let chain = chainsEndingInDropout[index], index - chain.length >= 0,
               let convolution = layers[index - chain.length] as? Conv2D, convolution.fusesBackward(chain, slot: slot) {
                let first = index - chain.length
                gradient = convolution.backward(through: chain, incoming, slot: slot, needsInputGradient: first > 0 || needsInputGradient,
                                                accumulateParameterGradients: accumulates(convolution))
                index = first - 1
                continue
            }
            if let chain = chainsEndingInDropout[index], let normalization = chain.normalization, chain.goesBackInTwoPasses(slot: slot) {
                let first = index - 2
                gradient = chain.backwardThroughAllThree(incoming, slot: slot, needsInputGradient: first > 0 || needsInputGradient,
                                                         accumulateParameterGradients: accumulates(normalization))
                index = first - 1
                continue
            }
            if let chain = chainsEndingInDropout[index], index - 1 > 0 || needsInputGradient,
               let fused = chain.backwardThroughRectifierAndDropout(incoming, slot: slot) {
                gradient = fused
                index -= 2
                continue
            }
            if let chain = chainsEndingInRectifier[index], let normalization = chain.normalization {
                gradient = chain.backwardThroughNormalizationAndRectifier(
                    incoming, slot: slot, needsInputGradient: index - 1 > 0 || needsInputGradient,
                    accumulateParameterGradients: accumulates(normalization))
                index -= 2
                continue
            }
            gradient = layers[index].backward(
                incoming, slot: slot, needsInputGradient: index > 0 || needsInputGradient,
                accumulateParameterGradients: accumulates(layers[index]))
            index -= 1
        }
        return gradient
    }

    /// Every layer's `releaseWorkingMemory()`: after training, the model keeps its weights and
    /// little else.
    public func releaseWorkingMemory() {
        for layer in layers { layer.releaseWorkingMemory() }
    }

    /// `forward`, also returning the output of the layer at `index` (an intermediate feature).
    public func forward(_ input: Tensor, training: Bool, slot: Int, keepingOutputOf index: Int) -> (output: Tensor, kept: Tensor) {
        var value = input, kept = input
        for (position, layer) in layers.enumerated() {
            value = layer.forward(value, training: training, slot: slot)
            if position == index { kept = value }
        }
        return (value, kept)
    }

    /// The gradient at the input of a gradient at the output of the layer at `index`, through the
    /// call remembered in `slot`; no parameter gradient is added.
    public func inputGradient(fromOutputOf index: Int, _ gradient: Tensor, slot: Int) -> Tensor {
        var value = gradient
        for layer in layers[...index].reversed() {
            value = layer.backward(value, slot: slot, needsInputGradient: true, accumulateParameterGradients: false)!
        }
        return value
    }

    /// Sets every trainable gradient to zero.
    public func zeroGradients() {
        for parameter in trainableParameters { parameter.zeroGradient() }
    }
}

/// Keras-style automatic layer names: `dense`, `dense_1`, `leaky_re_lu`, ...
struct LayerNamer {
    private var used: Set<String> = []
    private var counters: [String: Int] = [:]

    mutating func reserve(_ name: String) { used.insert(name) }

    mutating func next(for typeName: String) -> String {
        let base = Self.snakeCase(typeName)
        while true {
            let count = counters[base, default: 0]
            counters[base] = count + 1
            let candidate = count == 0 ? base : "\(base)_\(count)"
            if used.insert(candidate).inserted { return candidate }
        }
    }

    /// Keras's `to_snake_case`: an underscore before each capital that starts a lowercase run,
    /// then between a lowercase letter and a capital; `BatchNormalization` → `batch_normalization`,
    /// `LeakyReLU` → `leaky_re_lu`, `Conv2DTranspose` → `conv2d_transpose`.
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var first: [Character] = []
        for (i, character) in characters.enumerated() {
            if i > 0, character.isUppercase, i + 1 < characters.count, characters[i + 1].isLowercase { first.append("_") }
            first.append(character)
        }
        var second: [Character] = []
        for (i, character) in first.enumerated() {
            if i > 0, character.isUppercase, first[i - 1].isLowercase { second.append("_") }
            second.append(character)
        }
        return String(second).lowercased()
    }
}
