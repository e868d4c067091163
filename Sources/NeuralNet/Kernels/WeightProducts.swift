/// A layer's products of a batch with its weight matrix W on `PanelProduct`: `x · W` and `x · Wᵀ`,
/// W packed into panels once per value of the weights (a `KernelOperandCache` keyed by the
/// parameter's stamp, so a discriminator's real and fake batches share one packing), its columns
/// cut into one band per pool thread. Single-threaded OpenBLAS on the Dense GAN's 256 × 1024 ×
/// 1024 products ran at 242–263 GFLOPS on Zen 5, `PanelProduct` at 257–272 with the packing and
/// 277–285 without (a scratch benchmark); two threads with OpenBLAS each pack the whole left
/// operand again, and the layers reached 354–417 GFLOPS (`lab bench --layers`).
final class WeightProducts {
    private let operands = KernelOperandCache()
    private let pool = BufferPool()

    /// Whether a product with `columns` output columns (and `rows · columns · depth`
    /// multiply-adds) runs here: panels (the last may be a half), sums of at least `shortestSum`
    /// terms, and enough work to share.
    static func applies(rows: Int, columns: Int, depth: Int) -> Bool {
        PanelProduct.takes(columns: columns) && depth >= shortestSum && rows >= 8 && rows * columns * depth >= 1 << 18
    }

    /// Shorter sums stay on OpenBLAS: the chapter DCGAN's first Dense layer (100 noise inputs,
    /// followed by batch normalisation) is as accurate on our kernel (largest error 6.4e-7 of
    /// its terms' magnitude with either) but rounds 21 % of its outputs differently, and the
    /// Keras parity test's first-step gradient of that layer, ill-conditioned on its 16-item
    /// batch, then lands 18 of 512 samples past its outlier limit where OpenBLAS's rounding
    /// lands none (its worst, 2.7e-2 of the mean magnitude, is Keras's own float32 step's).
    static let shortestSum = 128

    /// `c = x · W` (`transposed`: `x · Wᵀ`) for `x` `rows × depth` (rows `depth` apart) and
    /// `weight` `[depth, columns]` (`[columns, depth]` when transposed), with `stamp` its
    /// parameter's; `c` is `rows × columns`, written, not added to.
    func multiply(rows: Int, x: UnsafePointer<Float>, weight: Tensor, stamp: ParameterStamp?, transposed: Bool,
                  into c: UnsafeMutablePointer<Float>) {
        let (depth, columns) = transposed ? (weight.shape[1], weight.shape[0]) : (weight.shape[0], weight.shape[1])
        precondition(PanelProduct.takes(columns: columns), "weight products need panels, not \(columns) columns")
        let panels = (columns + PanelProduct.width - 1) / PanelProduct.width
        let bands = max(1, min(WorkerPool.shared.threadCount, panels))
        func band(_ index: Int) -> Range<Int> {
            min(columns, index * panels / bands * PanelProduct.width)..<min(columns, (index + 1) * panels / bands * PanelProduct.width)
        }
        let key = stamp.map { KernelOperandCache.Key(stamp: $0, transposed: transposed) }
        // Each thread packs its band (when the weights changed) and multiplies it in one job: the
        // panels it reads are the ones it just wrote, in its own core's cache.
        operands.withOperand(key: key, count: depth * columns, pool: pool) { packed, mustPack in
            weight.withUnsafeBufferPointer { w in
                WorkerPool.shared.run(parts: bands) { index in
                    let range = band(index)
                    if mustPack {
                        let source = transposed ? w.baseAddress! + range.lowerBound * depth : w.baseAddress! + range.lowerBound
                        PanelProduct.pack(k: depth, n: range.count, b: source, ldb: transposed ? depth : columns, transposed: transposed,
                                          into: packed + range.lowerBound * depth)
                    }
                    PanelProduct.multiply(m: rows, n: range.count, k: depth, a: x, lda: depth, panels: packed + range.lowerBound * depth,
                                          c: c + range.lowerBound, ldc: columns)
                }
            }
        }
    }
}
