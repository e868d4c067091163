/// Keeps a Winograd layer's transformed, packed kernel from one call to the next while the
/// kernel does not change.
///
/// A discriminator runs each convolution twice per weight update: on the real and on the fake
/// batch, forward and then backward. The second call of each pair can reuse the kernel operand
/// the first one computed (6.25 times the kernel's size for the 004 models' 8 ↔ 4 layers).
/// A generator's calls alternate forward and backward with an update in between, so nothing
/// could be reused there: the cache starts keeping operands, in a buffer of its own, only after
/// two calls in a row asked for the same one, and layers that never repeat hold no extra buffer.
final class KernelOperandCache {
    /// Which operand: a kernel's value and whether it is packed for the transposed product.
    struct Key: Equatable {
        let stamp: ParameterStamp
        let transposed: Bool
    }

    private var lastKey: Key?
    private var keptKey: Key?
    /// The kept operand: `keptCount` floats from `kept[keptStart]`, on a 64-byte boundary (see
    /// `BufferPool.with`).
    private var kept: [Float] = []
    private var keptStart = 0
    private var keptCount = 0
    /// Whether two calls in a row asked for the same operand, so that operands are kept.
    private(set) var isKeeping = false

    /// Runs `body` on the `count`-float operand of `key`: the kept one when it is that key's,
    /// else one that `compute` writes (into the kept buffer once keeping, else into a buffer
    /// from `pool`). Without a key nothing is kept or reused. The operand starts on a 64-byte
    /// boundary.
    func with<R>(key: Key?, count: Int, pool: BufferPool, compute: (UnsafeMutablePointer<Float>) -> Void,
                 _ body: (UnsafePointer<Float>) -> R) -> R {
        withOperand(key: key, count: count, pool: pool) { operand, mustWrite in
            if mustWrite { compute(operand) }
            return body(operand)
        }
    }

    /// `with`, for a caller that writes the operand in the same pass as it uses it: `body` gets
    /// the operand and whether it must write it (all of it) before reading it; when false it
    /// holds the kept operand of `key`, to be read only.
    func withOperand<R>(key: Key?, count: Int, pool: BufferPool, _ body: (UnsafeMutablePointer<Float>, _ mustWrite: Bool) -> R) -> R {
        if let key, isKeeping, key == keptKey, keptCount == count {
            let start = keptStart
            return kept.withUnsafeMutableBufferPointer { body($0.baseAddress! + start, false) }
        }
        if let key, key == lastKey { isKeeping = true }
        lastKey = key
        guard key != nil, isKeeping else {
            return pool.with(count: count) { body($0, true) }
        }
        if keptCount != count {
            let size = count + BufferPool.floatsPerLine - 1
            kept = [Float](unsafeUninitializedCapacity: size) { _, initialized in initialized = size }
            keptStart = BufferPool.lineStart(of: kept)
            keptCount = count
        }
        keptKey = nil
        let start = keptStart
        let result = kept.withUnsafeMutableBufferPointer { body($0.baseAddress! + start, true) }
        keptKey = key
        return result
    }

    /// Drops the kept operand (computed again when next asked for).
    func removeAll() {
        kept = []
        keptKey = nil
        keptCount = 0
    }
}
