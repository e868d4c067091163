/// Working memory that is not state: what a forward pass keeps for its backward pass, scratch
/// buffers, plans derived from a layer's settings. Anything that fingerprints a value by
/// reflection (the lab runner's step cache) skips values of these types, because a run restored
/// from a checkpoint holds different leftovers in them and computes exactly the same.
public protocol TransientStorage {}

/// A value whose stored properties are not the right thing to fingerprint (they hold addresses,
/// unordered dictionaries or gradients), and which offers a canonical description instead:
/// plain values (numbers, arrays, strings, tensors) that are equal exactly when the states are.
public protocol CanonicalState {
    /// The state as plain values, in a fixed order.
    var canonicalState: Any { get }
}

extension SlotStore: TransientStorage {}
extension BufferPool: TransientStorage {}
extension ConvolutionEngine: TransientStorage {}
/// A Dense layer's packed weights: filled by a forward pass, empty after a checkpoint is
/// restored. Until they were left out of the fingerprint, a replayed training step left "a different state"
/// whenever a Dense product ran on the panel kernel (the main lab's every training), so such
/// steps never came from the cache.
extension WeightProducts: TransientStorage {}
extension KernelOperandCache: TransientStorage {}

extension Parameter: CanonicalState {
    /// Name, value and whether it trains; the gradient is working memory (every training step
    /// starts it from zero).
    public var canonicalState: Any { (name, value, isTrainable) }
}

extension RandomGenerator: CanonicalState {
    /// The position in the sequence.
    public var canonicalState: Any { savedState }
}

extension OptimizerState: CanonicalState {
    /// Every parameter's state arrays, in an order fixed by their contents (the dictionary is
    /// keyed by object addresses, which differ from run to run).
    var canonicalState: Any {
        let arrays = self.arrays.values.map { $0.flatMap { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) } }
        return arrays.sorted { a, b in
            if a.count != b.count { return a.count < b.count }
            for (x, y) in zip(a, b) where x.bitPattern != y.bitPattern { return x.bitPattern < y.bitPattern }
            return false
        }
    }
}

extension GANHistory: CanonicalState {
    /// Everything but the wall-clock epoch times: training again gives the same losses and
    /// samples in a different time, and what follows from them still holds.
    public var canonicalState: Any { (generatorLosses, discriminatorLosses, epochSamples, evaluations, evaluationInterval, wasInterrupted) }
}
