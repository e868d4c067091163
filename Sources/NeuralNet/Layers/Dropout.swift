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
        guard training, rate > 0, let random else {
            maskKeys[slot] = nil
            return input
        }
        let key = random.next()
        maskKeys[slot] = key
        return Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in applyMask(key: key, x.baseAddress!, y.baseAddress!, count: x.count) }
        }
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let key = maskKeys[slot] else { return outputGradient }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                applyMask(key: key, dy.baseAddress!, dx.baseAddress!, count: dx.count)
            }
        }
    }

    /// Elements per mask block: one random stream each, small enough to stay in L1.
    private static let block = 1024

    /// y = x · mask, the mask of `key`: 16 random bits per element, an element kept when its
    /// draw is at least round(rate · 2¹⁶), so P(drop) is within 8e-6 of `rate`. Blocks are spread
    /// over the `WorkerPool`.
    private func applyMask(key: UInt64, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let threshold = UInt16(Swift.min((rate * 65_536).rounded(), 65_535))
        let kept = 1 / (1 - rate)
        let limit = Float(threshold)
        let block = Self.block, blocks = (count + block - 1) / block
        ParallelSplit.forEachRange(count: blocks, minimumPerCore: ParallelSplit.smallestSplitWork / block, alignment: 1) { range in
            // Each block: random words into a buffer that stays in L1, read as 16-bit draws; the
            // comparison and the multiply are plain loops the compiler vectorises.
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: block / 4) { words in
                let draws = UnsafeRawPointer(words.baseAddress!).assumingMemoryBound(to: UInt16.self)
                for b in range {
                    let start = b * block, length = Swift.min(block, count - start)
                    RandomGenerator.fill(words.baseAddress!, count: (length + 3) / 4, key: key, stream: b)
                    let (input, output) = (x + start, y + start)
                    var i = 0
                    while i + FloatVector.scalarCount <= length {
                        let draw = SIMD8<Float>(UnsafeRawPointer(draws + i).loadUnaligned(as: SIMD8<UInt16>.self))
                        let value = input.vector(at: i) * kept
                        output.setVector(value.replacing(with: 0, where: draw .< limit), at: i)
                        i += FloatVector.scalarCount
                    }
                    for j in i..<length { output[j] = draws[j] >= threshold ? input[j] * kept : 0 }
                }
            }
        }
    }
}
