@testable import NeuralNet
import Testing

/// `ProductTimes` (what `lab bench --layers` prints by shape) records each product once, as the
/// thread that ran it: our panel and transposed products and each BLAS call, a product the pool
/// splits as its bands; and nothing while it is off. Other tests run products at the same time,
/// so this one checks shapes no other test uses.
@Suite struct ProductTimesTests {
    func gemm(m: Int, n: Int, k: Int, splitOverPool: Bool) {
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 1, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        c.withUnsafeMutableBufferPointer { c in
            BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 0, c: c.baseAddress!, ldc: n, splitOverPool: splitOverPool)
        }
    }

    func panelProduct(m: Int, n: Int, k: Int) {
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 2, count: k * n)
        var panels = [Float](repeating: 0, count: k * n), c = [Float](repeating: 0, count: m * n)
        panels.withUnsafeMutableBufferPointer { PanelProduct.pack(k: k, n: n, b: b, ldb: n, transposed: false, into: $0.baseAddress!) }
        c.withUnsafeMutableBufferPointer { PanelProduct.multiply(m: m, n: n, k: k, a: a, lda: k, panels: panels, c: $0.baseAddress!, ldc: n) }
        #expect(c.allSatisfy { $0 == Float(2 * k) })
    }

    func transposedProduct(m: Int, n: Int, k: Int) {
        let a = [Float](repeating: 1, count: k * m), b = [Float](repeating: 1, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        c.withUnsafeMutableBufferPointer {
            PanelProduct.multiplyTransposed(m: m, n: n, k: k, a: a, lda: m, b: b, ldb: n, c: $0.baseAddress!, ldc: n)
        }
    }

    @Test func eachProductIsRecordedOnceByShapeWhileRecording() {
        ProductTimes.start()
        panelProduct(m: 9, n: 48, k: 13)
        panelProduct(m: 9, n: 48, k: 13)
        transposedProduct(m: 7, n: 32, k: 11)
        gemm(m: 5, n: 6, k: 17, splitOverPool: false)
        gemm(m: 544, n: 272, k: 40, splitOverPool: true)
        let recorded = ProductTimes.stop()
        panelProduct(m: 9, n: 48, k: 13)  // off: not recorded
        let afterwards = ProductTimes.stop()

        func totals(_ kernel: ProductTimes.Kernel, _ m: Int, _ n: Int, _ k: Int, in list: [(shape: ProductTimes.Shape, totals: ProductTimes.Totals)]) -> ProductTimes.Totals? {
            list.first { $0.shape == ProductTimes.Shape(kernel: kernel, m: m, n: n, k: k) }?.totals
        }
        let panel = totals(.panel, 9, 48, 13, in: recorded)
        #expect(panel?.calls == 2 && panel?.flops == 2 * (2 * 9 * 48 * 13))
        #expect((panel?.seconds ?? 0) > 0 && (panel?.gflopsPerThread ?? 0) > 0)
        #expect(totals(.transposed, 7, 32, 11, in: recorded)?.calls == 1)
        #expect(totals(.blas, 5, 6, 17, in: recorded)?.flops == 2 * 5 * 6 * 17)
        // The split product: its bands of rows, each once, and not the whole product besides.
        let bands = recorded.filter { $0.shape.kernel == .blas && $0.shape.n == 272 && $0.shape.k == 40 }
        #expect(bands.reduce(0) { $0 + $1.shape.m * $1.totals.calls } == 544)
        #expect(bands.reduce(0) { $0 + $1.totals.flops } == 2 * 544 * 272 * 40)
        #expect(totals(.panel, 9, 48, 13, in: afterwards) == panel, "nothing recorded once stopped")
        // Largest time first.
        #expect(zip(recorded, recorded.dropFirst()).allSatisfy { $0.totals.seconds >= $1.totals.seconds })
    }
}
