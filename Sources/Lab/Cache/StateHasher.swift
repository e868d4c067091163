import Crypto

/// SHA-256 over a stream of typed pieces (words, strings with their lengths, float arrays), for
/// cache keys, state fingerprints and entry checksums. Small pieces are gathered in a buffer and
/// handed to SHA-256 in blocks; large arrays go straight through.
struct StateHasher {
    private var sha = SHA256()
    private var pending: [UInt8] = []

    init() { pending.reserveCapacity(4096) }

    mutating func combine(_ word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { pending.append(contentsOf: $0) }
        if pending.count >= 4096 { flush() }
    }

    mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    mutating func combine(_ text: String) {
        let bytes = Array(text.utf8)
        combine(bytes.count)
        pending.append(contentsOf: bytes)
        if pending.count >= 4096 { flush() }
    }

    mutating func combine(_ values: [Float]) {
        combine(values.count)
        values.withUnsafeBytes { combine(raw: $0) }
    }

    mutating func combine(bytes: [UInt8]) {
        combine(bytes.count)
        bytes.withUnsafeBytes { combine(raw: $0) }
    }

    mutating func combine(raw: UnsafeRawBufferPointer) {
        if raw.count < 1024 {
            pending.append(contentsOf: raw)
            if pending.count >= 4096 { flush() }
            return
        }
        flush()
        sha.update(bufferPointer: raw)
    }

    private mutating func flush() {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { sha.update(bufferPointer: $0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// The digest of everything combined so far, as 64 hex digits.
    var hex: String {
        var copy = self
        copy.flush()
        return Self.hexDigits(of: copy.sha.finalize())
    }

    /// The plain SHA-256 of `bytes` as 64 hex digits (what `sha256sum` prints).
    static func hex(of bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex(of: $0) }
    }

    /// The plain SHA-256 of the bytes in `buffer` as 64 hex digits.
    static func hex(of buffer: UnsafeRawBufferPointer) -> String {
        var sha = SHA256()
        sha.update(bufferPointer: buffer)
        return hexDigits(of: sha.finalize())
    }

    private static func hexDigits(of digest: SHA256.Digest) -> String {
        digest.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
