import CKernels

/// The Winograd positions' products in our own kernels. `multiply`: the right-hand operand (each
/// position's transformed kernel) packed once and used for every block of tiles, the left one
/// read in place, the output written once (see `lab_panel_product`); `BLAS.gemm` packs both
/// operands again on every call and clears the output before it adds to it. `multiplyTransposed`:
/// the kernel gradient's sum over tiles. Row-major throughout; single-threaded (callers run them
/// on the pool).
enum PanelProduct {
    /// Columns of one panel.
    static let width = Int(LAB_PANEL_WIDTH)

    /// Whether `n` columns are whole panels (what the transposed product and the Winograd
    /// products' bands need).
    static func fits(columns n: Int) -> Bool { n > 0 && n % width == 0 }

    /// Columns of a last panel that is half a panel.
    static let halfWidth = Int(LAB_PANEL_TAIL_WIDTH)

    /// Whether `pack` and `multiply` take `n` columns: whole panels, the last one possibly a
    /// half (the Dense GANs' 784 image columns are 24½ panels).
    static func takes(columns n: Int) -> Bool { n > 0 && n % halfWidth == 0 }

    /// Packs the `k × n` matrix B (`b[i · ldb + j]`, or `b[j · ldb + i]` when `transposed`) into
    /// `panels`, `k · n` floats.
    static func pack(k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, transposed: Bool, into panels: UnsafeMutablePointer<Float>) {
        precondition(takes(columns: n), "panel products need a multiple of \(halfWidth) columns, not \(n)")
        lab_pack_panels(k, n, b, ldb, transposed ? 1 : 0, panels)
    }

    /// `c = a · B` for `a` `m × k` (rows `lda` apart) and B packed by `pack`; `c`'s rows are
    /// `ldc` apart. Adds its 2·m·n·k to the thread's `ProductCount`, as `BLAS.gemm` does.
    /// `instructionSet` picks the kernel (tests check each; the CPU's widest by default).
    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, panels: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, instructionSet: KernelInstructionSet? = nil) {
        precondition(takes(columns: n), "panel products need a multiple of \(halfWidth) columns, not \(n)")
        ProductCount.add(2 * m * n * k)
        ProductTimes.measure(.panel, m: m, n: n, k: k) {
            if let instructionSet {
                lab_panel_product_using(Int32(instructionSet.rawValue), m, n, k, a, lda, panels, c, ldc)
            } else {
                lab_panel_product(m, n, k, a, lda, panels, c, ldc)
            }
        }
    }

    /// Whether `multiplyTransposed` should run an `m × n` product: whole panels, and an output
    /// that stays in a core's cache (`cacheBlockFloats`) while the chunks of k go through it, at
    /// once or in blocks of rows. The chapter DCGAN's kernel gradients (256 × 128) ran faster than
    /// OpenBLAS's (the step 0.974, 8 alternating rounds); with the 004 models' 1024 × 512 and
    /// 512 × 256 ones as well, in one piece, the 64×64 step took 1.053 of the time (4 rounds):
    /// their outputs went back and forth from memory for every chunk. The 512 × 256 ones alone in
    /// one piece: the 64×64 step 1.023 and the chapter DCGAN step 1.031 (Zen 4, 4 rounds, lower in
    /// 0 and 1).
    /// With at most `LAB_TRANSPOSED_SINGLE_CHUNK` rows summed (`k`; one 4×4 tile per item at batch
    /// 128: the 004 models' 8 ↔ 4 layers, 1024 × 512 and 512 × 1024), every output is written
    /// once whatever its size: the 64×64 step 0.974 of the time with OpenBLAS's (Zen 4, 8 rounds).
    /// Outputs up to `blockedOutputFloats` with more rows summed run in blocks of rows that each
    /// fit `cacheBlockFloats` (`transposedBlockRows`), every block through all of k before the
    /// next: the 004 models' 16 ↔ 8 kernel gradients (512 × 256 over 512 tiles) ran at 92 and 96
    /// GFLOPS a thread inside the 64×64 step against OpenBLAS's 86 and 91 in two pairs of runs,
    /// and the step took 0.981–0.987 of the time by medians (0.991–0.997 by means; Zen 4, three
    /// runs of 20 steps each way, alternating).
    static func fitsTransposed(rows m: Int, columns n: Int, sum k: Int) -> Bool {
        fits(columns: n) && (m * n <= blockedOutputFloats || k <= singleChunkRows)
    }

    /// Most output floats the transposed product takes in blocks of rows when k is more than one
    /// chunk (the 512 × 256 kernel gradients). Larger ones stay on OpenBLAS: the 1024 × 512 ones
    /// cut into bands of rows, each band copying the grid's rows again, took the 64×64 step to
    /// 1.025 of the time (the benchmark log's seventh session).
    static let blockedOutputFloats = 1 << 17

    /// Most output floats the transposed product keeps in a core's cache while every chunk of k
    /// goes through them (128 KB); larger outputs summing more than one chunk go in blocks of rows.
    static let cacheBlockFloats = 1 << 15

    /// The rows of `m` that each block of an `m × n` transposed product over `k` rows takes: all
    /// of them when the output fits `cacheBlockFloats` or k is one chunk (then written once),
    /// else as many as fit, a multiple of 16.
    static func transposedBlockRows(rows m: Int, columns n: Int, sum k: Int) -> Int {
        guard m * n > cacheBlockFloats, k > singleChunkRows else { return m }
        return max(16, cacheBlockFloats / n / 16 * 16)
    }

    /// Most rows `multiplyTransposed` sums in one chunk, writing its output once.
    static let singleChunkRows = Int(LAB_TRANSPOSED_SINGLE_CHUNK)

    /// Outputs of at least this many floats, written in one chunk, whole cache lines from a line's
    /// start, `multiplyTransposed` stores past the caches: the Winograd kernel gradient's adjoint
    /// reads them back from memory after every position's product (the 004 models' 8 ↔ 4
    /// layers write 52 MB); storing them through the caches first read every line. The 64×64
    /// step took 0.991 of the time on the Intel Xeon (family 6, model 207; 6 alternating rounds,
    /// lower in 6).
    static let streamedOutputFloats = Int(LAB_TRANSPOSED_STREAMED_OUTPUT)

    /// `c = aᵀ · b` for `a` `k × m` and `b` `k × n`, with rows `lda` and `ldb` apart (see
    /// `lab_transposed_product`: no packing into panels, only chunks of rows copied side by
    /// side); `c`'s rows are `ldc` apart. Adds its 2·m·n·k to the thread's `ProductCount`.
    static func multiplyTransposed(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, instructionSet: KernelInstructionSet? = nil) {
        precondition(fits(columns: n), "panel products need a multiple of \(width) columns, not \(n)")
        ProductCount.add(2 * m * n * k)
        let blockRows = transposedBlockRows(rows: m, columns: n, sum: k)
        ProductTimes.measure(.transposed, m: m, n: n, k: k) {
            for first in stride(from: 0, to: m, by: max(1, blockRows)) {
                let rows = min(blockRows, m - first)
                if let instructionSet {
                    lab_transposed_product_using(Int32(instructionSet.rawValue), rows, n, k, a + first, lda, b, ldb, c + first * ldc, ldc)
                } else {
                    lab_transposed_product(rows, n, k, a + first, lda, b, ldb, c + first * ldc, ldc)
                }
            }
        }
    }
}
