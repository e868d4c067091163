import Foundation

/// The matrix products of a convolution between an image side and a grid side (see
/// `ConvolutionGeometry`), shared by `Conv2D` (the image is its input) and `Conv2DTranspose` (the
/// image is its output). The kernel is `[kh, kw, imageChannels, gridChannels]`, which is Keras's
/// layout for both layers.
///
/// Four algorithms give the same results up to rounding:
/// - `patches`: im2col/col2im around one large product. Best when a side has few channels,
///   where per-tap products would be too thin to run fast.
/// - `singleChannel`: straight from the image and the grid, where the image side has one
///   channel (a 28×28×1 or 64×64×1 picture; `SingleChannelConvolution`).
/// - `taps`: one product per kernel tap over spatial-major packed buffers (`TapPlan`): no patch
///   matrix, and taps that fall in the padding cost nothing.
/// - `winograd`: Winograd tiles (`WinogradConvolution`), strided kernels split into their
///   stride-1 phases: 2–4× fewer multiplications where both sides have many channels.
final class ConvolutionEngine {
    enum Algorithm: Sendable {
        case patches, singleChannel, taps, winograd
    }

    /// An image batch ready for products: its patch matrix, the NHWC tensor itself (one
    /// channel), its packed form, or its Winograd transform, which starts at `buffer[start]`.
    struct PreparedImage {
        fileprivate var tensor: Tensor?
        fileprivate var buffer: [Float]
        fileprivate var start = 0
        let batch: Int

