/// A convolution in Winograd tiles over one or more regions of its grid (`WinogradPlan.regions`),
/// each a `WinogradConvolution` with tiles of its own size: their transformed images (grids) lie
/// one after the other in one buffer, every grid cell is written by exactly one region, and the
/// image and kernel gradients are the sums of the regions' parts. The first region transforms
/// the kernel; the others share its filter transform and read their positions of it. Every
/// region asks the pool for the same scratch sizes (the largest of them), so that the layer
/// keeps one buffer of each kind, not one per region.
final class WinogradRegions {
    let parts: [WinogradConvolution]

    init(plans: [WinogradPlan]) {
        precondition(!plans.isEmpty, "no Winograd regions")
        parts = plans.map(WinogradConvolution.init(plan:))
    }

    private var geometry: ConvolutionGeometry { parts[0].plan.geometry }

    /// How the forward (`grid`) and adjoint (`image`) products go through the batch: in blocks
    /// of tiles, each block's products of every position and then its transforms while they are
    /// in cache, or position by position, every tile's products of a position at once and then
    /// all the transforms. The same bits either way.
    enum ProductOrder { case blocks, positions }

    /// The order to use instead of the chosen one (tests run both).
    var forcedOrder: ProductOrder?

    /// The order of one direction's products for a batch: by position where reading each
    /// position's kernel operand once per block of tiles would move more than four times the
    /// floats of the batch's products (which go out to memory and back when they are all made
    /// first): the 004 models' 8 ↔ 4 layers at batch 128, a 52 MB operand read by 2 or 4 blocks
    /// against 6.5 or 13 MB of products. There, on an Intel Xeon (family 6, model 207), the
    /// forward products went from 22.4 to 20.8 ms and the backward pass from 44.4 to 39.3
    /// (`conv2d_3`), the transposed layer's forward from 25.0 to 20.4; the 32 ↔ 16 layers, whose
    /// products are far larger than their operand, took 3 ms more each way by position (one run
    /// each, `lab bench --layers`).
    func order(gridDirection: Bool, batch: Int) -> ProductOrder {
        if let forcedOrder { return forcedOrder }
        let plan = parts[0].plan, operand = plan.positions * plan.depth * plan.gridChannels
        let blocks = gridDirection ? parts[0].gridBlocking(batch: batch).blocks : imageBlocking(batch: batch).blocks
        let products = parts.map { gridDirection ? $0.gridProductFloats(batch: batch) : $0.imageProductFloats(items: batch) }.reduce(0, +)
        return (blocks - 1) * operand > 4 * products ? .positions : .blocks
    }

    /// Where each region's transformed data starts: whole cache lines apart, so that every
    /// region's data is as aligned as the buffer (streamed stores need that).
    private static func offsets(_ counts: [Int]) -> [Int] {
        let line = 64 / MemoryLayout<Float>.stride
        return counts.indices.map { index in counts[..<index].reduce(0) { $0 + ($1 + line - 1) / line * line } }
    }

    private func imageOffsets(batch: Int) -> [Int] { Self.offsets(parts.map { $0.transformedImageCount(batch: batch) }) }
    private func gridOffsets(batch: Int) -> [Int] { Self.offsets(parts.map { $0.transformedGridCount(batch: batch) }) }

    /// Floats of a transformed image batch, every region's.
    func transformedImageCount(batch: Int) -> Int { imageOffsets(batch: batch).last! + parts.last!.transformedImageCount(batch: batch) }
    /// Floats of a transformed grid batch, every region's.
    func transformedGridCount(batch: Int) -> Int { gridOffsets(batch: batch).last! + parts.last!.transformedGridCount(batch: batch) }

    /// Every region's `V` of an NHWC image batch.
    func transformImage(_ image: UnsafePointer<Float>, batch: Int, into v: UnsafeMutablePointer<Float>) {
        for (part, offset) in zip(parts, imageOffsets(batch: batch)) { part.transformImage(image, batch: batch, into: v + offset) }
    }

    /// Every region's `Ĝ` of an NHWC grid batch.
    func transformGrid(_ grid: UnsafePointer<Float>, batch: Int, into g: UnsafeMutablePointer<Float>) {
        for (part, offset) in zip(parts, gridOffsets(batch: batch)) { part.transformGrid(grid, batch: batch, into: g + offset) }
    }

