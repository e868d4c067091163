import Datasets
import NeuralNet

/// A fast 128-bit fingerprint of the run's state, for cache keys: two lanes of multiply–xor
/// mixing over 64-bit words. Not cryptographic; it tells states apart, and big tensors (a data
/// set of 60,000 images) hash in a few tens of milliseconds.
struct StateHasher {
    private var lanes: (UInt64, UInt64) = (0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344)

    mutating func combine(_ word: UInt64) {
        lanes.0 = (lanes.0 ^ word) &* 0x9E37_79B9_7F4A_7C15
        lanes.0 ^= lanes.0 >> 29
        lanes.1 = (lanes.1 &+ word) &* 0xBF58_476D_1CE4_E5B9
        lanes.1 ^= lanes.1 >> 32
    }

    mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    mutating func combine(_ text: String) {
        let bytes = Array(text.utf8)
        combine(bytes.count)
        for start in stride(from: 0, to: bytes.count, by: 8) {
            combine(bytes[start..<min(start + 8, bytes.count)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
    }

    mutating func combine(_ values: [Float]) {
        combine(values.count)
        values.withUnsafeBytes { combine(raw: $0) }
    }

    mutating func combine(bytes: [UInt8]) {
        combine(bytes.count)
        bytes.withUnsafeBytes { combine(raw: $0) }
    }

    private mutating func combine(raw: UnsafeRawBufferPointer) {
        do {
            let words = raw.count / 8
            var (a, b) = lanes
            for index in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)
                a = (a ^ word) &* 0x9E37_79B9_7F4A_7C15
                a ^= a >> 29
                b = (b &+ word) &* 0xBF58_476D_1CE4_E5B9
                b ^= b >> 32
            }
            lanes = (a, b)
            var tail: UInt64 = 0
            for index in (8 * words)..<raw.count { tail = tail << 8 | UInt64(raw[index]) }
            if raw.count % 8 != 0 { combine(tail) }
        }
    }

    mutating func combine(_ tensor: Tensor) {
        combine(tensor.shape.count)
        for size in tensor.shape { combine(size) }
        combine(tensor.scalars)
    }

    /// 32 hex digits.
    var hex: String {
        func digits(_ word: UInt64) -> String {
            let text = String(word, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return digits(lanes.0) + digits(lanes.1)
    }
}

extension Environment {
    /// The fingerprint of everything a later step can see apart from the parameters: every other
    /// binding (name, whether it is a constant, its value with all weights and optimizer state),
    /// the random generator's position and the data set in use. Equal fingerprints, and equal
    /// values of the parameters a step mentions, mean the step computes the same (wall-clock epoch
    /// times aside). A parameter's effect on earlier steps shows in what they left behind.
    func stateDigest() -> String {
        var hasher = StateHasher()
        for name in bindings.keys.sorted() where !parameterNames.contains(name) {
            hasher.combine(name)
            hasher.combine(constants.contains(name) ? 1 : 0)
            bindings[name]!.digest(into: &hasher)
        }
        let saved = random.savedState
        for word in saved.words { hasher.combine(word) }
        hasher.combine(saved.spareNormal.map(UInt64.init) ?? UInt64.max)
        hasher.combine(seed ?? -1)
        hasher.combine(datasetDescription ?? "")
        return hasher.hex
    }
}

extension Value {
    /// Feeds the value, tagged by kind, into `hasher`.
    func digest(into hasher: inout StateHasher) {
        switch self {
        case .int(let v): hasher.combine(1); hasher.combine(v)
        case .double(let v): hasher.combine(2); hasher.combine(v.bitPattern)
        case .string(let v): hasher.combine(3); hasher.combine(v)
        case .bool(let v): hasher.combine(4); hasher.combine(v ? 1 : 0)
        case .array(let values):
            hasher.combine(5)
            hasher.combine(values.count)
            for value in values { value.digest(into: &hasher) }
        case .tensor(let t): hasher.combine(6); hasher.combine(t)
        case .model(let model): hasher.combine(7); Self.digest(model, into: &hasher)
        case .layer(let layer):
            hasher.combine(8)
            hasher.combine(layer.typeName)
            for parameter in layer.parameters { hasher.combine(parameter.value) }
        case .activation(let a): hasher.combine(9); hasher.combine(a.kerasName)
        case .padding(let p): hasher.combine(10); hasher.combine(p.rawValue)
        case .dataset(let d):
            hasher.combine(11)
            hasher.combine(d.name)
            hasher.combine(d.labels.count)
            for label in d.labels { hasher.combine(label) }
            hasher.combine(d.images)
        case .split(let s): hasher.combine(12); hasher.combine(s.rawValue)
        case .colorMode(let c): hasher.combine(13); hasher.combine(c.rawValue)
        case .pixelRange(let r): hasher.combine(14); hasher.combine(r == .minusOneToOne ? 1 : 0)
        case .loss(let l): hasher.combine(15); hasher.combine(l.fromLogits ? 1 : 0); hasher.combine(UInt64(l.labelSmoothing.bitPattern))
        case .optimizer(let o): hasher.combine(16); hasher.combine(printed); hasher.combine(UInt64(o.learningRate.bitPattern))
        case .gan(let gan):
            hasher.combine(17)
            Self.digest(gan.generator, into: &hasher)
            Self.digest(gan.discriminator, into: &hasher)
            let checkpoint = gan.checkpoint()
            for snapshot in [checkpoint.generatorOptimizer, checkpoint.discriminatorOptimizer] {
                hasher.combine(snapshot.iterations)
                for array in snapshot.arrays { hasher.combine(array) }
            }
            for word in checkpoint.random.words { hasher.combine(word) }
        case .history(let h):
            hasher.combine(18)
            hasher.combine(h.generatorLosses)
            hasher.combine(h.discriminatorLosses)
            // Not the epoch times: training again after a lost entry gives the same weights in a
            // different time, and the steps after it still hold.
            for sample in h.epochSamples { hasher.combine(sample) }
            hasher.combine(h.wasInterrupted ? 1 : 0)
        case .void: hasher.combine(19)
        }
    }

    private static func digest(_ model: Sequential, into hasher: inout StateHasher) {
        hasher.combine(model.name)
        for layer in model.layers { hasher.combine(layer.typeName + ":" + layer.name) }
        for parameter in model.parameters { hasher.combine(parameter.value) }
    }
}
