import Crypto
import Foundation
import NeuralNet

extension DigitEvaluator {
    static let magic = Array("LABEVAL1".utf8)
    /// The largest evaluator file read: the network has 225,034 weights (under 1 MB).
    static let maximumFileSize = 16 << 20

    /// The evaluator as bytes: a magic line, the data fingerprint, the test accuracy, every
    /// weight with its shape, and the SHA-256 of all of it.
    public func encoded() -> [UInt8] {
        var payload: [UInt8] = Array(dataFingerprint.utf8)
        func append(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { payload += $0 } }
        append(UInt64(testAccuracy.bitPattern))
        append(UInt64(model.parameters.count))
        for parameter in model.parameters {
            append(UInt64(parameter.value.shape.count))
            for size in parameter.value.shape { append(UInt64(size)) }
            parameter.value.withUnsafeBufferPointer { payload += UnsafeRawBufferPointer($0) }
        }
        let digest = Self.hexDigits(SHA256.hash(data: payload))
        return Self.magic + payload + Array(digest.utf8)
    }

    /// Reads an evaluator written by `encoded()`. Anything that does not check out (magic,
    /// size, checksum, shapes) is a thrown error: the caller trains a new one, never trusting
    /// a damaged file.
    public static func decode(_ bytes: [UInt8]) throws -> DigitEvaluator {
        func damaged(_ why: String) -> NeuralNetError { NeuralNetError("the saved evaluator is damaged (\(why))") }
        guard bytes.count <= maximumFileSize, bytes.count >= magic.count + 64 + 64 + 16, Array(bytes.prefix(magic.count)) == magic else {
            throw damaged("not an evaluator file of this version")
        }
        let payload = Array(bytes[magic.count..<(bytes.count - 64)])
        let digest = hexDigits(SHA256.hash(data: payload))
        guard Array(digest.utf8) == Array(bytes.suffix(64)) else { throw damaged("checksum mismatch") }
        var position = 64
        func word() throws -> UInt64 {
            guard position + 8 <= payload.count else { throw damaged("truncated") }
            defer { position += 8 }
            return payload[position..<(position + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        let fingerprint = String(decoding: payload.prefix(64), as: UTF8.self)
        let accuracy = Float(bitPattern: UInt32(truncatingIfNeeded: try word()))
        let model = try makeModel(random: RandomGenerator(seed: 0))
        guard try word() == UInt64(model.parameters.count) else { throw damaged("another network") }
        for parameter in model.parameters {
            guard try word() == UInt64(parameter.value.shape.count) else { throw damaged("another network") }
            for size in parameter.value.shape where try word() != UInt64(size) { throw damaged("another network") }
            let count = parameter.value.count
            guard position + 4 * count <= payload.count else { throw damaged("truncated") }
            let values = payload[position..<(position + 4 * count)].withUnsafeBytes { raw in
                (0..<count).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
            }
            position += 4 * count
            parameter.value = Tensor(shape: parameter.value.shape, scalars: values)
        }
        guard position == payload.count else { throw damaged("unexpected bytes at the end") }
        return DigitEvaluator(model: model, dataFingerprint: fingerprint, testAccuracy: accuracy)
    }
}
