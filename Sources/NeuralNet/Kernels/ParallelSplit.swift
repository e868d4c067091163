/// Splits loops over the `WorkerPool`.
///
/// Every split is fixed by the loop's size alone, so results never depend on timing.
enum ParallelSplit {
    /// Threads available to one loop.
    static var cores: Int { WorkerPool.shared.threadCount }

    /// Elements below which a loop is not worth handing over to another thread.
    static let smallestSplitWork = 1 << 14

    /// Calls `body` on consecutive sub-ranges of `0..<count` that together cover it, on the
    /// `WorkerPool` when there is enough work to pay for the hand-over (`minimumPerCore`
    /// elements per thread). Sub-range bounds are multiples of `alignment` (8 by default, so
    /// vector loops see whole vectors except at the end).
    static func forEachRange(
        count: Int, minimumPerCore: Int = smallestSplitWork, alignment: Int = 8, _ body: (Range<Int>) -> Void
    ) {
        let parts = min(cores, count / max(minimumPerCore, 1))
        guard parts > 1 else {
            body(0..<count)
            return
        }
        let step = (count / parts + alignment - 1) / alignment * alignment
        WorkerPool.shared.run(parts: parts) { part in
            let start = min(part * step, count), end = part == parts - 1 ? count : min(start + step, count)
            body(start..<end)
        }
    }

    /// Splits the rows of a `rows × width` loop.
    static func forEachRowRange(rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
        forEachRange(count: rows, minimumPerCore: max(1, smallestSplitWork / max(width, 1)), alignment: 1, body)
    }
}
