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
    /// `lda`, `ldb` and `ldc` are the row strides of `a`, `b` and `c` as stored.
    static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
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

    /// The number of threads the BLAS library uses.
    static var threadCount: Int {
        #if canImport(Accelerate)
        return 0
        #else
        return Int(openblas_get_num_threads())
        #endif
    }
}

/// Facts about the BLAS library in use, for benchmark and report headers.
public enum BLASInfo {
    /// The kernel family the library chose (for OpenBLAS, e.g. `Haswell` or `SkylakeX`).
    public static var coreName: String { BLAS.coreName }
    /// The number of threads the library uses for one product.
    public static var threadCount: Int { BLAS.threadCount }

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
