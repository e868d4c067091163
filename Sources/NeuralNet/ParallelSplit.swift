import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits element-wise work over the machine's cores.
enum ParallelSplit {
    /// Cores available to this process.
    static let cores = max(1, min(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 8))

    /// Calls `body` on consecutive sub-ranges of `0..<count` that together cover it, in parallel
    /// when there is enough work to pay for the hand-over (`minimumPerCore` elements per core).
    /// Sub-range bounds are multiples of 8, so vector loops see whole vectors except at the end.
    ///
    /// The sub-ranges are fixed by `count` alone, so results do not depend on timing.
    static func forEachRange(count: Int, minimumPerCore: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
        let parts = min(cores, count / max(minimumPerCore, 1))
        guard parts > 1 else {
            body(0..<count)
            return
        }
        let step = (count / parts + 7) & ~7
        withoutActuallyEscaping(body) { body in
            // The parts touch disjoint ranges, which is what makes sharing `body` safe.
            let shared = SharedAcrossThreads(body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = min(part * step, count), end = part == parts - 1 ? count : min(start + step, count)
                shared.value(start..<end)
            }
        }
    }
}

/// A value handed to worker threads that only use it on disjoint data.
private struct SharedAcrossThreads<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
