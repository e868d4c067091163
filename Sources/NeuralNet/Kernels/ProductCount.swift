import CKernels

/// The floating-point operations (two per multiply-add) of the matrix products a thread has
/// asked for: every `BLAS.gemm` adds its 2·m·n·k to the calling thread's count, and the parts of
/// a job the `WorkerPool` runs on its other threads are added to the count of the thread that
/// started the job. So `lab bench` can tell how many products a training step really computes
/// (Winograd tiles, skipped padding taps and skipped passes included), and tests running side by
/// side on other threads never add to one another's counts.
enum ProductCount {
    /// This thread's count so far.
    static var onThisThread: Int {
        get { Int(lab_thread_product_flops()) }
        set { lab_set_thread_product_flops(Int64(newValue)) }
    }

    /// Adds `flops` to this thread's count.
    @inline(__always)
    static func add(_ flops: Int) {
        onThisThread &+= flops
    }

    /// Runs `body` and returns what it counted, taking it off this thread's count (a pool part:
    /// its job's caller adds the parts' counts to its own).
    @inline(__always)
    static func taken(during body: () -> Void) -> Int {
        let before = onThisThread
        body()
        let counted = onThisThread &- before
        onThisThread = before
        return counted
    }
}
