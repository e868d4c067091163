import CKernels

/// The machine's multiply-add peak, and how close the products' own kernels come to it (`lab
/// bench peak`): the floor under a training step's products that no kernel can go below, so
/// that a step can be compared with it as well as with the sgemm rate.
public enum MultiplyAddPeak {
    /// Rates in GFLOPS (10⁹ floating-point operations a second, two per multiply-add).
    public struct Rates: Sendable {
        /// Every thread of the pool running multiply-add chains at once.
        public let together: Double
        /// One thread alone.
        public let oneThread: Double
        /// The threads that ran together.
        public let threads: Int
        /// The panel product (`PanelProduct.multiply`) and the transposed one
        /// (`PanelProduct.multiplyTransposed`) on one thread, on the 004 models' largest products
        /// with their operands already in the caches, as in `panelShapes`.
        public let panelProduct: Double, transposedProduct: Double
        /// The instruction set the chains and the panel kernels ran with.
        public let instructionSet: String
    }

    /// The products `measure` times: the 004 models' 8 ↔ 4 layers at batch 128, a forward
    /// product of 128 tiles by 1,024 image channels (four phases of 256) by 512 grid channels,
    /// and a kernel gradient of 1,024 × 512 summed over 128 tiles.
    public static let panelShapes = (product: (m: 128, n: 512, k: 1024), transposed: (m: 1024, n: 512, k: 128))

    /// The set the kernels run with (`LAB_KERNELS` may ask for a narrower one than the CPU has).
    static var chosenInstructionSet: KernelInstructionSet {
        KernelInstructionSet.allCases.first { "\($0)" == TileTransform.instructionSet } ?? .baseline
    }

    /// Floating-point operations of `lab_multiply_add_chains` with `set`: two per lane and iteration.
    static func chainFLOPs(iterations: Int, set: KernelInstructionSet) -> Double {
        2 * Double(lab_multiply_add_lanes(Int32(set.rawValue))) * Double(iterations)
    }

    /// Runs the chains `iterations` times with `set` and returns their sum (see
    /// `lab_multiply_add_chains`): with multiplier 1 and addend 1, lanes × iterations exactly
    /// while that is below 2²⁴.
    static func chains(iterations: Int, multiplier: Float, addend: Float, set: KernelInstructionSet) -> Float {
        lab_multiply_add_chains(Int32(set.rawValue), iterations, multiplier, addend)
    }

    /// The best of `repetitions` timings of each: chains on every pool thread at once, then on
    /// one thread, `iterations` a pass (about 33 ms on a core of 117 GFLOPS with 512-bit
    /// vectors), then the two panel kernels on one thread after a warm-up call.
    public static func measure(iterations: Int = 10_000_000, repetitions: Int = 5) -> Rates {
        let set = chosenInstructionSet
        return Rates(together: together(iterations: iterations, repetitions: repetitions),
                     oneThread: chainRate(threads: 1, iterations: iterations, repetitions: repetitions, set: set),
                     threads: WorkerPool.shared.threadCount, panelProduct: panelRate(set: set, repetitions: repetitions),
                     transposedProduct: transposedRate(set: set, repetitions: repetitions), instructionSet: "\(set)")
    }

    /// GFLOPS of chains on every pool thread at once, the best of `repetitions` passes: the
    /// machine's peak for the pool's products.
    public static func together(iterations: Int = 10_000_000, repetitions: Int = 5) -> Double {
        chainRate(threads: WorkerPool.shared.threadCount, iterations: iterations, repetitions: repetitions, set: chosenInstructionSet)
    }

    /// GFLOPS of chains on `threads` pool threads at once (one: the calling thread alone).
    static func chainRate(threads: Int, iterations: Int, repetitions: Int, set: KernelInstructionSet) -> Double {
        // The multiplier and addend keep each sum near 1: no overflow, no subnormal numbers.
        let (multiplier, addend): (Float, Float) = (1 - 0x1p-20, 0x1p-20)
        let sums = UnsafeMutableBufferPointer<Float>.allocate(capacity: threads)
        defer { sums.deallocate() }
        // One part runs on the calling thread (`WorkerPool.run`).
        return bestRate(flops: Double(threads) * chainFLOPs(iterations: iterations, set: set), repetitions: repetitions) {
            WorkerPool.shared.run(parts: threads) {
                sums[$0] = chains(iterations: iterations, multiplier: multiplier, addend: addend, set: set)
            }
        }
    }

    /// GFLOPS of `PanelProduct.multiply` on `panelShapes.product`, one thread, best of `repetitions`.
    static func panelRate(set: KernelInstructionSet, repetitions: Int) -> Double {
        let (m, n, k) = panelShapes.product
        let a = [Float](repeating: 0.25, count: m * k), b = [Float](repeating: 0.5, count: k * n)
        var panels = [Float](repeating: 0, count: k * n), c = [Float](repeating: 0, count: m * n)
        panels.withUnsafeMutableBufferPointer { p in
            b.withUnsafeBufferPointer { PanelProduct.pack(k: k, n: n, b: $0.baseAddress!, ldb: n, transposed: false, into: p.baseAddress!) }
        }
        return bestRate(flops: 2 * Double(m * n * k), repetitions: repetitions) {
            a.withUnsafeBufferPointer { a in
                panels.withUnsafeBufferPointer { p in
                    c.withUnsafeMutableBufferPointer { c in
                        PanelProduct.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, panels: p.baseAddress!, c: c.baseAddress!,
                                              ldc: n, instructionSet: set)
                    }
                }
            }
        }
    }

    /// GFLOPS of `PanelProduct.multiplyTransposed` on `panelShapes.transposed`, one thread, best of `repetitions`.
    static func transposedRate(set: KernelInstructionSet, repetitions: Int) -> Double {
        let (m, n, k) = panelShapes.transposed
        let a = [Float](repeating: 0.25, count: k * m), b = [Float](repeating: 0.5, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        return bestRate(flops: 2 * Double(m * n * k), repetitions: repetitions) {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        PanelProduct.multiplyTransposed(m: m, n: n, k: k, a: a.baseAddress!, lda: m, b: b.baseAddress!, ldb: n,
                                                        c: c.baseAddress!, ldc: n, instructionSet: set)
                    }
                }
            }
        }
    }

    /// `flops` over the best time of `repetitions` calls of `body`, after one untimed call (which
    /// brings the operands into the caches and wakes the threads).
    private static func bestRate(flops: Double, repetitions: Int, _ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        let seconds = (0..<max(1, repetitions)).map { _ in clock.measure(body).inSeconds }.min()!
        return flops / seconds / 1e9
    }
}