    /// `grid = bias + Aᵀ (V · U) A` over every region, as an NHWC tensor. With a `stamp`, the
    /// kernel operand of an earlier call with that stamp may be reused (`KernelOperandCache`).
    /// The products go in the `order` chosen for the batch.
    func grid(from v: UnsafePointer<Float>, batch: Int, kernel: Tensor, stamp: ParameterStamp?, bias: Tensor?, pool: BufferPool) -> Tensor {
        let gridChannels = parts[0].plan.gridChannels
        let offsets = imageOffsets(batch: batch), byPosition = order(gridDirection: true, batch: batch) == .positions
        return parts[0].withKernelOperand(kernel, stamp: stamp, transposed: false, pool: pool) { u in
            Tensor(shape: [batch, geometry.gridHeight, geometry.gridWidth, gridChannels]) { out in
                guard !byPosition else {
                    pool.with(count: parts.map { $0.gridProductFloats(batch: batch) }.max()!) { products in
                        for (part, offset) in zip(parts, offsets) {
                            part.writeGridByPosition(from: v + offset, batch: batch, operand: u, bias: bias, into: out.baseAddress!,
                                                     products: products)
                        }
                    }
                    return
                }
                let scratch = parts.map { $0.gridBlocking(batch: batch).scratch }.max()!
                for (part, offset) in zip(parts, offsets) {
                    part.writeGrid(from: v + offset, batch: batch, operand: u, bias: bias, into: out.baseAddress!, scratch: scratch,
                                   pool: pool)
                }
            }
        }
    }

    /// `image = bias + Σ over every region's tiles of B (Ĝ · Uᵀ) Bᵀ`, as an NHWC tensor; `stamp`
    /// as in `grid(from:batch:kernel:stamp:bias:pool:)`. In blocks, the batch goes in blocks of
    /// whole items (`imageBlocking`), every region's tiles of a block one region after the
    /// other, so that the block's image is still in cache when the next region adds to it.
    /// Before, each region went through the whole batch in turn: the 004 models' 32 ↔ 16
    /// layers, four regions, read and wrote a 32 MiB image four times over.
    func image(from g: UnsafePointer<Float>, batch: Int, kernel: Tensor, stamp: ParameterStamp?, bias: Tensor?, pool: BufferPool) -> Tensor {
        let offsets = gridOffsets(batch: batch), byPosition = order(gridDirection: false, batch: batch) == .positions
        return parts[0].withKernelOperand(kernel, stamp: stamp, transposed: true, pool: pool) { u in
            Tensor(shape: [batch, geometry.imageHeight, geometry.imageWidth, geometry.channels]) { out in
                withImageAdjointCoefficients { coefficients in
                    Self.withPixel(bias) { pixel in
                        guard !byPosition else {
                            addImageByPosition(from: g, offsets: offsets, batch: batch, operand: u, pixel: pixel, into: out.baseAddress!,
                                               coefficients: coefficients, pool: pool)
                            return
                        }
                        WinogradConvolution.forEachBlock(count: batch, blocking: imageBlocking(batch: batch), scratch: 0, pool: pool) {
                            items, local in
                            for (index, part) in parts.enumerated() {
                                part.addImage(items: items, from: g + offsets[index], operand: u, pixel: pixel, initialize: index == 0,
                                              into: out.baseAddress!, local: local, coefficients: coefficients[index])
                            }
                        }
                    }
                }
            }
        }
    }

