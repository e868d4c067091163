@testable import Lab
import NeuralNet
import Testing

/// The state fingerprint writes the DSL's plain values directly; the bytes must be those the
/// reflection path writes, so cache entries stay valid and no value is written ambiguously.
@Suite struct StateEncoderTests {
    func digest(_ value: Value, direct: Bool) -> String {
        var encoder = StateEncoder(directValues: direct)
        encoder.encode(value)
        return encoder.hasher.hex
    }

    static var values: [Value] { [
        .int(0), .int(-1), .int(Int.max), .int(Int.min),
        .double(0), .double(-0.0), .double(2e-4), .double(.nan), .double(.infinity),
        .string(""), .string("생성자 G"), .string("a\u{0}b"),
        .bool(true), .bool(false),
        .array([]), .array([.int(1), .double(1), .string("1"), .bool(true)]),
        .array([.array([.int(1)]), .array([]), .array([.array([.string("깊이")])])]),
        .array([.tensor(Tensor(shape: [2], scalars: [1, 2])), .int(3)]),
        .tensor(Tensor(shape: [1, 2], scalars: [0.5, -0.5])), .void,
    ] }

    @Test func directValuesWriteWhatReflectionWrites() {
        for value in Self.values {
            #expect(digest(value, direct: true) == digest(value, direct: false), "\(value.typeName) \(value.printed)")
        }
    }

    /// An array met again (the same storage) is written as a reference to its first meeting, so
    /// `a = [a, a]` costs its n small arrays, not its 2ⁿ numbers. Here 16 levels, which are quick
    /// either way: the shared value's digest differs from that of the same numbers in fresh
    /// arrays, which are written out whole. (Without the references this fails, where
    /// `HostileLabTests`' 30 levels would only hang.)
    @Test func anArrayMetAgainIsWrittenAsAReference() {
        func fresh(_ value: Value) -> Value {
            if case .array(let items) = value { return .array(items.map(fresh)) }
            return value
        }
        var shared = Value.array([.double(1.5)]), copied = shared
        for _ in 0..<16 {
            shared = .array([shared, shared])
            copied = .array([fresh(copied), fresh(copied)])
        }
        #expect(shared.printed(limit: 1 << 22) == copied.printed(limit: 1 << 22))
        #expect(digest(shared, direct: true) != digest(copied, direct: true))
        #expect(digest(fresh(copied), direct: true) == digest(copied, direct: true))
    }

    @Test func differentValuesHaveDifferentDigests() {
        let digests = Self.values.map { digest($0, direct: true) }
        #expect(Set(digests).count == digests.count)
        #expect(digest(.array([.int(1), .int(2)]), direct: true) != digest(.array([.array([.int(1), .int(2)])]), direct: true))
        #expect(digest(.array([.string("a"), .string("b")]), direct: true) != digest(.array([.string("ab")]), direct: true))
    }
}
