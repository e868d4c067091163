import CKernels

/// Keras `Dropout`: in training, each element is zeroed with probability `rate` and the survivors
/// are scaled by 1 / (1 − rate) (inverted dropout), so inference is the identity.
///
/// The masks come from the generator the model was built with, so a seeded run repeats exactly:
/// each forward pass takes one 64-bit key from it, and block `b` of 1,024 elements draws its bits
/// from stream `b` under that key (`RandomGenerator.fill(_:count:key:stream:)`). Blocks are
/// therefore made on all cores, and no mask is stored: `backward` keeps only the key and draws
/// the same bits again, which costs less than writing and reading a mask the size of the batch.
/// Behind a rectifier in an `ElementwiseChain` the backward pass does not even draw them again:
/// the chain's output is zero exactly where an element was dropped, except in the rare blocks
/// where a kept element came out zero, which the forward pass notes (`KeptZeroBlocks`).
public final class Dropout: Layer {
    /// The probability of dropping an element, in [0, 1).
    public let rate: Float
    public var name: String
    public let typeName = "Dropout"
    private var random: RandomGenerator?
    /// Per slot: the key of the forward pass's mask; nil in inference.
    private var maskKeys = SlotStore<UInt64>()
    /// Per slot: the blocks of a chained forward call's mask that kept a zero; nil when the call
    /// was not chained.
    private var keptZeros = SlotStore<KeptZeroBlocks>()
    /// Per slot: the elements a chained forward call kept, for a chain with batch normalisation;
    /// nil otherwise.
    private var keptElements = SlotStore<KeptElements>()

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

    public func releaseWorkingMemory() {
        keptZeros = SlotStore()
        keptElements = SlotStore()
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
        keptZeros[slot] = nil
        keptElements[slot] = nil
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

    /// Remembers, for the call in `slot`, which of its mask's blocks kept an element whose value
    /// was exactly zero (`ElementwiseChain.forward` finds them as it applies the mask).
    func remember(keptZeros blocks: KeptZeroBlocks, slot: Int) {
        keptZeros[slot] = blocks
    }

    /// The kept-zero blocks of the chained call in `slot`; nil when it was not chained.
    func rememberedKeptZeros(_ slot: Int) -> KeptZeroBlocks? {
        keptZeros[slot]
    }

    /// Remembers, for the call in `slot`, which elements its mask kept (a chain with batch
    /// normalisation notes them as it applies the mask).
    func remember(keptElements elements: KeptElements, slot: Int) {
        keptElements[slot] = elements
    }

    /// The kept elements of the chained call in `slot`; nil when it noted none.
    func rememberedKeptElements(_ slot: Int) -> KeptElements? {
        keptElements[slot]
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
        forEachBlock(count: count, drawing: { _ in true }) { range, draws in body(range, draws!) }
    }

    /// `forEachBlock`, drawing the bits only of the blocks `drawing` picks (by index): the others
    /// get nil.
    func forEachBlock(count: Int, drawing: (Int) -> Bool, _ body: (Range<Int>, UnsafePointer<UInt16>?) -> Void) {
        let blocks = Self.blocks(count: count)
        ParallelSplit.forEachRange(count: blocks, minimumPerCore: ParallelSplit.smallestSplitWork / Self.block, alignment: 1) { range in
            forEachBlock(range, count: count, drawing: drawing, body)
        }
    }

    /// `forEachBlock(count:drawing:_:)` for the blocks `blocks` only, in order, on the calling thread.
    func forEachBlock(_ blocks: Range<Int>, count: Int, drawing: (Int) -> Bool, _ body: (Range<Int>, UnsafePointer<UInt16>?) -> Void) {
        let block = Self.block
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: block / 4) { words in
            let draws = UnsafeRawPointer(words.baseAddress!).assumingMemoryBound(to: UInt16.self)
            for b in blocks {
                let start = b * block, length = Swift.min(block, count - start)
                guard drawing(b) else {
                    body(start..<(start + length), nil)
                    continue
                }
                RandomGenerator.fill(words.baseAddress!, count: (length + 3) / 4, key: key, stream: b)
                body(start..<(start + length), draws)
            }
        }
    }

