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

    /// The mean and the biased variance of each column.
    static func columnMeanAndVariance(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int,
        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>
    ) {
        let scale = 1 / Float(rows)
        mean.update(repeating: 0, count: channels)
        variance.update(repeating: 0, count: channels)
        ParallelSplit.forEachColumnRange(rows: rows, columns: channels) { range in
            for r in 0..<rows {
                let row = x + r * channels
                blocks(range, { c in mean.setVector(mean.vector(at: c) + row.vector(at: c), at: c) },
                       tail: { c in mean[c] += row[c] })
            }
            for c in range { mean[c] *= scale }
            for r in 0..<rows {
                let row = x + r * channels
                blocks(range, { c in
                    let d = row.vector(at: c) - mean.vector(at: c)
                    variance.setVector(variance.vector(at: c) + d * d, at: c)
                }, tail: { c in let d = row[c] - mean[c]; variance[c] += d * d })
            }
            for c in range { variance[c] *= scale }
        }
    }

    /// y = x · scale + shift, per column.
    static func scaleAndShift(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, scale: [Float], shift: [Float],
        into y: UnsafeMutablePointer<Float>
    ) {
        scale.withUnsafeBufferPointer { sb in
            shift.withUnsafeBufferPointer { tb in
                let (s, t) = (sb.baseAddress!, tb.baseAddress!)
                ParallelSplit.forEachRowRange(rows: rows, width: channels) { rowRange in
                    for r in rowRange {
                        let (row, out) = (x + r * channels, y + r * channels)
                        blocks(0..<channels, { c in out.setVector(row.vector(at: c) * s.vector(at: c) + t.vector(at: c), at: c) },
                               tail: { c in out[c] = row[c] * s[c] + t[c] })
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
            for r in 0..<rows {
                let (ra, rb) = (a + r * channels, b + r * channels)
                blocks(range, { c in
                    let va = ra.vector(at: c)
                    sum.setVector(sum.vector(at: c) + va, at: c)
                    sumOfProducts.setVector(sumOfProducts.vector(at: c) + va * rb.vector(at: c), at: c)
                }, tail: { c in
                    sum[c] += ra[c]
                    sumOfProducts[c] += ra[c] * rb[c]
                })
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
