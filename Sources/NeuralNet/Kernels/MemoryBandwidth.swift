import CKernels

/// How fast this machine moves memory with the pool's threads (`lab bench memory`): the floor
/// of work that only streams data, such as the Winograd tiles' whole-batch transforms, whose
/// outputs are written past the caches and read back from memory.
public enum MemoryBandwidth {
    /// Rates in GB/s (10⁹ bytes a second).
    public struct Rates: Sendable {
        /// Reading every float once.
        public let read: Double
        /// Storing every float past the caches (non-temporal stores).
        public let streamedWrite: Double
        /// The threads that shared each pass.
        public let threads: Int
        /// The size of the buffer (10⁶ bytes) and the passes of each kind, of which the fastest counts.
        public let megabytes: Int, repetitions: Int
    }

    /// The best of `repetitions` passes of each kind over `megabytes` MB (far more than the
    /// caches hold), split evenly over the `WorkerPool`'s threads. The buffer is written once
    /// before anything is timed, so that no pass pays for the pages' first touch.
    public static func measure(megabytes: Int = 256, repetitions: Int = 5) -> Rates {
        let count = max(1, megabytes * 1_000_000 / MemoryLayout<Float>.stride)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        defer { buffer.deallocate() }
        let parts = WorkerPool.shared.threadCount
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: parts)
        defer { sums.deallocate() }
        func slice(_ part: Int) -> (start: UnsafeMutablePointer<Float>, count: Int) {
            let range = (part * count / parts)..<((part + 1) * count / parts)
            return (buffer + range.lowerBound, range.count)
        }
        let passes = max(1, repetitions)
        func bestSeconds(_ pass: (Int) -> Void) -> Double {
            let clock = ContinuousClock()
            return (0..<passes).map { _ in clock.measure { WorkerPool.shared.run(parts: parts, pass) }.inSeconds }.min()!
        }
        let bytes = Double(count * MemoryLayout<Float>.stride)
        WorkerPool.shared.run(parts: parts) { part in
            let (start, floats) = slice(part)
            lab_memory_stream(start, floats, 1)
        }
        let write = bestSeconds { part in
            let (start, floats) = slice(part)
            lab_memory_stream(start, floats, 0.5)
        }
        let read = bestSeconds { part in
            let (start, floats) = slice(part)
            sums[part] = lab_memory_read(start, floats)
        }
        return Rates(read: bytes / read / 1e9, streamedWrite: bytes / write / 1e9, threads: parts, megabytes: megabytes,
                     repetitions: passes)
    }
}
