import RealModule

/// The one seeded source of randomness behind every draw: initialisers, noise, dropout masks and
/// shuffles. The same seed gives the same sequence on every run.
///
/// xoshiro256** seeded through SplitMix64, as its authors recommend.
public final class RandomGenerator: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// A normal deviate kept from the last Box–Muller pair.
    private var spareNormal: Float?

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = Self.initialState(seed: seed)
    }

    /// xoshiro256**'s state for `seed`: four SplitMix64 outputs. SplitMix64 steps its seed by
    /// `splitMixGamma`, so seeds four steps apart give states that share no words.
    private static func initialState(seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= splitMixGamma
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (next(), next(), next(), next())
    }

    private static let splitMixGamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Fills `count` words with the random bits of stream `stream` under `key`: a sequence of its
    /// own for each stream, computed without this generator's state, so that blocks of one
    /// large draw (a dropout mask) can be made on several threads and made again later.
    static func fill(_ words: UnsafeMutablePointer<UInt64>, count: Int, key: UInt64, stream: Int) {
        var state = initialState(seed: key &+ UInt64(truncatingIfNeeded: stream) &* 4 &* splitMixGamma)
        generate(count: count, state: &state) { i, bits in words[i] = bits }
    }

    /// Starts this generator's sequence over from `seed`, as a new generator with that seed would;
    /// everything holding this generator (layers, a GAN) follows the new sequence.
    public func reseed(_ seed: UInt64) {
        savedState = RandomGenerator(seed: seed).savedState
    }

    /// A generator that will produce the same sequence as this one from here on.
    public func copy() -> RandomGenerator {
        let twin = RandomGenerator(seed: 0)
        twin.state = state
        twin.spareNormal = spareNormal
        return twin
    }

    /// The generator's whole state: four words of xoshiro256** and the kept normal deviate (its
    /// bit pattern, or nil). Restoring it continues the sequence exactly where it was saved.
    public var savedState: SavedState {
        get { SavedState(words: [state.0, state.1, state.2, state.3], spareNormal: spareNormal?.bitPattern) }
        set {
            precondition(newValue.words.count == 4, "a saved RandomGenerator state has 4 words")
            state = (newValue.words[0], newValue.words[1], newValue.words[2], newValue.words[3])
            spareNormal = newValue.spareNormal.map(Float.init(bitPattern:))
        }
    }

    /// See `savedState`.
    public struct SavedState: Sendable, Equatable {
        public var words: [UInt64]
        public var spareNormal: UInt32?

        public init(words: [UInt64], spareNormal: UInt32?) {
            self.words = words
            self.spareNormal = spareNormal
        }
    }

    /// The next 64 random bits.
    public func next() -> UInt64 {
        let result = Self.rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotate(state.3, 45)
        return result
    }

    @inline(__always) private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Calls `body(index, bits)` for `count` words of random bits: the same sequence as `count`
    /// calls of `next()`, with the state kept in registers for the whole loop.
    @inline(__always) public func generate(count: Int, _ body: (Int, UInt64) -> Void) {
        var local = state
        Self.generate(count: count, state: &local, body)
        state = local
    }

    @inline(__always) private static func generate(
        count: Int, state: inout (UInt64, UInt64, UInt64, UInt64), _ body: (Int, UInt64) -> Void
    ) {
        var (s0, s1, s2, s3) = state
        for i in 0..<count {
            body(i, rotate(s1 &* 5, 7) &* 9)
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = rotate(s3, 45)
        }
        state = (s0, s1, s2, s3)
    }

    /// Fills `count` words with random bits (the same sequence as `count` calls of `next()`).
    public func fill(_ words: UnsafeMutablePointer<UInt64>, count: Int) {
        generate(count: count) { i, bits in words[i] = bits }
    }

    /// A uniform float in [0, 1) with 24 random bits.
    @inline(__always) public func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform float in [low, high).
    public func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUniform()
    }

    /// A standard normal deviate (Box–Muller).
    public func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let (first, second) = Self.normalPair(next(), next())
        spareNormal = second
        return first
    }

    /// Box–Muller's two deviates from two words of random bits: `nextNormal` returns the first
    /// and keeps the second.
    @inline(__always) private static func normalPair(_ word1: UInt64, _ word2: UInt64) -> (Float, Float) {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1 - Double(word1 >> 11) * 0x1p-53
        let u2 = Double(word2 >> 11) * 0x1p-53
        let radius = (-2 * Double.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * Double.cos(angle)), Float(radius * Double.sin(angle)))
    }

    /// Writes `mean + standardDeviation · nextNormal()` to each of `buffer`'s elements in turn:
    /// the same values, and the same state afterwards, as that loop. The random words are drawn
    /// in order first; then the logarithms, sines and cosines, which take most of the time, run
    /// on the `WorkerPool` (a generator's 256 × 100 noise batch took 0.36 ms on one core).
    func fillNormals(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float, standardDeviation: Float) {
        var start = 0
        if let spare = spareNormal, !buffer.isEmpty {
            spareNormal = nil
            buffer[0] = mean + standardDeviation * spare
            start = 1
        }
        let pairs = (buffer.count - start + 1) / 2
        guard pairs > 0 else { return }
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * pairs)
        defer { words.deallocate() }
        fill(words, count: 2 * pairs)
        let out = buffer.baseAddress! + start, count = buffer.count - start
        ParallelSplit.forEachRange(count: pairs, minimumPerCore: 1 << 11, alignment: 1) { range in
            for p in range {
                let (first, second) = Self.normalPair(words[2 * p], words[2 * p + 1])
                out[2 * p] = mean + standardDeviation * first
                if 2 * p + 1 < count { out[2 * p + 1] = mean + standardDeviation * second }
            }
        }
        if count % 2 == 1 { spareNormal = Self.normalPair(words[2 * pairs - 2], words[2 * pairs - 1]).1 }
    }

    /// A tensor of uniform values in [low, high).
    public func uniformTensor(shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = uniform(low, high) }
        }
    }

    /// A tensor of normal values with the given mean and standard deviation.
    public func normalTensor(shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        Tensor(shape: shape) { buffer in fillNormals(buffer, mean: mean, standardDeviation: standardDeviation) }
    }

    /// A random permutation of `0..<count` (Fisher–Yates).
    public func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(next() % UInt64(i + 1)))
            }
        }
        return order
    }
}
