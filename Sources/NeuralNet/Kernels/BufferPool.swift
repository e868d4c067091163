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
        let floatsPerLine = 64 / MemoryLayout<Float>.stride
        let buffer = take(count: count + floatsPerLine - 1)
        let address = buffer.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress!) }
        let start = (64 - address % 64) % 64 / MemoryLayout<Float>.stride
        return (buffer, start)
    }

    /// Keeps `buffer` for a later `take` of the same size. Give back only buffers nothing else
    /// holds, or the next writer copies them.
    func giveBack(_ buffer: [Float]) {
        free[buffer.count, default: []].append(buffer)
    }

    /// Drops every kept buffer.
    func removeAll() { free = [:] }

    /// Runs `body` on a pooled buffer of `count` floats that is given back afterwards.
    func with<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        var buffer = take(count: count)
        defer { giveBack(buffer) }
        return buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
