/// The kernel operand of `WinogradConvolution`'s products: each position's transformed kernel
/// `U_ξ = G w Gᵀ` in the layout the products read, made per weight value (`KernelOperandCache`).
extension WinogradConvolution {
    /// How `transformKernel` lays out each position's `U_ξ` (`depth × gridChannels`): as rows,
    /// for `BLAS.gemm`; packed into panels for `PanelProduct` as `PanelProduct.pack` would, not
    /// transposed; or its transpose packed so.
    enum KernelLayout { case rows, panels, transposedPanels }

    /// Columns of the kernel transform's bands (`transformKernel`) when they are not one panel.
    private static let kernelBand = 64

    /// Writes `U[ξ][phase · C + c][gridChannel] = G w Gᵀ` of `kernel` `[kh, kw, C, gridChannels]`
    /// to `u` in `layout`. The work goes in units of `PanelProduct.width` rows by a band of
    /// columns (one panel, or `kernelBand`). In panels, each row's transforms are that row of
    /// every position's panel and go there directly, past the caches; transposed, where a unit's
    /// rows lie in one phase, `transformTransposedUnit` does the same from transposed taps. Else
    /// (rows for BLAS, or a unit across phases) each row's transforms go to a small block as
    /// `[ξ][row][column]` and each position's share then to `u` in one run, packed for the
    /// transposed panels. Writing the operand in place, not through a block, made the 64×64 step
    /// on the Intel Xeon (family 6, model 207) 648 ms in its fastest round against 665 (a noisy
    /// host: medians 0.917, lower in 4 of 6 alternating rounds), and the chapter DCGAN's 0.979
    /// (3 of 6). Before the blocks, each row's transform wrote its values straight to the
    /// positions through the caches, and the transposed operand was written as rows and packed
    /// afterwards (the blocks made the 64×64 step 0.986 of that, the chapter DCGAN's 0.963, on
    /// Zen 4). The values are the same to the bit in every way.
    private func transformKernel(_ kernel: Tensor, into u: UnsafeMutablePointer<Float>, layout: KernelLayout) {
        let (taps, depth, gridChannels, positions) = (plan.y.taps * plan.x.taps, plan.depth, gridChannels, plan.positions)
        let width = PanelProduct.width, size = depth * gridChannels
        let band = layout == .panels ? width : min(gridChannels, Self.kernelBand)
        let (groups, bands) = ((depth + width - 1) / width, (gridChannels + band - 1) / band)
        kernel.withUnsafeBufferPointer { w in
            kernelTransform.withCoefficients { coefficients in
                forEachRange(count: groups * bands, floats: (taps + positions * width) * band) { range, block in
                    let local = block + taps * band
                    for unit in range {
                        let first = unit / bands * width, rows = min(width, depth - first)
                        let column = unit % bands * band, columns = min(band, gridChannels - column)
                        if layout == .panels {
                            // Each row's transforms are its rows of every position's panel: written there, past the caches.
                            for r in 0..<rows {
                                gatherKernelTaps(w.baseAddress!, row: first + r, columns: column..<(column + columns), into: block)
                                kernelTransform.apply(block, inputStride: columns, to: u + column * depth + (first + r) * width,
                                                      outputStride: size, channels: columns, coefficients: coefficients, streaming: true)
                            }
                            continue
                        }
                        if layout == .transposedPanels, imageChannels % width == 0 {
                            transformTransposedUnit(w.baseAddress!, first: first, columns: column..<(column + columns), into: u,
                                                    block: block, coefficients: coefficients)
                            continue
                        }
                        for r in 0..<rows {
                            gatherKernelTaps(w.baseAddress!, row: first + r, columns: column..<(column + columns), into: block)
                            kernelTransform.apply(block, inputStride: columns, to: local + r * columns, outputStride: rows * columns,
                                                  channels: columns, coefficients: coefficients)
                        }
                        for xi in 0..<positions {
                            let source = local + xi * rows * columns, target = u + xi * size
                            if layout == .rows {
                                for r in 0..<rows {
                                    (target + (first + r) * gridChannels + column).update(from: source + r * columns, count: columns)
                                }
                            } else {
                                PanelProduct.pack(k: columns, n: rows, b: source, ldb: columns, transposed: true,
                                                  into: target + first * gridChannels + column * width)
                            }
                        }
                    }
                }
            }
        }
    }

