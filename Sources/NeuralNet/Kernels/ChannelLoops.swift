import CKernels

/// Loops over `[rows, channels]` data with per-channel constants, eight channels at a time (the
/// backward passes sixteen at a time in C where the CPU has AVX-512, `wide`).
///
/// Batch normalisation spends its time here; the inner loop runs over contiguous channels.
/// Work is split over the `WorkerPool` by rows; sums add each channel's rows in the same order
/// whatever the split (`blockedColumnSums`).
enum ChannelLoops {
    /// Calls `body(c)` for each block of eight channels of `range`, then `tail(c)` for the rest.
    @inline(__always) private static func blocks(_ range: Range<Int>, _ body: (Int) -> Void, tail: (Int) -> Void) {
        var c = range.lowerBound
        while c + FloatVector.scalarCount <= range.upperBound {
            body(c)
            c += FloatVector.scalarCount
        }
        while c < range.upperBound {
            tail(c)
            c += 1
        }
    }

    /// How many rows a column sum adds before it folds them into its total.
    static let summationBlock = 64

    /// Column sums of `rows × columns` data in blocks of `summationBlock` rows:
    /// `body(rowBlock, partials)` adds the rows of one block into zeroed partial columns
    /// `0..<columns` (one per total), and every block's partials are then added to `totals`, block
    /// after block. A float sum's rounding error grows with the number of terms it adds one by
    /// one; in blocks that is the block size plus the number of blocks (64 + rows / 64, not rows),
    /// which keeps a convolution's bias gradient and batch normalisation's sums over 8 × 28 × 28
    /// rows as accurate as Keras's.
    ///
    /// The blocks are spread over the `WorkerPool` by rows, each thread reading whole rows one
    /// after another; their partials wait until every block of a chunk (about 8 MB of rows) is
    /// summed and are added to the totals in block order, so the bits do not depend on the split.
    /// Split by columns instead, as before, each thread read a band of every row and only a few
    /// vectors of it: the 004 generator's last batch normalisation (32×32×64 at batch 128) took
    /// 3.39 ms forward and 6.17 ms backward instead of 2.30 and 2.51 (`lab bench --layers`), the
    /// 64×64 DCGAN step 1.048 times as long and the chapter's DCGAN step 1.022 (4 alternating
    /// rounds each, Zen 5, 2026-12-04).
    static func blockedColumnSums(
        rows: Int, columns: Int, into totals: [UnsafeMutablePointer<Float>],
        _ body: (Range<Int>, [UnsafeMutablePointer<Float>]) -> Void
    ) {
        guard rows > 0, columns > 0 else { return }
        let blockFloats = summationBlock * columns
        let blockCount = (rows + summationBlock - 1) / summationBlock
        let chunkBlocks = min(blockCount, max(4 * ParallelSplit.cores, (1 << 21) / blockFloats))
        let partialFloats = totals.count * columns
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: chunkBlocks * partialFloats)
        defer { storage.deallocate() }
        for chunkStart in stride(from: 0, to: blockCount, by: chunkBlocks) {
            let chunk = min(chunkBlocks, blockCount - chunkStart)
            ParallelSplit.forEachRange(count: chunk, minimumPerCore: max(1, ParallelSplit.smallestSplitWork / blockFloats),
                                       alignment: 1) { blockRange in
                var partials = [UnsafeMutablePointer<Float>](repeating: storage, count: totals.count)
                for b in blockRange {
                    let partial = storage + b * partialFloats
                    partial.update(repeating: 0, count: partialFloats)
                    for t in partials.indices { partials[t] = partial + t * columns }
                    let first = (chunkStart + b) * summationBlock
                    body(first..<min(first + summationBlock, rows), partials)
                }
            }
            for b in 0..<chunk {
                for (t, total) in totals.enumerated() {
                    VectorMath.add(storage + b * partialFloats + t * columns, into: total, count: columns)
                }
            }
        }
    }

    /// Adds each row of `x` to the partial sums `sums` (columns `0..<channels`).
    @inline(__always) private static func addRows(
        _ x: UnsafePointer<Float>, _ rowBlock: Range<Int>, channels: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for r in rowBlock {
            let row = x + r * channels
            blocks(0..<channels, { c in sums.setVector(sums.vector(at: c) + row.vector(at: c), at: c) }, tail: { c in sums[c] += row[c] })
        }
    }

    /// The mean and the biased variance of each column.
    static func columnMeanAndVariance(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int,
        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>
    ) {
        let scale = 1 / Float(rows)
        mean.update(repeating: 0, count: channels)
        variance.update(repeating: 0, count: channels)
        blockedColumnSums(rows: rows, columns: channels, into: [mean]) { rowBlock, partials in
            addRows(x, rowBlock, channels: channels, into: partials[0])
        }
        for c in 0..<channels { mean[c] *= scale }
        let centre = UnsafePointer(mean)
        blockedColumnSums(rows: rows, columns: channels, into: [variance]) { rowBlock, partials in
            let v = partials[0]
            for r in rowBlock {
                let row = x + r * channels
                blocks(0..<channels, { c in
                    let d = row.vector(at: c) - centre.vector(at: c)
                    v.setVector(v.vector(at: c) + d * d, at: c)
                }, tail: { c in let d = row[c] - centre[c]; v[c] += d * d })
            }
        }
        for c in 0..<channels { variance[c] *= scale }
    }

    /// Batch normalisation's two element-wise steps in one pass over `x`: x̂ = x · scale + shift,
    /// then y = x̂ · gamma + beta into `y`. x̂ is not kept: `columnSums` and
    /// `normalizationGradient` compute it again from x, by the same operations, to the same bits.
    static func normalize(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, scale: [Float], shift: [Float], gamma: [Float], beta: [Float],
        into y: UnsafeMutablePointer<Float>
    ) {
        withConstants(scale, shift, gamma, beta) { s, t, g, b in
            ParallelSplit.forEachRowRange(rows: rows, width: channels) { rowRange in
                for r in rowRange {
                    let (row, out) = (x + r * channels, y + r * channels)
                    blocks(0..<channels, { c in
                        out.setVector(normalized(row, c, s, t) * g.vector(at: c) + b.vector(at: c), at: c)
                    }, tail: { c in
                        out[c] = (row[c] * s[c] + t[c]) * g[c] + b[c]
                    })
                }
            }
        }
    }

    /// x̂ = x · scale + shift for the eight channels from `c` of a row.
    @inline(__always) static func normalized(
        _ row: UnsafePointer<Float>, _ c: Int, _ scale: UnsafePointer<Float>, _ shift: UnsafePointer<Float>
    ) -> FloatVector {
        row.vector(at: c) * scale.vector(at: c) + shift.vector(at: c)
    }

    /// Calls `body` with the base addresses of four per-channel arrays.
    @inline(__always) private static func withConstants<R>(
        _ a: [Float], _ b: [Float], _ c: [Float], _ d: [Float],
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> R
    ) -> R {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeBufferPointer { pc in
                    d.withUnsafeBufferPointer { pd in body(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, pd.baseAddress!) }
                }
            }
        }
    }

    /// Calls `body` with the base addresses of two per-channel arrays.
    @inline(__always) private static func withConstants<R>(
        _ a: [Float], _ b: [Float], _ body: (UnsafePointer<Float>, UnsafePointer<Float>) -> R
    ) -> R {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in body(pa.baseAddress!, pb.baseAddress!) } }
    }

    /// Calls `body` with the base addresses of three per-channel arrays.
    @inline(__always) private static func withConstants<R>(
        _ a: [Float], _ b: [Float], _ c: [Float], _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> R
    ) -> R {
        withConstants(a, b) { pa, pb in c.withUnsafeBufferPointer { pc in body(pa, pb, pc.baseAddress!) } }
    }

    /// The rectifier that follows a batch normalisation, for a backward pass through both in the
    /// normalisation's two passes (`ElementwiseChain`): its derivative at z = x̂ · gamma + beta,
    /// which those passes compute from x by the forward pass's own operations. The derivative
    /// comes from the sign of z, the sign of the rectifier's output for any slope ≥ 0 (what
    /// `rectifierGradient` reads), so the gradient has the bits of the two layers one by one.
    ///
    /// With `keptBits`, the dropout after the rectifier too: bit e (`KeptElements`, alive while
    /// the loops run) says whether element e was kept, scaled by `kept`, and the gradient is the
    /// gradient at the dropout's output. Only on the `wide` loops.
    struct Rectifier {
        let activation: Activation
        let gamma: [Float], beta: [Float]
        var keptBits: UnsafePointer<UInt8>? = nil
        var kept: Float = 1
    }

    /// Whether the backward passes run on our AVX-512 loops (`lab_normalization_sums` and
    /// `lab_normalization_gradient`, sixteen channels a vector; the same operations lane by lane,
    /// so the same bits) instead of Swift's, which the compiler keeps to SSE's four floats a
    /// register. The normalisation's backward passes through the 64×64 models' largest
    /// activations ran 1.3–1.4 times as fast.
    static let wide = lab_normalization_loops_are_wide() != 0

    /// Calls `body` with `rectifier` as the C loops take it, `gamma` and `beta` its constants.
    @inline(__always) private static func withKernelRectifier<R>(
        _ rectifier: Rectifier?, _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>,
        _ body: (UnsafePointer<lab_rectifier>?) -> R
    ) -> R {
        guard let rectifier else { return body(nil) }
        precondition(rectifier.activation.isRectifier, "a rectifier, not \(rectifier.activation)")
        var (leaky, slope): (Int32, Float) = (0, 0)
        if case .leakyReLU(let alpha) = rectifier.activation { (leaky, slope) = (1, alpha) }
        var kernel = lab_rectifier(leaky: leaky, alpha: slope, gamma: gamma, beta: beta, kept_bits: rectifier.keptBits,
                                   kept: rectifier.kept)
        return withUnsafePointer(to: &kernel) { body($0) }
    }

    /// `g` for the eight channels from `c` of a row, times the rectifier's derivative when there is
    /// one (`gamma` and `beta` its constants).
    @inline(__always) private static func throughRectifier(
        _ g: FloatVector, _ activation: Activation?, _ row: UnsafePointer<Float>, _ c: Int,
        _ s: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>
    ) -> FloatVector {
        guard let activation else { return g }
        return activation.rectifierGradient(g, output: normalized(row, c, s, t) * gamma.vector(at: c) + beta.vector(at: c))
    }

    /// `throughRectifier` for the one channel `c`.
    @inline(__always) private static func throughRectifier(
        _ g: Float, _ activation: Activation?, _ row: UnsafePointer<Float>, _ c: Int,
        _ s: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>
    ) -> Float {
        guard let activation else { return g }
        let z = (row[c] * s[c] + t[c]) * gamma[c] + beta[c]
        return activation.rectifierGradient(FloatVector(repeating: g), output: FloatVector(repeating: z))[0]
    }

    /// Column sums of `g` and of `g · x̂`, with x̂ = x · scale + shift computed from `x`; `g` is
    /// `dy`, or with a `rectifier` `dy` times its derivative (`dy` the gradient at its output).
    static func columnSums(
        _ dy: UnsafePointer<Float>, normalizing x: UnsafePointer<Float>, scale: [Float], shift: [Float], rows: Int, channels: Int,
        rectifier: Rectifier? = nil, sum: UnsafeMutablePointer<Float>, sumOfProducts: UnsafeMutablePointer<Float>,
        wide: Bool = ChannelLoops.wide
    ) {
        let activation = rectifier?.activation
        precondition(wide || rectifier?.keptBits == nil, "dropout bits need the wide loops")
        withConstants(scale, shift, rectifier?.gamma ?? scale, rectifier?.beta ?? shift) { s, t, gamma, beta in
            withKernelRectifier(rectifier, gamma, beta) { kernel in
                blockedColumnSums(rows: rows, columns: channels, into: [sum, sumOfProducts]) { rowBlock, partials in
                    let (total, products) = (partials[0], partials[1])
                    let first = rowBlock.lowerBound * channels
                    if wide,
                       lab_normalization_sums(rowBlock.count, channels, first, dy + first, x + first, s, t, kernel, total, products) != 0 {
                        return
                    }
                    for r in rowBlock {
                        let (gradient, row) = (dy + r * channels, x + r * channels)
                        blocks(0..<channels, { c in
                            let g = throughRectifier(gradient.vector(at: c), activation, row, c, s, t, gamma, beta)
                            total.setVector(total.vector(at: c) + g, at: c)
                            products.setVector(products.vector(at: c) + g * normalized(row, c, s, t), at: c)
                        }, tail: { c in
                            let g = throughRectifier(gradient[c], activation, row, c, s, t, gamma, beta)
                            total[c] += g
                            products[c] += g * (row[c] * s[c] + t[c])
                        })
                    }
                }
            }
        }
    }

    /// dx = gradientScale · (g − meanGradient − x̂ · meanGradientTimesNormalized), per column,
    /// with x̂ = x · scale + shift computed from `x`; `g` as in `columnSums`.
    static func normalizationGradient(
        _ dy: UnsafePointer<Float>, normalizing x: UnsafePointer<Float>, scale: [Float], shift: [Float], rows: Int, channels: Int,
        rectifier: Rectifier? = nil, gradientScale: [Float], meanGradient: [Float], meanGradientTimesNormalized: [Float],
        into dx: UnsafeMutablePointer<Float>, wide: Bool = ChannelLoops.wide
    ) {
        let activation = rectifier?.activation
        precondition(wide || rectifier?.keptBits == nil, "dropout bits need the wide loops")
        withConstants(scale, shift, gradientScale, meanGradient) { s, t, k, m in
            withConstants(meanGradientTimesNormalized, rectifier?.gamma ?? scale, rectifier?.beta ?? shift) { n, gamma, beta in
                withKernelRectifier(rectifier, gamma, beta) { kernel in
                    ParallelSplit.forEachRowRange(rows: rows, width: channels) { rowRange in
                        let first = rowRange.lowerBound * channels
                        if wide, lab_normalization_gradient(rowRange.count, channels, first, dy + first, x + first, s, t, kernel, k, m, n,
                                                            dx + first) != 0 {
                            return
                        }
                        for r in rowRange {
                            let (g, row, out) = (dy + r * channels, x + r * channels, dx + r * channels)
                            blocks(0..<channels, { c in
                                let incoming = throughRectifier(g.vector(at: c), activation, row, c, s, t, gamma, beta)
                                let value = incoming - m.vector(at: c) - normalized(row, c, s, t) * n.vector(at: c)
                                out.setVector(k.vector(at: c) * value, at: c)
                            }, tail: { c in
                                let incoming = throughRectifier(g[c], activation, row, c, s, t, gamma, beta)
                                out[c] = k[c] * (incoming - m[c] - (row[c] * s[c] + t[c]) * n[c])
                            })
                        }
                    }
                }
            }
        }
    }
}

