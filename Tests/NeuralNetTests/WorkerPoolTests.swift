import Dispatch
@testable import NeuralNet
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The worker pool and the loops and products split over it.
@Suite struct WorkerPoolTests {
    /// A pool of this suite's own (the shared one is busy with other tests running in parallel).
    static let privatePool = WorkerPool(threadCount: 3)
    let pool = Self.privatePool

    /// Runs `parts` parts and returns how often each ran.
    func runCounting(parts: Int) -> (counts: [Int], total: Int) {
        var counts = [Int](repeating: 0, count: parts)
        counts.withUnsafeMutableBufferPointer { c in
            pool.run(parts: parts) { part in c[part] += 1 }
        }
        return (counts, counts.reduce(0, +))
    }

    @Test func everyPartRunsOnceAndWorkersTakeShares() {
        for parts in [1, 2, 3, 7, 64] {
            #expect(runCounting(parts: parts).counts == [Int](repeating: 1, count: parts), "\(parts) parts")
        }
        // Parts that take a while: the workers claim some. (On a loaded machine the system may
        // not schedule them in time for one job; try again.)
        let here = pthread_self()
        var workersHelped = false
        for _ in 0..<20 where !workersHelped {
            var threads = [pthread_t?](repeating: nil, count: 16)
            threads.withUnsafeMutableBufferPointer { t in
                pool.run(parts: 16) { part in
                    usleep(500)
                    t[part] = pthread_self()
                }
            }
            workersHelped = threads.contains { $0.map { pthread_equal($0, here) == 0 } ?? false }
        }
        #expect(workersHelped)
    }

    @Test func threadCountComesFromTheSettingsOrTheProcessors() {
        func threads(_ settings: [String: String], online: Int = 16) -> Int {
            ProcessorCount.threads(environment: { settings[$0] }, onlineProcessors: online)
        }
        #expect(threads([:]) == 8, "at most 8 on their own")
        #expect(threads([:], online: 2) == 2)
        #expect(threads([:], online: -1) == 1, "sysconf failing")
        #expect(threads(["LAB_THREADS": "1"]) == 1)
        #expect(threads(["LAB_THREADS": " 12 "]) == 12, "a setting may go past 8")
        #expect(threads(["LAB_THREADS": "3", "OPENBLAS_NUM_THREADS": "1"]) == 3, "LAB_THREADS first")
        #expect(threads(["OPENBLAS_NUM_THREADS": "1"], online: 2) == 1)
        #expect(threads(["LAB_THREADS": "many", "OPENBLAS_NUM_THREADS": "0"], online: 4) == 4, "unusable settings are ignored")
        #expect(threads(["LAB_THREADS": "1000"]) == ProcessorCount.explicitLimit)
    }