    /// One unit of the transposed operand whose rows (`first..<first + width`, one phase's
    /// channels) lie in one phase: each sub-kernel tap's block of those rows and `columns` is
    /// copied transposed (`PanelProduct.pack`), a grid column's rows side by side, so that each
    /// grid column's transforms are that column's row of every position's transposed panel,
    /// written there past the caches. Transposing the taps moves the kernel once instead of the
    /// transformed operand, `positions / taps` times larger; the values are the same bits.
    private func transformTransposedUnit(_ w: UnsafePointer<Float>, first: Int, columns: Range<Int>, into u: UnsafeMutablePointer<Float>,
                                         block: UnsafeMutablePointer<Float>, coefficients: Coefficients) {
        let (channels, width) = (imageChannels, PanelProduct.width)
        let tapFloats = columns.count * width
        forEachSubKernelTap(ofRow: first) { index, tap in
            let target = block + index * tapFloats
            if let tap {
                PanelProduct.pack(k: columns.count, n: width, b: w + (tap * channels + first % channels) * gridChannels + columns.lowerBound,
                                  ldb: gridChannels, transposed: true, into: target)
            } else {
                target.update(repeating: 0, count: tapFloats)
            }
        }
        let size = plan.depth * gridChannels
        for g in 0..<columns.count {
            kernelTransform.apply(block + g * width, inputStride: tapFloats, to: u + first * gridChannels + (columns.lowerBound + g) * width,
                                  outputStride: size, channels: width, coefficients: coefficients, streaming: true)
        }
    }

    /// Copies the kernel taps of operand row `row` (phase · C + c) that fall in `columns` into
    /// `block`, one tap after the other, zeros for the sub-kernel taps outside the kernel.
    private func gatherKernelTaps(_ w: UnsafePointer<Float>, row: Int, columns: Range<Int>, into block: UnsafeMutablePointer<Float>) {
        let channels = imageChannels
        forEachSubKernelTap(ofRow: row) { index, tap in
            let target = block + index * columns.count
            if let tap {
                target.update(from: w + (tap * channels + row % channels) * gridChannels + columns.lowerBound, count: columns.count)
            } else {
                target.update(repeating: 0, count: columns.count)
            }
        }
    }

    /// Calls `body(index, tap)` for each sub-kernel tap (t, s) of operand row `row` (phase · C + c),
    /// in order: its index t · rx + s, and its kernel tap (`kernelTap`), nil for a padding tap.
    private func forEachSubKernelTap(ofRow row: Int, _ body: (_ index: Int, _ tap: Int?) -> Void) {
        let (ry, rx, phase) = (plan.y.taps, plan.x.taps, row / imageChannels)
        let (py, px) = (phase / plan.x.stride, phase % plan.x.stride)
        for t in 0..<ry {
            for s in 0..<rx { body(t * rx + s, kernelTap(py, t, px, s)) }
        }
    }

    /// Runs `body` on the products' right-hand operand: each position's `U_ξ` (`depth × gridChannels`),
    /// or its transpose, packed into panels for `PanelProduct` when `panels`, else `U` as it is,
    /// for `BLAS.gemm` (`transformKernel` writes each layout directly). With a `stamp`,
    /// `operands` may hand back the operand of an earlier call instead.
    func withKernelOperand<R>(_ kernel: Tensor, stamp: ParameterStamp?, transposed: Bool, pool: BufferPool,
                              _ body: (UnsafePointer<Float>) -> R) -> R {
        let panels = PanelProduct.fits(columns: transposed ? plan.depth : gridChannels)
        let layout: KernelLayout = !panels ? .rows : transposed ? .transposedPanels : .panels
        let key = stamp.map { KernelOperandCache.Key(stamp: $0, transposed: transposed) }
        return operands.with(key: key, count: plan.positions * plan.depth * gridChannels, pool: pool, compute: { u in
            transformKernel(kernel, into: u, layout: layout)
        }, body)
    }

    /// Drops the kernel operand kept between calls.
    func releaseKeptOperand() { operands.removeAll() }
}
