import Testing
@testable import NeuralNet

/// `PanelProduct` (the Winograd positions' products) against the same sums in double precision,
/// with every instruction set this CPU runs, on shapes with every kind of row remainder, strided
/// operands, and outputs that must not be written past their columns.
@Suite struct PanelProductTests {
    static let sets = KernelInstructionSet.allCases.filter(\.isSupported)

    /// `a · B` for `a` `m × k` stored with rows `lda` apart, B `k × n` with rows `ldb` apart.
    func reference(m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for l in 0..<k {
                let x = Double(a[i * lda + l])
                for j in 0..<n { c[i * n + j] += x * Double(b[l * ldb + j]) }
            }
        }
        return c
    }

    /// `c` (`m` rows `ldc` apart) within rounding of `expected` (`m × n`), and every float past
    /// a row's `n` columns still NaN.
    func expectClose(_ c: [Float], ldc: Int, to expected: [Double], m: Int, n: Int, k: Int, label: String) {
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n { worst = max(worst, abs(Double(c[i * ldc + j]) - expected[i * n + j])) }
            let past = c[(i * ldc + n)..<((i + 1) * ldc)].allSatisfy { $0.isNaN }
            #expect(past, "\(label), \(m)×\(n)×\(k): row \(i) written past its columns")
        }
        #expect(worst < 1e-6 * Double(k + 1), "\(label), \(m)×\(n)×\(k): worst \(worst)")
    }

    @Test func productsMatchDoublePrecision() {
        let random = RandomGenerator(seed: 41)
        // Half panels too: 16 columns alone, and after whole ones.
        for (m, n, k) in [(1, 32, 1), (7, 32, 5), (8, 64, 3), (13, 96, 40), (50, 32, 256), (17, 128, 129), (9, 16, 7), (19, 80, 33)] {
            let (lda, ldb, ldc) = (k + 3, n + 5, n + 7)
            let a = random.uniformTensor(shape: [m * lda], low: -1, high: 1).scalars
            let b = random.uniformTensor(shape: [k * ldb], low: -1, high: 1).scalars
            let expected = reference(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb)
            var panels = [Float](repeating: 0, count: k * n)
            b.withUnsafeBufferPointer { b in
                panels.withUnsafeMutableBufferPointer { PanelProduct.pack(k: k, n: n, b: b.baseAddress!, ldb: ldb, transposed: false, into: $0.baseAddress!) }
            }
            for set in Self.sets {
                var c = [Float](repeating: .nan, count: m * ldc)
                a.withUnsafeBufferPointer { a in
                    panels.withUnsafeBufferPointer { panels in
                        c.withUnsafeMutableBufferPointer { c in
                            PanelProduct.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, panels: panels.baseAddress!,
                                                  c: c.baseAddress!, ldc: ldc, instructionSet: set)
                        }
                    }
                }
                expectClose(c, ldc: ldc, to: expected, m: m, n: n, k: k, label: "\(set)")
            }
        }
    }

    /// B given as its transpose packs into the very same panels, and a product's rows come out the
    /// same bits however the rows are cut into calls (one register chain per element over k); 48
    /// columns end in a half panel.
    @Test(arguments: [64, 48]) func transposedPackingAndRowCutsGiveTheSameBits(n: Int) {
        let random = RandomGenerator(seed: 42)
        let (m, k) = (21, 37)
        let a = random.uniformTensor(shape: [m * k], low: -1, high: 1).scalars
        let b = random.uniformTensor(shape: [k * n], low: -1, high: 1).scalars
        let bTransposed = (0..<(n * k)).map { b[($0 % k) * n + $0 / k] }
        var panels = [Float](repeating: 0, count: k * n), fromTransposed = [Float](repeating: .nan, count: k * n)
        b.withUnsafeBufferPointer { b in
            panels.withUnsafeMutableBufferPointer { PanelProduct.pack(k: k, n: n, b: b.baseAddress!, ldb: n, transposed: false, into: $0.baseAddress!) }
        }
        // Rows of the transpose exactly k apart, and 3 floats further apart (NaN between them, never read):
        // whole 4 × 4 blocks, the 5 rows past the last 16, and the stride all count.
        for gap in [0, 3] {
            let ldb = k + gap
            let source = (0..<(n * ldb)).map { $0 % ldb < k ? bTransposed[$0 / ldb * k + $0 % ldb] : Float.nan }
            source.withUnsafeBufferPointer { b in
                fromTransposed.withUnsafeMutableBufferPointer {
                    PanelProduct.pack(k: k, n: n, b: b.baseAddress!, ldb: ldb, transposed: true, into: $0.baseAddress!)
                }
            }
            #expect(panels == fromTransposed, "\(n) columns, rows \(ldb) apart")
        }
        for set in Self.sets {
            var whole = [Float](repeating: 0, count: m * n), cut = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { a in
                panels.withUnsafeBufferPointer { panels in
                    whole.withUnsafeMutableBufferPointer { c in
                        PanelProduct.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, panels: panels.baseAddress!, c: c.baseAddress!,
                                              ldc: n, instructionSet: set)
                    }
                    cut.withUnsafeMutableBufferPointer { c in
                        for rows in [0..<3, 3..<12, 12..<13, 13..<21] {
                            PanelProduct.multiply(m: rows.count, n: n, k: k, a: a.baseAddress! + rows.lowerBound * k, lda: k,
                                                  panels: panels.baseAddress!, c: c.baseAddress! + rows.lowerBound * n, ldc: n,
                                                  instructionSet: set)
                        }
                    }
                }
            }
            #expect(whole == cut, "\(set), \(n) columns")
        }
    }

    /// A half panel's columns come out the very bits that the same columns give in a whole panel:
    /// 48 columns against the first 48 of 64 with the same B, for every instruction set.
    @Test func halfPanelsGiveTheBitsOfWholeOnes() {
        let random = RandomGenerator(seed: 43)
        let (m, k) = (27, 53)
        let a = random.uniformTensor(shape: [m * k], low: -1, high: 1).scalars
        let b = random.uniformTensor(shape: [k * 64], low: -1, high: 1).scalars
        func product(columns n: Int, _ set: KernelInstructionSet) -> [Float] {
            var panels = [Float](repeating: 0, count: k * n), c = [Float](repeating: .nan, count: m * n)
            b.withUnsafeBufferPointer { b in
                panels.withUnsafeMutableBufferPointer { PanelProduct.pack(k: k, n: n, b: b.baseAddress!, ldb: 64, transposed: false, into: $0.baseAddress!) }
            }
            a.withUnsafeBufferPointer { a in
                panels.withUnsafeBufferPointer { panels in
                    c.withUnsafeMutableBufferPointer {
                        PanelProduct.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, panels: panels.baseAddress!, c: $0.baseAddress!,
                                              ldc: n, instructionSet: set)
                    }
                }
            }
            return c
        }
        #expect(PanelProduct.takes(columns: 784) && !PanelProduct.fits(columns: 784) && !PanelProduct.takes(columns: 40))
        for set in Self.sets {
            let whole = product(columns: 64, set), half = product(columns: 48, set)
            let firstColumns = (0..<(m * 48)).map { whole[$0 / 48 * 64 + $0 % 48] }
            #expect(half == firstColumns, "\(set)")
        }
    }

    /// A large output written in one chunk goes past the caches (`PanelProduct.streamedOutputFloats`)
    /// when it starts on a cache line with whole lines per row: the same bits as the same product
    /// stored through the caches (rows a float more than whole lines apart), in every instruction
    /// set, and nothing written past a row's columns.
    @Test func streamedTransposedOutputsKeepTheirBits() {
        let (m, n, k) = (1024, 256, 24)
        #expect(m * n >= PanelProduct.streamedOutputFloats && k <= PanelProduct.singleChunkRows)
        let random = RandomGenerator(seed: 44)
        let a = random.uniformTensor(shape: [k * m], low: -1, high: 1).scalars
        let b = random.uniformTensor(shape: [k * n], low: -1, high: 1).scalars
        let pool = BufferPool()
        for set in Self.sets {
            var cached = [Float](repeating: .nan, count: m * (n + 1))
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    cached.withUnsafeMutableBufferPointer { c in
                        PanelProduct.multiplyTransposed(m: m, n: n, k: k, a: a.baseAddress!, lda: m, b: b.baseAddress!, ldb: n,
                                                        c: c.baseAddress!, ldc: n + 1, instructionSet: set)
                    }
                }
            }
            let streamed: [Float] = pool.with(count: m * (n + 16)) { c in
                #expect(Int(bitPattern: c) % 64 == 0, "the pool's buffer starts on a cache line, so the stores go past the caches")
                c.update(repeating: .nan, count: m * (n + 16))
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        PanelProduct.multiplyTransposed(m: m, n: n, k: k, a: a.baseAddress!, lda: m, b: b.baseAddress!, ldb: n,
                                                        c: c, ldc: n + 16, instructionSet: set)
                    }
                }
                return Array(UnsafeBufferPointer(start: c, count: m * (n + 16)))
            }
            var same = true, pastUntouched = true
            for i in 0..<m {
                for j in 0..<n where cached[i * (n + 1) + j].bitPattern != streamed[i * (n + 16) + j].bitPattern { same = false }
                pastUntouched = pastUntouched && streamed[(i * (n + 16) + n)..<((i + 1) * (n + 16))].allSatisfy(\.isNaN)
            }
            #expect(same && pastUntouched, "\(set)")
        }
    }

    /// Outputs larger than 2¹⁷ floats run on the transposed product only when all of k is one
    /// chunk, so that each output is written once: the 004 models' 8 ↔ 4 kernel gradients (1024 ×
    /// 512 over 128 tiles) but not the same over 256 tiles, which OpenBLAS runs. Smaller ones
    /// summing more than a chunk go in blocks of rows whose outputs fit 2¹⁵ floats.
    @Test func largeTransposedProductsNeedOneChunkOrBlocks() {
        #expect(PanelProduct.fitsTransposed(rows: 256, columns: 128, sum: 4096), "fits a core's cache")
        #expect(PanelProduct.fitsTransposed(rows: 512, columns: 256, sum: 512), "the 16 ↔ 8 layers' kernel gradients, in blocks")
        #expect(PanelProduct.fitsTransposed(rows: 1024, columns: 512, sum: 128))
        #expect(!PanelProduct.fitsTransposed(rows: 1024, columns: 512, sum: 129))
        #expect(!PanelProduct.fitsTransposed(rows: 1024, columns: 500, sum: 128), "whole panels only")
        #expect(PanelProduct.transposedBlockRows(rows: 256, columns: 128, sum: 4096) == 256, "one block: the output fits")
        #expect(PanelProduct.transposedBlockRows(rows: 1024, columns: 512, sum: 128) == 1024, "one block: k is one chunk")
        #expect(PanelProduct.transposedBlockRows(rows: 512, columns: 256, sum: 512) == 128)
        #expect(PanelProduct.transposedBlockRows(rows: 400, columns: 96, sum: 200) == 336)
        #expect(PanelProduct.transposedBlockRows(rows: 500, columns: 160, sum: 129) == 192)
    }

    /// `aᵀ · b` read in place (the kernel gradient's sum over tiles): against double precision on
    /// sums shorter and longer than a chunk of k, with every row remainder and strided operands;
    /// nothing written past the columns; and cutting the columns into bands gives the same bits.
    @Test func transposedProductsMatchDoublePrecision() {
        let random = RandomGenerator(seed: 43)
        // k = 128: all rows in one chunk (`LAB_TRANSPOSED_SINGLE_CHUNK`); 129 and 300: chunks of 64.
        // 500 × 160 over 129: three blocks of 192, 192 and 116 rows (`transposedBlockRows`).
        for (m, n, k) in [(1, 32, 1), (9, 32, 0), (13, 64, 7), (16, 32, 8), (30, 96, 61), (21, 64, 128), (11, 32, 129), (8, 128, 300),
                          (500, 160, 129)] {
            let (lda, ldb, ldc) = (m + 3, n + 5, n + 7)
            let a = random.uniformTensor(shape: [max(k, 1) * lda], low: -1, high: 1).scalars
            let b = random.uniformTensor(shape: [max(k, 1) * ldb], low: -1, high: 1).scalars
            let aTransposed = (0..<(m * k)).map { a[($0 % k) * lda + $0 / k] }
            let expected = reference(m: m, n: n, k: k, a: aTransposed, lda: k, b: b, ldb: ldb)
            for set in Self.sets {
                var c = [Float](repeating: .nan, count: m * ldc), banded = c
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            PanelProduct.multiplyTransposed(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                                                            c: c.baseAddress!, ldc: ldc, instructionSet: set)
                        }
                        banded.withUnsafeMutableBufferPointer { c in
                            for start in stride(from: 0, to: n, by: 32) {
                                PanelProduct.multiplyTransposed(m: m, n: 32, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress! + start,
                                                                ldb: ldb, c: c.baseAddress! + start, ldc: ldc, instructionSet: set)
                            }
                        }
                    }
                }
                expectClose(c, ldc: ldc, to: expected, m: m, n: n, k: k, label: "\(set)")
                let same = zip(c, banded).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "\(set), \(m)×\(n)×\(k): bands of 32 columns")
            }
        }
    }
}
