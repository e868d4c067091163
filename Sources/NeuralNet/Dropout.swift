/// Keras `Dropout`: in training, each element is zeroed with probability `rate` and the survivors
/// are scaled by 1 / (1 − rate) (inverted dropout), so inference is the identity.
///
/// The masks come from the generator the model was built with, so a seeded run repeats exactly.
/// No mask is stored: `forward` keeps a copy of the generator as it was, and `backward` draws the
/// same bits again, which costs less than writing and reading a mask the size of the batch.
public final class Dropout: Layer {
    /// The probability of dropping an element, in [0, 1).
    public let rate: Float
    public var name: String
    public let typeName = "Dropout"
    private var random: RandomGenerator?
    /// Per slot: the generator as it was before the forward pass; nil in inference.
    private var replays = SlotStore<RandomGenerator>()

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
            replays[slot] = nil
            return input
        }
        replays[slot] = random.copy()
        return Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in applyMask(from: random, x.baseAddress!, y.baseAddress!, count: x.count) }
        }
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let replay = replays[slot] else { return outputGradient }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                applyMask(from: replay.copy(), dy.baseAddress!, dx.baseAddress!, count: dx.count)
            }
        }
    }

    /// y = x · mask, the mask drawn from `random` in blocks: 16 random bits per element, an element
    /// kept when its draw is at least round(rate · 2¹⁶), so P(drop) is within 8e-6 of `rate`.
    private func applyMask(
        from random: RandomGenerator, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
    ) {
        let threshold = UInt16(Swift.min((rate * 65_536).rounded(), 65_535))
        let kept = 1 / (1 - rate)
        let limit = Float(threshold)
        let block = 1024
        // Each block: random words into a buffer that stays in L1, read as 16-bit draws; the
        // comparison and the multiply are plain loops the compiler vectorises.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: block / 4) { words in
            let draws = UnsafeRawPointer(words.baseAddress!).assumingMemoryBound(to: UInt16.self)
            var start = 0
            while start < count {
                let length = Swift.min(block, count - start)
                random.fill(words.baseAddress!, count: (length + 3) / 4)
                let (input, output) = (x + start, y + start)
                var i = 0
                while i + FloatVector.scalarCount <= length {
                    let draw = SIMD8<Float>(UnsafeRawPointer(draws + i).loadUnaligned(as: SIMD8<UInt16>.self))
                    let value = input.vector(at: i) * kept
                    output.setVector(value.replacing(with: 0, where: draw .< limit), at: i)
                    i += FloatVector.scalarCount
                }
                for j in i..<length { output[j] = draws[j] >= threshold ? input[j] * kept : 0 }
                start += length
            }
        }
    }
}
