import Synchronization

/// The time each shape of matrix product takes, as one thread runs it, while recording is on
/// (`lab bench --layers`): how close the products inside a training step come to the kernels'
/// rate with their operands in cache, shape by shape.
///
/// Only the products that run on one thread are recorded: our panel products (the Winograd
/// positions' and the Dense layers' bands) and transposed products (kernel gradients), and each
/// BLAS call (a band of a product split over the pool, or a product too small to split; with
/// OpenBLAS single-threaded, while Accelerate on macOS may share one call among its own
/// threads). So no product counts twice, and a shape's rate is per thread. Off, a product pays
/// one relaxed atomic load.
public enum ProductTimes {
    /// Which kernel ran a product.
    public enum Kernel: String, Sendable {
        /// `PanelProduct.multiply`: `c = a · B`, B packed into panels.
        case panel
        /// `PanelProduct.multiplyTransposed`: `c = aᵀ · b`, a kernel gradient's sum over tiles.
        case transposed
        /// One call of the platform BLAS (a band of a `BLAS.gemm`, or all of a small one).
        case blas = "BLAS"
    }

    /// A product's kernel and sizes: `m × n` outputs, sums of `k` terms.
    public struct Shape: Hashable, Sendable {
        public let kernel: Kernel
        public let m: Int, n: Int, k: Int
    }

    /// What the products of one shape added up to.
    public struct Totals: Sendable, Equatable {
        /// Products run.
        public var calls = 0
        /// Seconds they took, each on the thread that ran it, added up.
        public var seconds = 0.0
        /// Their floating-point operations (two per multiply-add).
        public var flops = 0

        /// No products yet.
        public init() {}

        /// Billions of floating-point operations a second on one thread.
        public var gflopsPerThread: Double { seconds > 0 ? Double(flops) / seconds / 1e9 : 0 }
    }

    private static let recording = Atomic<Bool>(false)
    private static let table = Mutex<[Shape: Totals]>([:])

    /// Forgets what was recorded and starts recording.
    public static func start() {
        table.withLock { $0 = [:] }
        recording.store(true, ordering: .releasing)
    }

    /// Stops recording and returns the totals by shape, the largest time first.
    public static func stop() -> [(shape: Shape, totals: Totals)] {
        recording.store(false, ordering: .releasing)
        return table.withLock { $0 }.map { (shape: $0.key, totals: $0.value) }.sorted { $0.totals.seconds > $1.totals.seconds }
    }

    /// Runs `body`, the product `kernel` computes for `m × n` outputs over `k` terms, and adds
    /// its time when recording.
    @inline(__always)
    static func measure(_ kernel: Kernel, m: Int, n: Int, k: Int, _ body: () -> Void) {
        guard recording.load(ordering: .relaxed) else { return body() }
        let clock = ContinuousClock(), start = clock.now
        body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        table.withLock { totals in
            totals[Shape(kernel: kernel, m: m, n: n, k: k), default: Totals()].add(seconds: seconds, flops: 2 * m * n * k)
        }
    }
}

extension ProductTimes.Totals {
    fileprivate mutating func add(seconds: Double, flops: Int) {
        calls += 1
        self.seconds += seconds
        self.flops += flops
    }
}
