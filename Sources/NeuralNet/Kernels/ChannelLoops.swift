/// Loops over `[rows, channels]` data with per-channel constants, eight channels at a time.
///
/// Batch normalisation spends its time here; the inner loop runs over contiguous channels.
/// Work is split over the `WorkerPool`: element-wise loops by rows, sums by channels
/// (`ParallelSplit.forEachColumnRange`), so each channel's sums add in the same order as in one
/// pass.
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

    /// Sums rows in blocks: `body(rowBlock, partials)` adds the rows of one block into zeroed
    /// partial columns (indexed like the totals, valid for `columns`), which are then added to
    /// `totals`. A float sum's rounding error grows with the number of terms it adds one by one;
    /// in blocks that is the block size plus the number of blocks (64 + rows / 64, not rows), which
    /// keeps a convolution's bias gradient and batch normalisation's sums over 8 × 28 × 28 rows as
    /// accurate as Keras's.
    static func blockedColumnSums(
        rows: Int, columns: Range<Int>, into totals: [UnsafeMutablePointer<Float>],
        _ body: (Range<Int>, [UnsafeMutablePointer<Float>]) -> Void
    ) {
        let width = columns.count
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: width * totals.count)
        defer { storage.deallocate() }
        // Shifted so that partial[c] is valid for c in `columns`, as the totals are.
        let partials = totals.indices.map { storage + $0 * width - columns.lowerBound }
        var start = 0
        while start < rows {
            let end = min(start + summationBlock, rows)
            storage.update(repeating: 0, count: width * totals.count)
            body(start..<end, partials)
            for (total, partial) in zip(totals, partials) {
                VectorMath.add(partial + columns.lowerBound, into: total + columns.lowerBound, count: width)
            }
            start = end
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
        ParallelSplit.forEachColumnRange(rows: rows, columns: channels) { range in
            blockedColumnSums(rows: rows, columns: range, into: [mean]) { rowBlock, partials in
                let m = partials[0]
                for r in rowBlock {
                    let row = x + r * channels
                    blocks(range, { c in m.setVector(m.vector(at: c) + row.vector(at: c), at: c) }, tail: { c in m[c] += row[c] })
                }
            }
            for c in range { mean[c] *= scale }
            blockedColumnSums(rows: rows, columns: range, into: [variance]) { rowBlock, partials in
                let v = partials[0]
                for r in rowBlock {
                    let row = x + r * channels
                    blocks(range, { c in
                        let d = row.vector(at: c) - mean.vector(at: c)
                        v.setVector(v.vector(at: c) + d * d, at: c)
                    }, tail: { c in let d = row[c] - mean[c]; v[c] += d * d })
                }
            }
            for c in range { variance[c] *= scale }
        }
    }

    /// Batch normalisation's two element-wise steps in one pass over `x`:
    /// x̂ = x · scale + shift into `normalized`, then y = x̂ · gamma + beta into `y` from the x̂
    /// just computed: the same operations, and bits, as two passes, without reading x̂ back.
    static func normalize(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, scale: [Float], shift: [Float], gamma: [Float], beta: [Float],
        normalized xhat: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>
    ) {
        scale.withUnsafeBufferPointer { sb in
            shift.withUnsafeBufferPointer { tb in
                gamma.withUnsafeBufferPointer { gb in
                    beta.withUnsafeBufferPointer { bb in
                        let (s, t, g, b) = (sb.baseAddress!, tb.baseAddress!, gb.baseAddress!, bb.baseAddress!)
                        ParallelSplit.forEachRowRange(rows: rows, width: channels) { rowRange in
                            for r in rowRange {
                                let (row, normalizedRow, out) = (x + r * channels, xhat + r * channels, y + r * channels)
                                blocks(0..<channels, { c in
                                    let value = row.vector(at: c) * s.vector(at: c) + t.vector(at: c)
                                    normalizedRow.setVector(value, at: c)
                                    out.setVector(value * g.vector(at: c) + b.vector(at: c), at: c)
                                }, tail: { c in
                                    let value = row[c] * s[c] + t[c]
                                    normalizedRow[c] = value
                                    out[c] = value * g[c] + b[c]
                                })
                            }
                        }
                    }
                }
            }
        }
    }

    /// Column sums of `a` and of `a · b`.
    static func columnSums(
        _ a: UnsafePointer<Float>, times b: UnsafePointer<Float>, rows: Int, channels: Int,
        sum: UnsafeMutablePointer<Float>, sumOfProducts: UnsafeMutablePointer<Float>
    ) {
        ParallelSplit.forEachColumnRange(rows: rows, columns: channels) { range in
            blockedColumnSums(rows: rows, columns: range, into: [sum, sumOfProducts]) { rowBlock, partials in
                let (s, p) = (partials[0], partials[1])
                for r in rowBlock {
                    let (ra, rb) = (a + r * channels, b + r * channels)
                    blocks(range, { c in
                        let va = ra.vector(at: c)
                        s.setVector(s.vector(at: c) + va, at: c)
                        p.setVector(p.vector(at: c) + va * rb.vector(at: c), at: c)
                    }, tail: { c in
                        s[c] += ra[c]
                        p[c] += ra[c] * rb[c]
                    })
                }
            }
        }
    }

    /// dx = scale · (dy − meanGradient − x̂ · meanGradientTimesNormalized), per column.
    static func normalizationGradient(
        _ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, rows: Int, channels: Int,
        scale: [Float], meanGradient: [Float], meanGradientTimesNormalized: [Float],
        into dx: UnsafeMutablePointer<Float>
    ) {
        scale.withUnsafeBufferPointer { sb in
            meanGradient.withUnsafeBufferPointer { mb in
                meanGradientTimesNormalized.withUnsafeBufferPointer { nb in
                    let (s, m, n) = (sb.baseAddress!, mb.baseAddress!, nb.baseAddress!)
                    ParallelSplit.forEachRowRange(rows: rows, width: channels) { rowRange in
                        for r in rowRange {
                            let (g, h, out) = (dy + r * channels, xhat + r * channels, dx + r * channels)
                            blocks(0..<channels, { c in
                                let value = g.vector(at: c) - m.vector(at: c) - h.vector(at: c) * n.vector(at: c)
                                out.setVector(s.vector(at: c) * value, at: c)
                            }, tail: { c in out[c] = s[c] * (g[c] - m[c] - h[c] * n[c]) })
                        }
                    }
                }
            }
        }
    }
}
