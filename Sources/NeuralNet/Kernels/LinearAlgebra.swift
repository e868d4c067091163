#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Matrix products and the symmetric eigendecomposition for code outside the layers (the quality
/// measures): a public face on `BLAS` and LAPACK, row-major throughout.
public enum LinearAlgebra {
    /// `a · bᵀ` for row-major `a` `[m, k]` and `b` `[n, k]`: `[m, n]`, on the worker pool.
    public static func productWithTranspose(_ a: [Float], rows m: Int, _ b: [Float], rows n: Int, columns k: Int) -> [Float] {
        precondition(a.count == m * k && b.count == n * k, "product sizes")
        var c = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return c }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(transposeB: true, m: m, n: n, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: k,
                              beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// The eigenvalues (ascending) and eigenvectors (row i of `vectors` is the eigenvector of
    /// value i) of the symmetric `n × n` matrix `matrix`, by LAPACK's `dsyevd` in double
    /// precision. A failure to converge is a thrown error.
    public static func symmetricEigen(_ matrix: [Double], size n: Int) throws -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n, "a \(n)×\(n) matrix")
        guard n > 0 else { return ([], []) }
        // Row-major symmetric = column-major symmetric; LAPACK returns eigenvectors as columns
        // (column-major), which read row-major are the rows.
        var a = matrix
        var values = [Double](repeating: 0, count: n)
        var info: Int32 = 0
        var size = Int32(n), lda = Int32(n)
        var jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "U"))
        var workSize = 0.0, iworkSize: Int32 = 0
        var query: Int32 = -1
        #if canImport(Accelerate)
        throw NeuralNetError("the symmetric eigensolver is not wired to Accelerate yet")
        #else
        dsyevd_(&jobz, &uplo, &size, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &size, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw NeuralNetError("the symmetric eigensolver did not converge (LAPACK info \(info))") }
        return (values, a)
        #endif
    }
}