    /// The number of mask blocks over `count` elements.
    static func blocks(count: Int) -> Int { (count + block - 1) / block }

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
        var keptZeros = SIMDMask<FloatVector.MaskStorage>()
        return masked(value, draws: draws, keptZeros: &keptZeros)
    }

    /// Eight elements times their mask, adding to `keptZeros` the lanes that were kept and came
    /// out exactly zero.
    @inline(__always) func masked(_ value: FloatVector, draws: UnsafePointer<UInt16>,
                                  keptZeros: inout SIMDMask<FloatVector.MaskStorage>) -> FloatVector {
        let draw = SIMD8<Float>(UnsafeRawPointer(draws).loadUnaligned(as: SIMD8<UInt16>.self))
        let dropped = draw .< Float(threshold)
        let result = (value * kept).replacing(with: 0, where: dropped)
        keptZeros .|= .!dropped .& (result .== 0)
        return result
    }

    /// One element times its mask.
    @inline(__always) func masked(_ value: Float, draw: UInt16) -> Float {
        draw >= threshold ? value * kept : 0
    }
}

/// Which blocks of one chained dropout call kept an element that came out exactly zero (a
/// rectifier's output of zero, kept and scaled). Everywhere else the chain's output is zero
/// exactly where dropout dropped, so the backward pass reads the mask off the output instead of
/// drawing it again; in these blocks it draws it again. One byte per block, written by the
/// thread that makes the block.
final class KeptZeroBlocks {
    private let flags: UnsafeMutablePointer<UInt8>
    /// The number of blocks.
    let count: Int

    /// No block marked, for a mask over `elements` elements.
    init(elements: Int) {
        count = DropoutMask.blocks(count: elements)
        flags = .allocate(capacity: max(count, 1))
        flags.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { flags.deallocate() }

    /// Marks block `block`.
    func mark(_ block: Int) { flags[block] = 1 }

    /// Whether block `block` kept a zero.
    subscript(block: Int) -> Bool { flags[block] != 0 }
}

/// Which elements one chained dropout call kept, one bit each (bit `i % 8` of byte `i / 8`), for
/// a chain that starts with batch normalisation: its backward pass then applies dropout and the
/// rectifier inside the normalisation's two passes (`ChannelLoops.Rectifier`), which read the
/// gradient, the normalisation's input and these bits (1/32 of a float per element), instead of
/// first a pass through dropout and the rectifier that reads the gradient and the chain's output
/// and writes a gradient. Only where those passes run on our AVX-512 loops
/// (`ChannelLoops.wide`): in Swift's SSE vectors, taking eight bits apart cost more than the
/// pass it saves. Written a mask block (128 bytes) at a time by the thread that makes the block.
final class KeptElements {
    private let bytes: UnsafeMutablePointer<UInt8>
    /// The number of elements.
    let count: Int
    /// The scale of the elements kept, 1 / (1 − rate).
    let kept: Float

    /// No element kept yet, of `elements`, kept ones to be scaled by `kept`.
    init(elements: Int, kept: Float) {
        count = elements
        self.kept = kept
        // Four bytes more than the bits: the loops read the four bytes from an element's byte.
        // `mark` writes every byte of the bits, once per mask block; only the four are set here.
        let bitBytes = (elements + 7) / 8
        bytes = .allocate(capacity: bitBytes + 4)
        (bytes + bitBytes).initialize(repeating: 0, count: 4)
    }

    deinit { bytes.deallocate() }

    /// Marks the elements of `range` (a mask block: it starts on a multiple of eight) whose
    /// `draws` are at least `threshold`, the ones `DropoutMask.masked` keeps.
    func mark(_ range: Range<Int>, draws: UnsafePointer<UInt16>, threshold: UInt16) {
        precondition(range.lowerBound % 8 == 0 && range.upperBound <= count, "a mask block's elements, not \(range)")
        lab_mark_kept(draws, range.count, threshold, bytes + range.lowerBound / 8)
    }

    /// Whether element `index` was kept.
    subscript(index: Int) -> Bool { bytes[index / 8] >> UInt8(index % 8) & 1 != 0 }

    /// The bits, for loops that run while the caller keeps this object alive.
    var bits: UnsafePointer<UInt8> { UnsafePointer(bytes) }
}
