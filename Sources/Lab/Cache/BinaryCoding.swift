/// Little-endian binary writing for the step cache: numbers, strings, byte and float arrays.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    mutating func write(_ value: Double) { write(value.bitPattern) }
    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: String) { write(Array(value.utf8)) }

    mutating func write(_ value: [UInt8]) {
        write(value.count)
        bytes += value
    }

    mutating func write(_ values: [Float]) {
        write(values.count)
        values.withUnsafeBytes { bytes += $0 }
    }

    mutating func write(_ values: [Int]) {
        write(values.count)
        for value in values { write(value) }
    }
}

/// Reads what `BinaryWriter` wrote; running past the end is a thrown `CacheFormatError`.
struct BinaryReader {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    /// A reader of `bytes[range]` (all of `bytes` when no range is given), without a copy.
    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position == end }

    /// The bytes not read yet: no count in an entry can be larger, since every element takes at
    /// least one byte, so a doctored count never reaches an allocation.
    var remaining: Int { end - position }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw CacheFormatError("truncated entry") }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func uint64() throws -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func int() throws -> Int { Int(Int64(bitPattern: try uint64())) }
    mutating func double() throws -> Double { Double(bitPattern: try uint64()) }
    mutating func bool() throws -> Bool { try take(1).first! != 0 }
    mutating func byte() throws -> UInt8 { try take(1).first! }

    mutating func byteArray() throws -> [UInt8] { Array(try take(try int())) }

    mutating func string() throws -> String {
        guard let text = String(validating: try byteArray(), as: UTF8.self) else { throw CacheFormatError("invalid text") }
        return text
    }

    mutating func floats() throws -> [Float] {
        let count = try int()
        guard count >= 0, count <= remaining / 4 else { throw CacheFormatError("truncated entry") }
        let slice = try take(count * 4)
        return slice.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }

    mutating func ints() throws -> [Int] {
        let count = try int()
        guard count >= 0, count <= remaining / 8 else { throw CacheFormatError("truncated entry") }
        return try (0..<count).map { _ in try int() }
    }
}

/// A cache entry that cannot be read back; the entry is discarded and the step runs again.
struct CacheFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Replaying a cached step did not retrace the recorded run; the entry is discarded.
struct CacheReplayMismatch: Error, CustomStringConvertible {
    let reason: String
    var description: String { "the cached step no longer matches: \(reason)" }
}
