/// Float buffers a layer hands out and takes back every step (packed images, patch matrices), so
/// a training step neither allocates nor has the system clear hundreds of megabytes.
///
/// Buffers are kept by exact size. Contents of a taken buffer are stale: callers write before
/// they read.
final class BufferPool {
    private var free: [Int: [[Float]]] = [:]

    /// A buffer of exactly `count` floats, reused when one of that size was given back.
    func take(count: Int) -> [Float] {
        if let buffer = free[count]?.popLast() { return buffer }
        return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// A pooled buffer with room for `count` floats from `buffer[start]`, an address on a 64-byte
    /// boundary (a cache line, and the alignment streamed vector stores need). The start holds
    /// while the buffer is neither resized nor copied.
    func takeLineAligned(count: Int) -> (buffer: [Float], start: Int) {
        let buffer = take(count: count + Self.floatsPerLine - 1)
        return (buffer, Self.lineStart(of: buffer))
    }

    /// Floats in a 64-byte cache line.
    static let floatsPerLine = 64 / MemoryLayout<Float>.stride

    /// The first index of `buffer` whose address is on a 64-byte boundary (a Swift array's
    /// elements start 32 bytes into its allocation, so mostly 16 or 48 bytes past one).
    static func lineStart(of buffer: [Float]) -> Int {
        let address = buffer.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress!) }
        return (64 - address % 64) % 64 / MemoryLayout<Float>.stride
    }

    /// Keeps `buffer` for a later `take` of the same size. Give back only buffers nothing else
    /// holds, or the next writer copies them.
    func giveBack(_ buffer: [Float]) {
        free[buffer.count, default: []].append(buffer)
    }

    /// Drops every kept buffer.
    func removeAll() { free = [:] }

    /// Runs `body` on a pooled buffer of `count` floats, starting on a 64-byte boundary, that is
    /// given back afterwards. The panel products load whole lines of 16 floats from their packed
    /// operands: from an address past a boundary (a Swift array's elements start 16 or 48 bytes
    /// past one) each load spans two lines; a scratch program's products of the Dense GAN's
    /// shapes ran 11–13 % slower with their panels 16 or 32 bytes past one on an Intel Xeon
    /// (family 6, model 207).
    func with<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        var (buffer, start) = takeLineAligned(count: count)
        defer { giveBack(buffer) }
        return buffer.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
    }
}
