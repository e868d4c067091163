/// Keras `Dropout`: in training, each element is zeroed with probability `rate` and the survivors
/// are scaled by 1 / (1 − rate) (inverted dropout), so inference is the identity.
///
/// The masks come from the generator the model was built with, so a seeded run repeats exactly.
public final class Dropout: Layer {
    /// The probability of dropping an element, in [0, 1).
    public let rate: Float
    public var name: String
    public let typeName = "Dropout"
    private var random: RandomGenerator?
    /// Per slot: the factor each element was multiplied by (0 or 1 / (1 − rate)); nil in inference.
    private var masks = SlotStore<[Float]>()

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
            masks[slot] = nil
            return input
        }
        let count = input.count
        // Compare 24-bit integers: two draws per 64 random bits, no float conversion per element.
        let threshold = UInt64((rate * 16_777_216).rounded())
        let keptScale = 1 / (1 - rate)
        let mask = [Float](unsafeUninitializedCapacity: count) { m, initialized in
            var i = 0
            while i < count {
                let bits = random.next()
                m[i] = (bits >> 40) >= threshold ? keptScale : 0
                if i + 1 < count { m[i + 1] = ((bits >> 16) & 0xFF_FFFF) >= threshold ? keptScale : 0 }
                i += 2
            }
            initialized = count
        }
        masks[slot] = mask
        return Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in for i in 0..<count { y[i] = x[i] * mask[i] } }
        }
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let mask = masks[slot] else { return outputGradient }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                mask.withUnsafeBufferPointer { m in for i in 0..<dx.count { dx[i] = dy[i] * m[i] } }
            }
        }
    }
}