        fileprivate func withValues<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
            if let tensor { return tensor.withUnsafeBufferPointer { body($0.baseAddress!) } }
            return buffer.withUnsafeBufferPointer { body($0.baseAddress! + start) }
        }
    }

    /// A grid batch ready for products: the NHWC tensor itself (patches, one channel), its packed form, or its
    /// Winograd transform, which starts at `buffer[start]`.
    struct PreparedGrid {
        fileprivate var tensor: Tensor?
        fileprivate var buffer: [Float]
        fileprivate var start = 0
        let batch: Int
    }

    let geometry: ConvolutionGeometry
    let gridChannels: Int
    /// Chosen by `fastestAlgorithm` when built; tests set it to check every algorithm.
    var algorithm: Algorithm
    /// The Winograd tiles, made the first time the algorithm is `winograd`.
    private var cachedWinograd: WinogradRegions?
    private var imageChannels: Int { geometry.channels }
    private var kernelTap: Int { imageChannels * gridChannels }
    private let pool = BufferPool()
    private var cachedPlan: TapPlan?

    /// Drops the kept work buffers (they are allocated again on the next call).
    func releaseBuffers() {
        pool.removeAll()
        cachedWinograd?.releaseKeptOperands()
    }

    init(geometry: ConvolutionGeometry, gridChannels: Int) {
        self.geometry = geometry
        self.gridChannels = gridChannels
        algorithm = Self.fastestAlgorithm(geometry: geometry, gridChannels: gridChannels)
    }

    /// Per-tap products re-read their operand once per tap, where the patch matrix is read once,
    /// but they skip the taps in the padding and need no patch matrix. Measured with
    /// `lab bench --layers` (forward + backward at batch 256, products split over the
    /// `WorkerPool`): per-tap products win on all three large layers of the chapter's DCGAN
    /// (7×7 ↔ 7×7 k5, 31 % of the patch matrix is padding, by the most; 7×7 ↔ 14×14 k5 s2, 16 %:
    /// 43–44 vs 51–52 ms) and lose where there is little padding (at batch 128, forward and
    /// kernel gradient: `valid` 14×14 k5, 39 vs 34 ms; 32×32 → 16×16 k4 s2, 3 %: 66 vs 59 ms),
    /// where their kernel gradient, many thin products, costs more. Both sides need enough channels for the products to run at
    /// full speed.
    static func fastestDirectAlgorithm(geometry: ConvolutionGeometry, gridChannels: Int) -> Algorithm {
        fastestDirect(geometry: geometry, gridChannels: gridChannels).algorithm
    }

    /// The direct algorithm and its multiply-adds per item.
    private static func fastestDirect(geometry: ConvolutionGeometry, gridChannels: Int) -> (algorithm: Algorithm, work: Double) {
        let plan = TapPlan(geometry: geometry, batch: 1)
        let connected = plan.runs.joined().reduce(0) { $0 + $1.rows }
        let all = plan.gridRows * plan.runs.count
        let pairs = Double(geometry.channels * gridChannels)
        if SingleChannelConvolution.fits(geometry) { return (.singleChannel, Double(all) * pairs) }
        guard min(geometry.channels, gridChannels) >= 16 else { return (.patches, Double(all) * pairs) }
        let padding = 1 - Double(connected) / Double(all)
        return padding >= 0.10 ? (.taps, Double(connected) * pairs) : (.patches, Double(all) * pairs)
    }

    /// Winograd tiles where they are estimated to need less work than the direct products
    /// (`WinogradPlan.estimatedWork`, transforms included) with the tile size that needs the
    /// least (`WinogradPlan.cheapest`); otherwise `fastestDirectAlgorithm`. Measured with
    /// `lab bench` (AMD EPYC with AVX-512, alternating runs): Winograd tiles make the chapter's
    /// 7×7 k5 stride-1 layer 240 → 140 ms (forward + backward, batch 256), and with the 14 ↔ 7
    /// k5 stride-2 layers on them too the DCGAN step went 505 and 478 → 408 and 434 ms; the 004
    /// models' 32 ↔ 16 and 16 ↔ 8 k4 stride-2 layers went 182 → 113, 130 → 91 and 144 → 117 ms
    /// (batch 128). The 8 ↔ 4 layers first took 2×2 tiles, four per item (α = 3, 1.8× fewer
    /// multiplications than the direct products; the step 0.948 of the time on the per-tap
    /// products, 4 alternating rounds, 2026-12-03), and since the kernel's transform is kept
    /// between calls, one 4×4 tile per item (α = 5, 2.6× fewer; the step 0.964 of the time on
    /// 2×2 tiles on Zen 4, see `WinogradPlan.cheapest`). Grids that the tiles do not divide (the
    /// chapter's 7×7) get smaller tiles at their far edges instead of tiles reaching past the
    /// grid (`WinogradPlan.regions`): the chapter's three Winograd layers 15–17 % faster by
    /// `--layers` (one run each), the DCGAN step 0.962 (6 alternating rounds, 2026-12-04); the
    /// 004 models' 32 ↔ 16 layers, which the estimate now gives 6×6 tiles with 4-cell edges
    /// instead of 4×4 tiles, no faster or slower (the 64×64 step 0.996, 6 rounds).
    static func fastestAlgorithm(
        geometry: ConvolutionGeometry, gridChannels: Int, allowingWinograd: Bool = winogradAllowed
    ) -> Algorithm {
        let direct = fastestDirect(geometry: geometry, gridChannels: gridChannels)
        if allowingWinograd, let winograd = WinogradPlan.cheapest(geometry: geometry, gridChannels: gridChannels),
           winograd.estimatedWork < direct.work {
            return .winograd
        }
        return direct.algorithm
    }

    /// Whether new convolutions may choose Winograd tiles: not when the environment variable
    /// `LAB_CONVOLUTIONS` is `direct` (to compare training on the direct products, e.g. a lab run
    /// with and without tiles).
    static let winogradAllowed = allowsWinograd(environment: ProcessInfo.processInfo.environment)

    /// `winogradAllowed` for the given environment variables.
    static func allowsWinograd(environment: [String: String]) -> Bool { environment["LAB_CONVOLUTIONS"] != "direct" }

    private var winograd: WinogradRegions {
        if let cachedWinograd { return cachedWinograd }
        guard let plans = WinogradPlan.cheapest(geometry: geometry, gridChannels: gridChannels) else {
            preconditionFailure("Winograd tiles do not apply to \(geometry) with \(gridChannels) grid channels")
        }
        let winograd = WinogradRegions(plans: plans)
        cachedWinograd = winograd
        return winograd
    }

    /// The Winograd tiles when the algorithm is `winograd` (made on first use), else nil.
    var winogradRegions: WinogradRegions? { algorithm == .winograd ? winograd : nil }

    /// The algorithm in words, e.g. `winograd F(4×4, 2×2), 4 phases` or `taps` (for `lab bench --layers`).
    var algorithmDescription: String {
        switch algorithm {
        case .patches: return "patches"
        case .singleChannel: return "one image channel, direct"
        case .taps: return "taps"
        case .winograd: return "winograd " + winograd.description
        }
    }

    /// Switches to the fastest direct algorithm (no Winograd tiles).
    func useDirectProducts() {
        algorithm = Self.fastestDirectAlgorithm(geometry: geometry, gridChannels: gridChannels)
    }

    /// Switches to Winograd tiles of `outputs × outputs` grid cells, over the whole grid or, with
    /// `edgeRegions`, with smaller tiles at the far edges (`WinogradPlan.regions`), its products
    /// in `order` (nil: the order chosen per batch). Tests compare tile sizes and orders.
    func useWinograd(outputs: Int, edgeRegions: Bool = false, order: WinogradRegions.ProductOrder? = nil) {
        algorithm = .winograd
        cachedWinograd = WinogradRegions(plans: edgeRegions
            ? WinogradPlan.regions(geometry: geometry, gridChannels: gridChannels, outputs: outputs)
            : [WinogradPlan(geometry: geometry, gridChannels: gridChannels, outputs: outputs)])
        cachedWinograd?.forcedOrder = order
    }

    private func plan(batch: Int) -> TapPlan {
        if let cachedPlan, cachedPlan.batch == batch { return cachedPlan }
        let plan = TapPlan(geometry: geometry, batch: batch)
        cachedPlan = plan
        return plan
    }

    private func positions(_ batch: Int) -> Int { batch * geometry.gridHeight * geometry.gridWidth }

    // MARK: Operands

    /// Prepares an NHWC image batch `[N, imageHeight, imageWidth, imageChannels]`.
    func prepare(image: Tensor) -> PreparedImage {
        let batch = image.batchSize
        switch algorithm {
        case .patches:
            var columns = pool.take(count: positions(batch) * geometry.patchSize)
            columns.withUnsafeMutableBufferPointer { c in
                image.withUnsafeBufferPointer { x in geometry.im2col(x.baseAddress!, batch: batch, into: c.baseAddress!) }
            }
            return PreparedImage(buffer: columns, batch: batch)
        case .singleChannel:
            return PreparedImage(tensor: image, buffer: [], batch: batch)
        case .taps:
            let plan = plan(batch: batch)
            var packed = pool.take(count: plan.imageRows * imageChannels)
            packed.withUnsafeMutableBufferPointer { p in
                image.withUnsafeBufferPointer { x in plan.pack(.image, x.baseAddress!, channels: imageChannels, into: p.baseAddress!) }
            }
            return PreparedImage(buffer: packed, batch: batch)
        case .winograd:
            var (transformed, start) = pool.takeLineAligned(count: winograd.transformedImageCount(batch: batch))
            transformed.withUnsafeMutableBufferPointer { v in
                image.withUnsafeBufferPointer { x in winograd.transformImage(x.baseAddress!, batch: batch, into: v.baseAddress! + start) }
            }
            return PreparedImage(buffer: transformed, start: start, batch: batch)
        }
    }

    /// Prepares an NHWC grid batch `[N, gridHeight, gridWidth, gridChannels]`.
    func prepare(grid: Tensor) -> PreparedGrid {
        let batch = grid.batchSize
        switch algorithm {
        case .patches, .singleChannel:
            return PreparedGrid(tensor: grid, buffer: [], batch: batch)
        case .taps:
            let plan = plan(batch: batch)
            var packed = pool.take(count: plan.gridRows * gridChannels)
            packed.withUnsafeMutableBufferPointer { p in
                grid.withUnsafeBufferPointer { x in plan.pack(.grid, x.baseAddress!, channels: gridChannels, into: p.baseAddress!) }
            }
            return PreparedGrid(tensor: nil, buffer: packed, batch: batch)
        case .winograd:
            var (transformed, start) = pool.takeLineAligned(count: winograd.transformedGridCount(batch: batch))
            transformed.withUnsafeMutableBufferPointer { g in
                grid.withUnsafeBufferPointer { y in winograd.transformGrid(y.baseAddress!, batch: batch, into: g.baseAddress! + start) }
            }
            return PreparedGrid(tensor: nil, buffer: transformed, start: start, batch: batch)
        }
    }

    /// Returns an operand's buffer for reuse; the operand must not be used afterwards.
    func recycle(_ image: PreparedImage) {
        if image.tensor == nil { pool.giveBack(image.buffer) }
    }

    /// Returns an operand's buffer for reuse; the operand must not be used afterwards.
    func recycle(_ grid: PreparedGrid) {
        if grid.tensor == nil { pool.giveBack(grid.buffer) }
    }

    /// Runs `body` with a prepared image's values (for `singleChannel`, the image itself).
    func withImageValues<R>(_ image: PreparedImage, _ body: (UnsafePointer<Float>) -> R) -> R { image.withValues(body) }

    private func withGrid<R>(_ grid: PreparedGrid, _ body: (UnsafePointer<Float>) -> R) -> R {
        if let tensor = grid.tensor { return tensor.withUnsafeBufferPointer { body($0.baseAddress!) } }
        return grid.buffer.withUnsafeBufferPointer { body($0.baseAddress! + grid.start) }
    }

    // MARK: Products

    /// `grid = bias + Σ over taps of image · W[tap]`, as an NHWC tensor `[N, gridHeight, gridWidth, gridChannels]`.
    /// With a `stamp` (the kernel parameter's), Winograd tiles may reuse the transformed kernel
    /// of an earlier call with the same stamp (`KernelOperandCache`).
    func grid(from image: PreparedImage, kernel: Tensor, stamp: ParameterStamp? = nil, bias: Tensor?) -> Tensor {
        let batch = image.batch, rows = positions(batch)
        let shape = [batch, geometry.gridHeight, geometry.gridWidth, gridChannels]
        return kernel.withUnsafeBufferPointer { w in
            image.withValues { source in
                switch algorithm {
                case .patches:
                    return Tensor(shape: shape) { out in
                        if PanelProduct.fits(columns: gridChannels) {
                            patchProducts(rows: rows, patches: source, kernel: w.baseAddress!, bias: bias, into: out.baseAddress!)
                            return
                        }
                        fill(out.baseAddress!, rows: rows, with: bias, channels: gridChannels)
                        BLAS.gemm(m: rows, n: gridChannels, k: geometry.patchSize, a: source, lda: geometry.patchSize,
                                  b: w.baseAddress!, ldb: gridChannels, beta: 1, c: out.baseAddress!, ldc: gridChannels)
                    }
                case .singleChannel:
                    return Tensor(shape: shape) { out in
                        withOptionalPointer(bias) { b in
                            singleChannel.grid(from: source, batch: batch, kernel: w.baseAddress!, bias: b, into: out.baseAddress!)
                        }
                    }
                case .taps:
                    let plan = plan(batch: batch)
                    return pool.with(count: plan.gridRows * gridChannels) { packed in
                        fill(packed, rows: plan.gridRows, with: bias, channels: gridChannels)
                        forEachRunInBands(of: .grid, plan: plan, bands: bandCount(plan)) { _, tap, run in
                            BLAS.gemm(m: run.rows, n: gridChannels, k: imageChannels,
                                      a: source + run.image * imageChannels, lda: imageChannels,
                                      b: w.baseAddress! + tap * kernelTap, ldb: gridChannels,
                                      beta: 1, c: packed + run.grid * gridChannels, ldc: gridChannels, splitOverPool: false)
                        }
                        return Tensor(shape: shape) { out in plan.unpack(.grid, packed, channels: gridChannels, into: out.baseAddress!) }
                    }
                case .winograd:
                    return winograd.grid(from: source, batch: batch, kernel: kernel, stamp: stamp, bias: bias, pool: pool)
                }
            }
        }
    }

    /// `out = patches · W + bias` on `PanelProduct`, the rows in one band per pool thread. These
    /// are the first layers of the chapter's and the 64×64 discriminators: one input channel, so
    /// sums of 25 or 16 terms over tens of thousands of rows, where OpenBLAS packed the patches
    /// again and read and wrote the whole output twice (cleared, then added to). The chapter
    /// DCGAN's first layer forward took 1.0–2.0 ms instead of 2.3–2.4 (`lab bench --layers`),
    /// the DCGAN step 0.981 of the time (6 of 6 alternating rounds faster, Zen 5, 2026-12-04).
    private func patchProducts(rows: Int, patches: UnsafePointer<Float>, kernel: UnsafePointer<Float>, bias: Tensor?,
                               into out: UnsafeMutablePointer<Float>) {
        let depth = geometry.patchSize
        pool.with(count: depth * gridChannels) { panels in
            PanelProduct.pack(k: depth, n: gridChannels, b: kernel, ldb: gridChannels, transposed: false, into: panels)
            ParallelSplit.forEachRange(count: rows, minimumPerCore: 64, alignment: 8) { band in
                PanelProduct.multiply(m: band.count, n: gridChannels, k: depth, a: patches + band.lowerBound * depth, lda: depth,
                                      panels: panels, c: out + band.lowerBound * gridChannels, ldc: gridChannels)
            }
        }
        if let bias { addRows(out, rows: rows, bias: bias) }
    }

    /// `image = bias + Σ over taps of grid · W[tap]ᵀ` (each grid cell spread over its patch), as an
    /// NHWC tensor `[N, imageHeight, imageWidth, imageChannels]`.
    /// `stamp` as in `grid(from:kernel:stamp:bias:)`.
    func image(from grid: PreparedGrid, kernel: Tensor, stamp: ParameterStamp? = nil, bias: Tensor?) -> Tensor {
        let batch = grid.batch, rows = positions(batch)
        let pixels = batch * geometry.imageHeight * geometry.imageWidth
        let shape = [batch, geometry.imageHeight, geometry.imageWidth, imageChannels]
        return kernel.withUnsafeBufferPointer { w in
            withGrid(grid) { source in
                switch algorithm {
                case .patches:
                    return pool.with(count: rows * geometry.patchSize) { columns in
                        BLAS.gemm(transposeB: true, m: rows, n: geometry.patchSize, k: gridChannels, a: source, lda: gridChannels,
                                  b: w.baseAddress!, ldb: gridChannels, beta: 0, c: columns, ldc: geometry.patchSize)
                        return Tensor(shape: shape) { out in
                            geometry.col2im(columns, batch: batch, into: out.baseAddress!)
                            if let bias { addRows(out.baseAddress!, rows: pixels, bias: bias) }
                        }
                    }
                case .singleChannel:
                    return Tensor(shape: shape) { out in
                        withOptionalPointer(bias) { b in
                            singleChannel.image(from: source, batch: batch, kernel: w.baseAddress!, bias: b, into: out.baseAddress!)
                        }
                    }
                case .taps:
                    let plan = plan(batch: batch)
                    return pool.with(count: plan.imageRows * imageChannels) { packed in
                        fill(packed, rows: plan.imageRows, with: bias, channels: imageChannels)
                        forEachRunInBands(of: .image, plan: plan, bands: bandCount(plan)) { _, tap, run in
                            BLAS.gemm(transposeB: true, m: run.rows, n: imageChannels, k: gridChannels,
                                      a: source + run.grid * gridChannels, lda: gridChannels,
                                      b: w.baseAddress! + tap * kernelTap, ldb: gridChannels,
                                      beta: 1, c: packed + run.image * imageChannels, ldc: imageChannels, splitOverPool: false)
                        }
                        return Tensor(shape: shape) { out in plan.unpack(.image, packed, channels: imageChannels, into: out.baseAddress!) }
                    }
                case .winograd:
                    return winograd.image(from: source, batch: batch, kernel: kernel, stamp: stamp, bias: bias, pool: pool)
                }
            }
        }
    }

    /// Adds `Σ over taps and rows of imageᵀ · grid` to the kernel's gradient.
    func accumulateKernelGradient(image: PreparedImage, grid: PreparedGrid, into kernel: Parameter) {
        let batch = image.batch
        image.withValues { source in
            withGrid(grid) { gridValues in
                kernel.accumulateGradient { dw, overwrite in
                    switch algorithm {
                    case .patches:
                        BLAS.gemm(transposeA: true, m: geometry.patchSize, n: gridChannels, k: positions(batch),
                                  a: source, lda: geometry.patchSize, b: gridValues, ldb: gridChannels,
                                  beta: overwrite ? 0 : 1, c: dw, ldc: gridChannels)
                    case .singleChannel:
                        singleChannel.accumulateKernelGradient(image: source, grid: gridValues, batch: batch, into: dw,
                                                               overwrite: overwrite)
                    case .taps:
                        // Each band sums its rows' share into a kernel-sized buffer of its own
                        // (band 0 into the gradient itself); the shares are added at the end.
                        let plan = plan(batch: batch), bands = bandCount(plan)
                        let kernelCount = geometry.kernelHeight * geometry.kernelWidth * kernelTap
                        if overwrite { dw.update(repeating: 0, count: kernelCount) }
                        pool.with(count: max(1, (bands - 1) * kernelCount)) { shares in
                            ParallelSplit.forEachRange(count: (bands - 1) * kernelCount) { r in
                                (shares + r.lowerBound).update(repeating: 0, count: r.count)
                            }
                            forEachRunInBands(of: .grid, plan: plan, bands: bands) { band, tap, run in
                                let target = band == 0 ? dw : shares + (band - 1) * kernelCount
                                BLAS.gemm(transposeA: true, m: imageChannels, n: gridChannels, k: run.rows,
                                          a: source + run.image * imageChannels, lda: imageChannels,
                                          b: gridValues + run.grid * gridChannels, ldb: gridChannels,
                                          beta: 1, c: target + tap * kernelTap, ldc: gridChannels, splitOverPool: false)
                            }
                            ParallelSplit.forEachRange(count: kernelCount) { r in
                                for band in 1..<bands {
                                    VectorMath.add(shares + (band - 1) * kernelCount + r.lowerBound, into: dw + r.lowerBound,
                                                   count: r.count)
                                }
                            }
                        }
                    case .winograd:
                        winograd.accumulateKernelGradient(image: source, grid: gridValues, batch: batch, into: dw,
                                                          overwrite: overwrite, pool: pool)
                    }
                }
            }
        }
    }

    /// Bands for the per-tap products: two per pool thread, unless the batch is too small to share.
    /// Threads claim bands as they become free, so a thread the system pauses holds up at most
    /// one small band; measured on the DCGAN's layers, two per thread beat one (ConvT 7×7
    /// backward 75–77 vs 78–83 ms in alternating runs).
    private func bandCount(_ plan: TapPlan) -> Int {
        plan.gridRows * imageChannels * gridChannels >= 1 << 20 ? 2 * ParallelSplit.cores : 1
    }

    /// Runs the per-tap products on all threads at once: the packed rows of `side` are cut into
    /// `bands` equal bands, and band `b` calls `product(b, tap, run)` for the part of every run
    /// that falls in it, taps in order. Each row of that side is written by one thread with the
    /// same products in the same order as in one pass, and a pass costs one hand-over instead
    /// of one per product.
    private func forEachRunInBands(
        of side: TapPlan.Side, plan: TapPlan, bands: Int, _ product: (_ band: Int, _ tap: Int, _ run: TapPlan.Run) -> Void
    ) {
        let rows = side == .image ? plan.imageRows : plan.gridRows
        let bandRows = (rows + bands - 1) / bands
        WorkerPool.shared.run(parts: bands) { band in
            let range = min(band * bandRows, rows)..<min((band + 1) * bandRows, rows)
            for (tap, runs) in plan.runs.enumerated() {
                for run in runs {
                    if let part = run.clipped(to: range, on: side) { product(band, tap, part) }
                }
            }
        }
    }

    /// The one-channel products, on the CPU's widest instruction set.
    var singleChannel: SingleChannelConvolution { SingleChannelConvolution(geometry: geometry, gridChannels: gridChannels) }

    /// Runs `body` on the tensor's floats, or on nil.
    private func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let tensor else { return body(nil) }
        return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Writes `bias` (or zeros) into every row of `rows × channels` floats.
    private func fill(_ target: UnsafeMutablePointer<Float>, rows: Int, with bias: Tensor?, channels: Int) {
        ParallelSplit.forEachRowRange(rows: rows, width: channels) { range in
            let first = target + range.lowerBound * channels
            guard let bias else {
                first.update(repeating: 0, count: range.count * channels)
                return
            }
            bias.withUnsafeBufferPointer { b in
                for r in 0..<range.count { (first + r * channels).update(from: b.baseAddress!, count: channels) }
            }
        }
    }

    private func addRows(_ target: UnsafeMutablePointer<Float>, rows: Int, bias: Tensor) {
        bias.withUnsafeBufferPointer { b in
            ParallelSplit.forEachRowRange(rows: rows, width: b.count) { range in
                for r in range { VectorMath.add(b.baseAddress!, into: target + r * b.count, count: b.count) }
            }
        }
    }
}
