/// Keras `Dropout`: in training, each element is zeroed with probability `rate` and the survivors
/// are scaled by 1 / (1 − rate) (inverted dropout), so inference is the identity.
///
/// The masks come from the generator the model was built with, so a seeded run repeats exactly:
/// each forward pass takes one 64-bit key from it, and block `b` of 1,024 elements draws its bits
/// from stream `b` under that key (`RandomGenerator.fill(_:count:key:stream:)`). Blocks are
/// therefore made on all cores, and no mask is stored: `backward` keeps only the key and draws
/// the same bits again, which costs less than writing and reading a mask the size of the batch.
public final class Dropout: Layer {
    /// The probability of dropping an element, in [0, 1).
    public let rate: Float
    public var name: String
    public let typeName = "Dropout"
    private var random: RandomGenerator?
    /// Per slot: the key of the forward pass's mask; nil in inference.
    private var maskKeys = SlotStore<UInt64>()

    /// A dropout layer with the given rate.
    public init(_ rate: Float, name: String = "") {
        self.rate = rate
        self.name = name
    }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard rate >= 0 && rate < 1 else {
            throw NeuralNetError("Dropout rate must be in [0, 1), got \(rate)")
        }
        self.random = random
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        guard let mask = drawMask(training: training, slot: slot) else { return input }
        return Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in applyMask(mask, x.baseAddress!, y.baseAddress!, count: x.count) }
        }
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let mask = rememberedMask(slot) else { return outputGradient }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                applyMask(mask, dy.baseAddress!, dx.baseAddress!, count: dx.count)
            }
        }
    }

    /// Draws the mask of a training call (one key from the model's generator) and remembers it in
    /// `slot`; nil, and nothing remembered, when the call drops nothing (inference or rate 0).
    func drawMask(training: Bool, slot: Int) -> DropoutMask? {
        guard training, rate > 0, let random else {
            maskKeys[slot] = nil
            return nil
        }
        let key = random.next()
        maskKeys[slot] = key
        return DropoutMask(key: key, rate: rate)
    }

    /// The mask the call in `slot` drew; nil when it dropped nothing.
    func rememberedMask(_ slot: Int) -> DropoutMask? {
        maskKeys[slot].map { DropoutMask(key: $0, rate: rate) }
    }

    /// y = x · mask, spread over the `WorkerPool` by mask blocks.
    private func applyMask(_ mask: DropoutMask, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        mask.forEachBlock(count: count) { range, draws in
            mask.apply(draws, x + range.lowerBound, y + range.lowerBound, count: range.count)
        }
    }
}

/// One call's dropout mask: 16 random bits per element, an element kept when its draw is at least
/// round(rate · 2¹⁶), so P(drop) is within 8e-6 of the rate. Kept elements are scaled by
/// 1 / (1 − rate).
///
/// Block `b` of `block` elements draws its bits from stream `b` under the key
/// (`RandomGenerator.fill(_:count:key:stream:)`), so blocks are made on all cores and made again,
/// the same, by the backward pass.
struct DropoutMask {
    /// The forward call's key.
    let key: UInt64
    /// Draws below this are dropped.
    let threshold: UInt16
    /// The scale of the elements kept.
    let kept: Float

    init(key: UInt64, rate: Float) {
        self.key = key
        threshold = UInt16(Swift.min((rate * 65_536).rounded(), 65_535))
        kept = 1 / (1 - rate)
    }

    /// Elements per mask block: one random stream each, small enough to stay in L1.
    static let block = 1024

    /// Calls `body(range, draws)` for every block of a mask over `count` elements, with the
    /// block's element range and its 16-bit draws, spread over the `WorkerPool`.
    func forEachBlock(count: Int, _ body: (Range<Int>, UnsafePointer<UInt16>) -> Void) {
        let block = Self.block, blocks = (count + block - 1) / block
        ParallelSplit.forEachRange(count: blocks, minimumPerCore: ParallelSplit.smallestSplitWork / block, alignment: 1) { range in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: block / 4) { words in
                let draws = UnsafeRawPointer(words.baseAddress!).assumingMemoryBound(to: UInt16.self)
                for b in range {
                    let start = b * block, length = Swift.min(block, count - start)
                    RandomGenerator.fill(words.baseAddress!, count: (length + 3) / 4, key: key, stream: b)
                    body(start..<(start + length), draws)
                }
            }
        }
    }

    /// y = x · mask for one block's `count` elements and their `draws`: the comparison and the
    /// multiply are plain loops the compiler vectorises.
    @inline(__always) func apply(_ draws: UnsafePointer<UInt16>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + FloatVector.scalarCount <= count {
            y.setVector(masked(x.vector(at: i), draws: draws + i), at: i)
            i += FloatVector.scalarCount
        }
        for j in i..<count { y[j] = masked(x[j], draw: draws[j]) }
    }

    /// Eight elements times their mask.
    @inline(__always) func masked(_ value: FloatVector, draws: UnsafePointer<UInt16>) -> FloatVector {
        let draw = SIMD8<Float>(UnsafeRawPointer(draws).loadUnaligned(as: SIMD8<UInt16>.self))
        return (value * kept).replacing(with: 0, where: draw .< Float(threshold))
    }

    /// One element times its mask.
    @inline(__always) func masked(_ value: Float, draw: UInt16) -> Float {
        draw >= threshold ? value * kept : 0
    }
}
