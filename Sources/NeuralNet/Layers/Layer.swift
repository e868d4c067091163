/// A weight tensor of a layer with its gradient.
///
/// Trainable parameters are updated by optimizers; non-trainable ones (such as batch
/// normalisation's moving statistics) are updated by the layer itself.
public final class Parameter {
    /// The Keras weight name, e.g. `kernel`, `gamma`, `moving_mean`.
    public let name: String
    /// The current value.
    ///
    /// Changes, whether assigned or made in place (an optimizer's update), count in `version`.
    /// In-place changes stay in place: a `didSet` observer would have made Swift copy the whole
    /// tensor for every in-place mutation, so the count is kept by a `_modify` accessor, which
    /// hands out the stored tensor itself.
    public var value: Tensor {
        get { storedValue }
        set {
            storedValue = newValue
            version &+= 1
        }
        _modify {
            defer { version &+= 1 }
            yield &storedValue
        }
    }
    private var storedValue: Tensor
    /// Counts the changes of `value` (every assignment and every in-place mutation): caches of
    /// something computed from the value compare `stamp`s to know whether it still holds.
    private(set) var version: UInt64 = 0
    /// Whether optimizers update this parameter.
    public let isTrainable: Bool
    private var gradientStorage: Tensor
    /// True after `zeroGradient()` until the next accumulation: the storage then holds stale values
    /// that count as zero, which saves clearing every weight's gradient before each backward pass.
    private var gradientIsZero = true

    /// A parameter with the given value and a zero gradient.
    public init(name: String, value: Tensor, isTrainable: Bool = true) {
        self.name = name
        self.storedValue = value
        self.isTrainable = isTrainable
        self.gradientStorage = Tensor(shape: isTrainable ? value.shape : [0])
    }

    /// The accumulated gradient of the loss with respect to `value` (trainable parameters only).
    public var gradient: Tensor {
        get {
            if gradientIsZero { clearStorage() }
            return gradientStorage
        }
        set {
            precondition(newValue.shape == value.shape, "\(name): gradient \(newValue.shape) for value \(value.shape)")
            gradientStorage = newValue
            gradientIsZero = false
        }
    }

    /// This parameter and the current version of its value.
    var stamp: ParameterStamp { ParameterStamp(parameter: ObjectIdentifier(self), version: version) }

    /// Starts a new accumulation: the gradient counts as zero from now on.
    public func zeroGradient() { gradientIsZero = true }

    /// Adds to the gradient through `body(pointer, overwrite)`: when `overwrite` is true the
    /// gradient is zero and `body` must write every element instead of adding.
    func accumulateGradient(_ body: (UnsafeMutablePointer<Float>, _ overwrite: Bool) -> Void) {
        let overwrite = gradientIsZero
        gradientIsZero = false
        gradientStorage.withUnsafeMutableBufferPointer { body($0.baseAddress!, overwrite) }
    }

    /// Adds the column sums of `rowGradient` (rows of `value.count` floats) to the gradient: the
    /// gradient of a bias added to every row.
    func accumulateColumnSums(of rowGradient: Tensor) {
        let columns = value.count
        accumulateGradient { db, overwrite in
            if overwrite { db.update(repeating: 0, count: columns) }
            rowGradient.withUnsafeBufferPointer { dz in
                let rows = dz.count / columns
                ChannelLoops.blockedColumnSums(rows: rows, columns: columns, into: [db]) { rowBlock, partials in
                    for r in rowBlock { VectorMath.add(dz.baseAddress! + r * columns, into: partials[0], count: columns) }
                }
            }
        }
    }

    /// Read access to the gradient for optimizers.
    func withGradient<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
        if gradientIsZero { clearStorage() }
        return gradientStorage.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private func clearStorage() {
        gradientStorage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        gradientIsZero = false
    }
}

/// One layer of a `Sequential` model, with Keras semantics.
///
/// A layer is built once for the shape of one item (the batch axis excluded). `forward` keeps
/// what `backward` needs in a numbered slot, so a model can be called twice in one training
/// step (the discriminator on the real and on the fake batch) and differentiated for each call.
public protocol Layer: AnyObject {
    /// The layer's name in summaries; `Sequential` assigns a Keras-style one when empty.
    var name: String { get set }
    /// The Keras class name shown in summaries, e.g. `Dense`.
    var typeName: String { get }
    /// Checks the configuration against the item shape coming in, creates the weights and
    /// returns the item shape going out. A misfit is a thrown error naming both.
    func build(inputShape: [Int], random: RandomGenerator) throws -> [Int]
    /// Every weight: trainable ones first, in Keras order.
    var parameters: [Parameter] { get }
    /// The weights an optimizer updates: the trainable ones, none of a frozen nested model's.
    var trainableParameters: [Parameter] { get }
    /// Computes the output for a batch and remembers what `backward` needs in `slot`.
    func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor
    /// Given the gradient at the output of the call remembered in `slot`, adds the parameter
    /// gradients (when `accumulateParameterGradients`) and returns the gradient at the input
    /// (when `needsInputGradient`).
    func backward(
        _ outputGradient: Tensor, slot: Int,
        needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor?
    /// Whether an item's output in training depends on the other items of the batch (batch
    /// normalisation). Most layers treat every item on its own.
    var couplesBatchItems: Bool { get }
    /// Lets go of what calls remembered for `backward` and of reusable work buffers, so that a
    /// model whose training has ended holds little more than its weights (a lab that trains two
    /// GANs one after the other then needs the memory of one). The next call allocates again.
    func releaseWorkingMemory()
}

extension Layer {
    /// No weights.
    public var parameters: [Parameter] { [] }

    /// The weights marked trainable (batch normalisation's moving statistics are not).
    public var trainableParameters: [Parameter] { parameters.filter(\.isTrainable) }

    /// Items are independent.
    public var couplesBatchItems: Bool { false }

    /// Nothing is kept between calls.
    public func releaseWorkingMemory() {}

    /// The number of scalars in all weights, as Keras's `count_params()`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// Per-call memory of a layer, indexed by slot.
struct SlotStore<Value> {
    private var values: [Value?] = []

    subscript(slot: Int) -> Value? {
        get { slot < values.count ? values[slot] : nil }
        set {
            if slot >= values.count { values += [Value?](repeating: nil, count: slot + 1 - values.count) }
            values[slot] = newValue
        }
    }
}

/// One value of one parameter: two equal stamps mean that the parameter's value has not changed
/// between them.
struct ParameterStamp: Equatable {
    let parameter: ObjectIdentifier
    let version: UInt64
}