    @Test func containerLimitsLowerTheProcessorCount() {
        #expect(ProcessorCount.cpuCount(inList: "0-3,8,10-11\n") == 7)
        #expect(ProcessorCount.cpuCount(inList: "0") == 1)
        #expect(ProcessorCount.cpuCount(inList: "") == nil && ProcessorCount.cpuCount(inList: "3-1") == nil)
        #expect(ProcessorCount.cpusAllowed(quota: "150000", period: "100000\n") == 2, "1.5 CPUs round up")
        #expect(ProcessorCount.cpusAllowed(quota: "max", period: "100000") == nil)
        #expect(ProcessorCount.cpusAllowed(quota: "-1\n", period: "100000\n") == nil)
        func usable(_ files: [String: String], online: Int = 16) -> Int {
            ProcessorCount.usableProcessors(online: online, readFile: { files[$0] })
        }
        #expect(usable([:]) == 16, "no control group files")
        #expect(usable(["/sys/fs/cgroup/cpu.max": "200000 100000\n"]) == 2, "cgroup v2 quota")
        #expect(usable(["/sys/fs/cgroup/cpu.max": "max 100000\n", "/sys/fs/cgroup/cpuset.cpus.effective": "0-3\n"]) == 4)
        #expect(usable(["/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "300000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
                        "/sys/fs/cgroup/cpuset/cpuset.cpus": "0-7\n"]) == 3, "cgroup v1")
        #expect(usable(["/sys/fs/cgroup/cpuset/cpuset.cpus": "0-31"], online: 2) == 2, "never more than online")
    }

    @Test func aJobStartedInsideAPartRunsOnThatThread() {
        let outer = 6, inner = 5
        var counts = [Int](repeating: 0, count: outer * inner)
        counts.withUnsafeMutableBufferPointer { c in
            pool.run(parts: outer) { o in
                pool.run(parts: inner) { i in c[o * inner + i] += 1 }
            }
        }
        #expect(counts == [Int](repeating: 1, count: outer * inner))
    }

    @Test func concurrentCallersAndSleepingWorkersAllFinish() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<200 {
                total.add(runCounting(parts: 5).total, ordering: .relaxed)
            }
        }
        #expect(total.load(ordering: .relaxed) == 4 * 200 * 5)
        // Long enough for idle workers to go to sleep; the next job must wake them.
        for _ in 0..<3 {
            usleep(20_000)
            #expect(runCounting(parts: 8).counts == [Int](repeating: 1, count: 8))
        }
    }

    @Test func rangesCoverTheLoopWithAlignedBounds() {
        for (count, alignment) in [(0, 8), (5, 8), (100_003, 8), (1 << 20, 8), (1_000, 1)] {
            var covered = [Int](repeating: 0, count: count)
            let bounds = Mutex<[Int]>([])
            covered.withUnsafeMutableBufferPointer { c in
                ParallelSplit.forEachRange(count: count, minimumPerCore: 100, alignment: alignment) { range in
                    for i in range { c[i] += 1 }
                    bounds.withLock { $0.append(range.lowerBound) }
                }
            }
            #expect(covered.allSatisfy { $0 == 1 }, "\(count) elements")
            #expect(bounds.withLock { $0 }.allSatisfy { $0 % alignment == 0 || $0 == count })
        }
    }

    /// `op(a) · op(b)` in Double, straight from the definition.
    func naiveProduct(_ a: [Float], _ b: [Float], transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                      lda: Int, ldb: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func splitProductsEqualTheDefinition(transposeA: Bool, transposeB: Bool) {
        let random = RandomGenerator(seed: 21)
        // Tall (split by rows, an uneven last block) and wide (split by columns); operands with
        // row strides wider than the matrices, alpha and beta not 1.
        for (m, n, k) in [(203, 37, 70), (29, 301, 90)] {
            let (rowsA, columnsA) = transposeA ? (k, m) : (m, k)
            let (rowsB, columnsB) = transposeB ? (n, k) : (k, n)
            let (lda, ldb, ldc) = (columnsA + 3, columnsB + 5, n + 2)
            #expect(m * n * k >= 1 << 18, "large enough to be split")
            let a = random.uniformTensor(shape: [rowsA * lda], low: -1, high: 1).scalars
            let b = random.uniformTensor(shape: [rowsB * ldb], low: -1, high: 1).scalars
            let start = random.uniformTensor(shape: [m * ldc], low: -1, high: 1).scalars
            var c = start
            c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                          a: a, lda: lda, b: b, ldb: ldb, beta: -2, c: cp.baseAddress!, ldc: ldc)
            }
            let product = naiveProduct(a, b, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                       lda: lda, ldb: ldb)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    let expected = 0.5 * product[i * n + j] - 2 * Double(start[i * ldc + j])
                    worst = max(worst, abs(Double(c[i * ldc + j]) - expected))
                }
                // The padding between rows of c is left alone.
                for j in n..<ldc { #expect(c[i * ldc + j] == start[i * ldc + j]) }
            }
            #expect(worst < 1e-4, "\(m)×\(n)×\(k): largest difference \(worst)")
        }
    }

    /// The same arithmetic as `ChannelLoops.blockedColumnSums`, one column at a time: rows added
    /// in blocks of 64, each block's sum then added to the total.
    private func blockedSum(rows: Int, from start: Float = 0, _ term: (Int) -> Float) -> Float {
        var total = start
        for start in stride(from: 0, to: rows, by: ChannelLoops.summationBlock) {
            var partial: Float = 0
            for r in start..<min(start + ChannelLoops.summationBlock, rows) { partial += term(r) }
            total += partial
        }
        return total
    }

    // Enough rows to be split over the pool (3,001), and enough for several chunks of blocks
    // (70,001 rows of 40 channels: 1,094 blocks, 819 a chunk); channels by 8s and a ragged tail.
    @Test(arguments: [(3_001, 45), (70_001, 40)])
    func columnSumsAddInBlocksInTheSameOrderWhateverTheSplit(rows: Int, channels: Int) {
        let x = RandomGenerator(seed: 4).uniformTensor(shape: [rows, channels], low: -3, high: 5).scalars
        let dy = RandomGenerator(seed: 5).uniformTensor(shape: [rows, channels], low: -1, high: 1).scalars
        let scale = (0..<channels).map { 0.5 + Float($0) / 64 }, shift = (0..<channels).map { Float($0) / 32 - 0.7 }
        var mean = [Float](repeating: 0, count: channels), variance = mean, sum = mean, products = mean
        x.withUnsafeBufferPointer { xp in
            ChannelLoops.columnMeanAndVariance(xp.baseAddress!, rows: rows, channels: channels,
                                               mean: &mean, variance: &variance)
            dy.withUnsafeBufferPointer { g in
                ChannelLoops.columnSums(g.baseAddress!, normalizing: xp.baseAddress!, scale: scale, shift: shift, rows: rows,
                                        channels: channels, sum: &sum, sumOfProducts: &products)
            }
        }
        let bias = Parameter(name: "bias", value: Tensor(shape: [channels], scalars: (0..<channels).map { Float($0) }))
        bias.accumulateColumnSums(of: Tensor(shape: [rows, channels], scalars: dy))
        bias.accumulateColumnSums(of: Tensor(shape: [rows, channels], scalars: x))
        let biasGradient = bias.withGradient { Array(UnsafeBufferPointer(start: $0, count: channels)) }
        for c in 0..<channels {
            let m = blockedSum(rows: rows) { x[$0 * channels + c] } * (1 / Float(rows))
            let squares = blockedSum(rows: rows) { let d = x[$0 * channels + c] - m; return d * d }
            #expect(mean[c] == m && variance[c] == squares * (1 / Float(rows)), "channel \(c)")
            let gradientSum = blockedSum(rows: rows) { dy[$0 * channels + c] }
            let productSum = blockedSum(rows: rows) { dy[$0 * channels + c] * (x[$0 * channels + c] * scale[c] + shift[c]) }
            #expect(sum[c] == gradientSum && products[c] == productSum, "channel \(c)")
            let twice = blockedSum(rows: rows, from: gradientSum) { x[$0 * channels + c] }
            #expect(biasGradient[c] == twice, "channel \(c)")
        }
    }

    @Test func blockedColumnSumsStayAccurateOverManyRows() {
        // 200,000 rows of 0.1 and a little noise: a one-pass float sum drifts by about 1.5e-5 of
        // the mean here; in blocks about a tenth of that (measured 1.6e-6 against 1.5e-5).
        let rows = 200_000, channels = 3
        let x = RandomGenerator(seed: 9).uniformTensor(shape: [rows, channels], low: 0.09, high: 0.11).scalars
        var mean = [Float](repeating: 0, count: channels), variance = mean
        x.withUnsafeBufferPointer { xp in
            ChannelLoops.columnMeanAndVariance(xp.baseAddress!, rows: rows, channels: channels, mean: &mean, variance: &variance)
        }
        for c in 0..<channels {
            let exact = (0..<rows).reduce(0.0) { $0 + Double(x[$1 * channels + c]) } / Double(rows)
            var onePass: Float = 0
            for r in 0..<rows { onePass += x[r * channels + c] }
            let onePassError = abs(Double(onePass / Float(rows)) - exact) / exact
            let blockedError = abs(Double(mean[c]) - exact) / exact
            #expect(blockedError < 5e-6 && blockedError < onePassError / 5, "channel \(c): blocked \(blockedError), one pass \(onePassError)")
        }
    }
}
