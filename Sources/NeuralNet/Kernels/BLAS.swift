#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Matrix products through the platform BLAS: OpenBLAS on Linux, Accelerate on macOS.
///
/// The only file that calls BLAS. All matrices are row-major.
enum BLAS {
    /// `c = alpha · op(a) · op(b) + beta · c`, where `op(a)` is `m × k` and `op(b)` is `k × n`.
    ///
    /// `lda`, `ldb` and `ldc` are the row strides of `a`, `b` and `c` as stored. A large product
    /// is split into one block of rows (or of columns, when `c` is wide) per thread of the
    /// `WorkerPool`. Blocks depend on the sizes alone and each element of `c` is computed by one
    /// single-threaded BLAS call over all of `k`, so results do not depend on timing. Callers
    /// that already run on the pool's threads pass `splitOverPool: false`. Every call adds its
    /// 2·m·n·k to the calling thread's `ProductCount`.
    static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        splitOverPool: Bool = true
    ) {
        ProductCount.add(2 * m * n * k)
        let product = Product(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        let threads = splitsProducts && splitOverPool ? WorkerPool.shared.threadCount : 1
        let blocks = min(threads, max(m, n) / blockAlignment)
        guard blocks > 1, m * n * k >= smallestSplitProduct else {
            product.compute()
            return
        }
        WorkerPool.shared.run(parts: blocks) { block in
            product.block(block, of: blocks).compute()
        }
    }

    /// Products with fewer multiply-adds than this run on the calling thread alone.
    private static let smallestSplitProduct = 1 << 18
    /// Row and column blocks start at multiples of this (the BLAS kernels' register tiles).
    private static let blockAlignment = 16

    /// Whether products are split over the worker pool. With OpenBLAS, the library's own
    /// threads are switched off once, so that the pool is the only thing using the cores;
    /// Accelerate schedules its own work.
    private static let splitsProducts: Bool = {
        #if canImport(Accelerate)
        return false
        #else
        openblas_set_num_threads(1)
        return true
        #endif
    }()

    /// The arguments of one BLAS product.
    private struct Product {
        var transposeA: Bool, transposeB: Bool
        var m: Int, n: Int, k: Int
        var alpha: Float
        var a: UnsafePointer<Float>, lda: Int
        var b: UnsafePointer<Float>, ldb: Int
        var beta: Float
        var c: UnsafeMutablePointer<Float>, ldc: Int

        /// Block `index` of `count`: a band of rows of `c` when it is at least as tall as wide,
        /// else a band of columns.
        func block(_ index: Int, of count: Int) -> Product {
            var part = self
            let alongRows = m >= n
            let extent = alongRows ? m : n
            let size = (extent / count + blockAlignment - 1) / blockAlignment * blockAlignment
            let start = min(index * size, extent)
            let length = index == count - 1 ? extent - start : min(size, extent - start)
            if alongRows {
                part.m = length
                part.a = transposeA ? a + start : a + start * lda
                part.c = c + start * ldc
            } else {
                part.n = length
                part.b = transposeB ? b + start * ldb : b + start
                part.c = c + start
            }
            return part
        }

        func compute() {
            guard m > 0, n > 0 else { return }
            ProductTimes.measure(.blas, m: m, n: n, k: k) {
                cblas_sgemm(
                    CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
            }
        }
    }

    /// The name of the kernel family the BLAS library chose for this CPU, when it tells.
    static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// The number of threads that share one product: the worker pool's when products are
    /// split, else 0 (the library decides).
    static var threadCount: Int {
        splitsProducts ? WorkerPool.shared.threadCount : 0
    }
}

/// Facts about the BLAS library in use, for benchmark and report headers.
public enum BLASInfo {
    /// The kernel family the library chose (for OpenBLAS, e.g. `Haswell` or `SkylakeX`).
    public static var coreName: String { BLAS.coreName }
    /// The number of threads that share one product (0: the library decides).
    public static var threadCount: Int { BLAS.threadCount }
    /// The instruction set the library's own vector kernels (Winograd transforms) run with:
    /// `avx512`, `avx2` or `baseline`.
    public static var kernelInstructionSet: String { TileTransform.instructionSet }
    /// Floating-point operations (two per multiply-add) of the matrix products this thread has
    /// asked for so far, the parts the worker pool ran for it included: the difference across a
    /// training step is the work its products really do (Winograd tiles, skipped padding taps and
    /// passes included), which `lab bench` divides by the sgemm rate for the step's floor.
    public static var productFLOPsOnThisThread: Int { ProductCount.onThisThread }

    /// Multiplies two `size × size` matrices `repetitions` times and returns the achieved GFLOPS.
    public static func measureSGEMM(size: Int = 1024, repetitions: Int = 20) -> Double {
        let a = [Float](repeating: 0.5, count: size * size)
        let b = [Float](repeating: 0.25, count: size * size)
        var c = [Float](repeating: 0, count: size * size)
        func run() {
            c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size, beta: 0,
                          c: cp.baseAddress!, ldc: size)
            }
        }
        run()
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<repetitions { run() } }
        return 2 * Double(size * size * size) * Double(repetitions) / elapsed.inSeconds / 1e9
    }
}