    /// `image` position by position: every region's products of the whole batch first
    /// (`multiplyImageByPosition`), then batch items spread over the pool, each item's tiles of
    /// every region added in turn (`addTiles`).
    private func addImageByPosition(
        from g: UnsafePointer<Float>, offsets: [Int], batch: Int, operand u: UnsafePointer<Float>, pixel: UnsafePointer<Float>?,
        into image: UnsafeMutablePointer<Float>, coefficients: [WinogradConvolution.Coefficients], pool: BufferPool
    ) {
        let productCounts = parts.map { $0.imageProductFloats(items: batch) }
        let productOffsets = Self.offsets(productCounts)
        pool.with(count: productOffsets.last! + productCounts.last!) { products in
            for (index, part) in parts.enumerated() {
                part.multiplyImageByPosition(from: g + offsets[index], batch: batch, operand: u, into: products + productOffsets[index])
            }
            let blockFloats = parts.map(\.tileAdjointFloats).max()!, ranges = min(batch, 4 * ParallelSplit.cores)
            pool.with(count: ranges * blockFloats) { blocks in
                WorkerPool.shared.run(parts: ranges) { share in
                    let items = WinogradConvolution.blockRange(share, of: ranges, count: batch)
                    for (index, part) in parts.enumerated() {
                        let first = part.imageProductFloats(items: items.lowerBound)
                        part.addTiles(items: items, products: products + productOffsets[index] + first, pixel: pixel,
                                      initialize: index == 0, into: image, block: blocks + share * blockFloats,
                                      coefficients: coefficients[index])
                    }
                }
            }
        }
    }

    /// The blocks of whole batch items `image(from:…)` goes in: `WinogradConvolution.blockCount`'s,
    /// for the largest region's products of an item; each part of the pool has room for any
    /// region's products of a block.
    private func imageBlocking(batch: Int) -> WinogradConvolution.Blocking {
        let blocks = WinogradConvolution.blockCount(count: batch, unitFloats: parts.map { $0.imageProductFloats(items: 1) }.max()!)
        let perBlock = (batch + blocks - 1) / blocks
        return .init(blocks: blocks, perBlock: perBlock, localFloats: parts.map { $0.imageLocalFloats(items: perBlock) }.max()!)
    }

    /// Runs `body` with every region's image adjoint coefficients, in the regions' order.
    private func withImageAdjointCoefficients<R>(
        from index: Int = 0, gathered: [WinogradConvolution.Coefficients] = [], _ body: ([WinogradConvolution.Coefficients]) -> R
    ) -> R {
        guard index < parts.count else { return body(gathered) }
        return parts[index].withImageAdjointCoefficients { coefficients in
            withImageAdjointCoefficients(from: index + 1, gathered: gathered + [coefficients], body)
        }
    }

    /// Runs `body` with the bias's values, or nil without a bias.
    private static func withPixel<R>(_ bias: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Adds the kernel gradient summed over every region's tiles to `dw` (or writes it there,
    /// with `overwrite`).
    func accumulateKernelGradient(image v: UnsafePointer<Float>, grid g: UnsafePointer<Float>, batch: Int,
                                  into dw: UnsafeMutablePointer<Float>, overwrite: Bool, pool: BufferPool) {
        let regions = zip(imageOffsets(batch: batch), gridOffsets(batch: batch))
        let scratch = parts.map(\.gradientScratch).max()!
        for (index, (part, (imageOffset, gridOffset))) in zip(parts, regions).enumerated() {
            part.accumulateKernelGradient(image: v + imageOffset, grid: g + gridOffset, batch: batch, into: dw,
                                          overwrite: overwrite && index == 0, scratch: scratch, pool: pool)
        }
    }

    /// Whether every transform the regions run is compiled for its matrices (`TileTransform`):
    /// all of each region's but the kernel's, which only the first region makes.
    var transformsAreCompiled: Bool {
        parts.enumerated().allSatisfy { index, part in part.transformsAreCompiled(includingKernel: index == 0) }
    }

    /// Drops every region's kept kernel operand.
    func releaseKeptOperands() { parts.forEach { $0.releaseKeptOperand() } }

    /// The tiles in words, e.g. `F(4×4, 5×5)`, `F(4×4, 3×3) and 3-cell edge tiles, 4 phases`.
    var description: String {
        let (y, x) = (parts[0].plan.y, parts[0].plan.x)
        var text = "F(\(y.outputs)×\(x.outputs), \(y.taps)×\(x.taps))"
        let edges = Set(parts.dropFirst().flatMap { [$0.plan.y, $0.plan.x] }.filter { $0.gridStart > 0 }.map(\.outputs))
        if !edges.isEmpty { text += " and " + edges.sorted().map { "\($0)-cell" }.joined(separator: ", ") + " edge tiles" }
        let phases = parts[0].plan.phases
        return text + (phases > 1 ? ", \(phases) phases" : "")
    }
}
