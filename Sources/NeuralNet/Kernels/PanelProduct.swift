import CKernels

/// Matrix products whose right-hand operand is packed once and used for many products: the
/// Winograd positions' products, where each position's transformed kernel meets every block of
/// tiles. `BLAS.gemm` packs both operands again on every call and clears the output before it
/// adds to it; these products read the left operand in place and write the output once (see
/// `lab_panel_product`). Row-major throughout; single-threaded (callers run them on the pool).
enum PanelProduct {
    /// Columns of one panel: `n` must be a multiple of it.
    static let width = Int(LAB_PANEL_WIDTH)

    /// Whether products with `n` columns can run here.
    static func fits(columns n: Int) -> Bool { n > 0 && n % width == 0 }

    /// Packs the `k × n` matrix B (`b[i · ldb + j]`, or `b[j · ldb + i]` when `transposed`) into
    /// `panels`, `k · n` floats.
    static func pack(k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, transposed: Bool, into panels: UnsafeMutablePointer<Float>) {
        precondition(fits(columns: n), "panel products need a multiple of \(width) columns, not \(n)")
        lab_pack_panels(k, n, b, ldb, transposed ? 1 : 0, panels)
    }

    /// `c = a · B` for `a` `m × k` (rows `lda` apart) and B packed by `pack`; `c`'s rows are
    /// `ldc` apart. Adds its 2·m·n·k to the thread's `ProductCount`, as `BLAS.gemm` does.
    /// `instructionSet` picks the kernel (tests check each; the CPU's widest by default).
    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, panels: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, instructionSet: KernelInstructionSet? = nil) {
        precondition(fits(columns: n), "panel products need a multiple of \(width) columns, not \(n)")
        ProductCount.add(2 * m * n * k)
        if let instructionSet {
            lab_panel_product_using(Int32(instructionSet.rawValue), m, n, k, a, lda, panels, c, ldc)
        } else {
            lab_panel_product(m, n, k, a, lda, panels, c, ldc)
        }
    }
}
