/// The three products of a convolution (`ConvolutionEngine`'s grid from image, image from grid,
/// kernel gradient) in the Winograd domain of a `WinogradPlan`:
///
///     V = Bᵀ d B  per image tile and phase          (transformImage)
///     Ĝ = A y Aᵀ  per grid tile                     (transformGrid: the adjoint of the output transform)
///     U = G w Gᵀ  per sub-kernel                    (kernel transform, `withKernelOperand`)
///     grid  = Aᵀ (V · U) A                          one product per position ξ, then the output transform
///     image = Σ tiles B (Ĝ · Uᵀ) Bᵀ                 the adjoint: overlapping tiles add up
///     ∂w    = Gᵀ (Vᵀ · Ĝ) G                         the kernel gradient, summed over tiles in the product
///
/// The last two are the exact adjoints of the first, so the gradients are those of the
/// convolution itself, not of an approximation; only rounding differs from the direct products.
/// Every product is a single-threaded call for one transform position: `PanelProduct` with
/// each position's transformed kernel packed into panels where the channels come in whole
/// panels (the transformed data read in place; kernel gradients whose output fits a core's
/// cache too), else BLAS. The transformed kernel is made per call, or kept between calls that
/// ask for it twice in a row with the same weights (`KernelOperandCache`), and in a grid cut
/// into regions it comes from the first region's plan (`WinogradRegions`), whose positions the
/// others read through `filterPositions`. The forward and
/// adjoint products run block by block (tiles, or whole batch items where tiles overlap on the
/// image), each block's output transform right after its products, blocks spread evenly over
/// the `WorkerPool` (`blockCount`), or, where the kernel operand outweighs the products
/// (`WinogradRegions.order`), position by position over the whole batch and then every
/// transform (`writeGridByPosition`, `multiplyImageByPosition` and `addTiles`); the kernel
/// gradient spreads positions over the pool, leftover positions in column bands
/// (`positionParts`). The whole batch's transformed images and grids, and the kernel operand,
/// are written past the caches (`TileTransform.apply`'s `streaming`).
final class WinogradConvolution {
    let plan: WinogradPlan
    private let imageTransform, gridTransform, outputTransform, imageAdjoint, kernelAdjoint: TileTransform
    /// The kernel's transform (`WinogradConvolution+KernelOperand.swift`).
    let kernelTransform: TileTransform
    /// The kernel operand kept between calls.
    let operands = KernelOperandCache()
    /// `plan.filterPositions`: where each position's kernel operand lies in the one the products get.
    private let filterPositions: [Int]

    init(plan: WinogradPlan) {
        self.plan = plan
        filterPositions = plan.filterPositions
        let (y, x) = (plan.y.transform, plan.x.transform)
        let (ay, ax, my, mx) = (y.inputs, x.inputs, y.outputs, x.outputs)
        func transposed(_ matrix: [Float], _ rows: Int, _ columns: Int) -> [Float] {
            TileTransform.transposed(matrix, rows: rows, columns: columns)
        }
        imageTransform = TileTransform(left: y.inputTransform, outputRows: ay, inputRows: ay,
                                       right: x.inputTransform, outputColumns: ax, inputColumns: ax)
        imageAdjoint = TileTransform(left: transposed(y.inputTransform, ay, ay), outputRows: ay, inputRows: ay,
                                     right: transposed(x.inputTransform, ax, ax), outputColumns: ax, inputColumns: ax)
        outputTransform = TileTransform(left: y.outputTransform, outputRows: my, inputRows: ay,
                                        right: x.outputTransform, outputColumns: mx, inputColumns: ax)
        gridTransform = TileTransform(left: transposed(y.outputTransform, my, ay), outputRows: ay, inputRows: my,
                                      right: transposed(x.outputTransform, mx, ax), outputColumns: ax, inputColumns: mx)
        kernelTransform = TileTransform(left: y.filterTransform, outputRows: ay, inputRows: y.taps,
                                        right: x.filterTransform, outputColumns: ax, inputColumns: x.taps)
        kernelAdjoint = TileTransform(left: transposed(y.filterTransform, ay, y.taps), outputRows: y.taps, inputRows: ay,
                                      right: transposed(x.filterTransform, ax, x.taps), outputColumns: x.taps, inputColumns: ax)
    }

    private var geometry: ConvolutionGeometry { plan.geometry }
    var imageChannels: Int { plan.imageChannels }
    var gridChannels: Int { plan.gridChannels }
    private var tilesPerItem: Int { plan.tilesPerItem }

    /// Whether the transforms run code compiled for their matrices (`TileTransform`): the image,
    /// grid and output transforms, the image and kernel adjoints, and with `includingKernel` the
    /// kernel's transform.
    func transformsAreCompiled(includingKernel: Bool) -> Bool {
        [imageTransform, imageAdjoint, outputTransform, gridTransform, kernelAdjoint].allSatisfy(\.runsCompiledLines)
            && (!includingKernel || kernelTransform.runsCompiledLines)
    }

    func tiles(batch: Int) -> Int { batch * tilesPerItem }
    /// Floats of a transformed image batch.
    func transformedImageCount(batch: Int) -> Int { plan.positions * tiles(batch: batch) * plan.depth }
    /// Floats of a transformed grid batch.
    func transformedGridCount(batch: Int) -> Int { plan.positions * tiles(batch: batch) * gridChannels }

    /// The index of the grid cell at `row`, `column` of this plan's region in batch item `item`.
    @inline(__always)
    private func gridOffset(item: Int, row: Int, column: Int) -> Int {
        (item * geometry.gridHeight + plan.y.gridStart + row) * geometry.gridWidth + plan.x.gridStart + column
    }

    /// Batch item, tile row and tile column of tile `t`.
    private func tilePosition(_ t: Int) -> (item: Int, row: Int, column: Int) {
        (t / tilesPerItem, (t % tilesPerItem) / plan.x.tiles, t % plan.x.tiles)
    }

    /// Runs `body` on ranges of `count` work items over the pool, each part with `floats` floats
    /// of block space of its own.
    func forEachRange(count: Int, floats: Int, _ body: (Range<Int>, _ block: UnsafeMutablePointer<Float>) -> Void) {
        let parts = min(count, 4 * ParallelSplit.cores)
        guard parts > 0 else { return }
        WorkerPool.shared.run(parts: parts) { part in
            let range = (part * count / parts)..<((part + 1) * count / parts)
            let block = UnsafeMutablePointer<Float>.allocate(capacity: max(floats, 1))
            defer { block.deallocate() }
            body(range, block)
        }
    }

    // MARK: Data transforms

    /// `V[tile][ξ][phase · C + c]` of an NHWC image batch, stored past the caches (see `apply`'s
    /// `streaming`): a whole batch's transform, far larger than the caches, read back much later.
    func transformImage(_ image: UnsafePointer<Float>, batch: Int, into v: UnsafeMutablePointer<Float>) {
        let (ay, ax, channels, depth) = (plan.y.inputs, plan.x.inputs, imageChannels, plan.depth)
        let tiles = tiles(batch: batch)
        imageTransform.withCoefficients { coefficients in
            forEachRange(count: tiles, floats: ay * ax * channels) { range, block in
                for t in range {
                    let (n, ty, tx) = tilePosition(t)
                    forEachPhase { phase, py, px in
                        gatherImageBlock(image, item: n, tile: (ty, tx), phase: (py, px), into: block)
                        imageTransform.apply(block, inputStride: channels, to: v + t * plan.positions * depth + phase * channels,
                                             outputStride: depth, channels: channels, coefficients: coefficients, streaming: true)
                    }
                }
            }
        }
    }

    /// Copies the α_y × α_x pixels one tile reads in one phase, all channels, zeros outside.
    private func gatherImageBlock(
        _ image: UnsafePointer<Float>, item: Int, tile: (y: Int, x: Int), phase: (y: Int, x: Int), into block: UnsafeMutablePointer<Float>
    ) {
        let (ay, ax, channels) = (plan.y.inputs, plan.x.inputs, imageChannels)
        let rowBase = (phase.y * plan.y.tiles + tile.y) * ay, columnBase = (phase.x * plan.x.tiles + tile.x) * ax
        for u in 0..<ay {
            let row = plan.y.imageIndex[rowBase + u]
            for w in 0..<ax {
                let column = plan.x.imageIndex[columnBase + w]
                let target = block + (u * ax + w) * channels
                if row < 0 || column < 0 {
                    target.update(repeating: 0, count: channels)
                } else {
                    target.update(from: image + ((item * geometry.imageHeight + row) * geometry.imageWidth + column) * channels,
                                  count: channels)
                }
            }
        }
    }

    /// `Ĝ[tile][ξ][c] = (A y Aᵀ)` of an NHWC grid batch, cells beyond the region's edge taken as
    /// zero, stored past the caches as `V` is.
    func transformGrid(_ grid: UnsafePointer<Float>, batch: Int, into g: UnsafeMutablePointer<Float>) {
        let (my, mx, channels) = (plan.y.outputs, plan.x.outputs, gridChannels)
        let tiles = tiles(batch: batch)
        gridTransform.withCoefficients { coefficients in
            forEachRange(count: tiles, floats: my * mx * channels) { range, block in
                for t in range {
                    let (n, ty, tx) = tilePosition(t)
                    for i in 0..<my {
                        for j in 0..<mx {
                            let (row, column) = (ty * my + i, tx * mx + j)
                            let target = block + (i * mx + j) * channels
                            if row < plan.y.cells, column < plan.x.cells {
                                target.update(from: grid + gridOffset(item: n, row: row, column: column) * channels, count: channels)
                            } else {
                                target.update(repeating: 0, count: channels)
                            }
                        }
                    }
                    gridTransform.apply(block, inputStride: channels, to: g + t * plan.positions * channels, outputStride: channels,
                                        channels: channels, coefficients: coefficients, streaming: true)
                }
            }
        }
    }

    // MARK: Products

    /// Floats of one block's products (4 MB): the products of a block are transformed right after
    /// they are written, so the whole batch's products are never held at once. The size hardly
    /// mattered on the chapter's DCGAN step (2¹⁹ against 2²¹ floats: medians within 3 %); with 2¹⁷
    /// the 7×7 k5 transposed layer's forward took 82 ms instead of 47–53 (one run each): blocks
    /// of 16 tiles make the products too thin. On Zen 5, 2²² made the DCGAN and 64×64 steps
    /// 1.12 and 1.17 times as long, 2¹⁹ 1.03 and 0.99 (alternating rounds).
    private static let blockFloats = 1 << 20

    /// How many blocks `count` units of `unitFloats` floats each go in: about `blockFloats` each,
    /// their number rounded up to a multiple of the pool's threads so that every thread gets as
    /// much to do, and no block under `minimum` units. With blocks cut by size alone, the 004
    /// models' 8 ↔ 4 layers at batch 128 ran 227 + 227 + 58 tiles on two threads.
    static func blockCount(count: Int, unitFloats: Int, minimum: Int = 1, threads: Int = ParallelSplit.cores) -> Int {
        let bySize = max(1, (count * unitFloats + blockFloats - 1) / blockFloats)
        let even = (bySize + threads - 1) / threads * threads
        return max(1, min(even, count / max(minimum, 1)))
    }

    /// Block `index` of `blocks` over `count` units; block sizes differ by one at most.
    static func blockRange(_ index: Int, of blocks: Int, count: Int) -> Range<Int> {
        (index * count / blocks)..<((index + 1) * count / blocks)
    }

    /// How the forward or adjoint products of a batch go in blocks: `blocks` of `perBlock` units
    /// (tiles, or whole batch items for the adjoint, `WinogradRegions.imageBlocking`), each part
    /// of the pool with `localFloats` of its own.
    struct Blocking {
        let blocks: Int, perBlock: Int, localFloats: Int
        /// Parts the pool runs: each takes blocks in turn.
        var parts: Int { min(blocks, 2 * ParallelSplit.cores) }
        /// Floats of scratch all parts together take from the pool.
        var scratch: Int { parts * localFloats }
    }

    /// `writeGrid`'s blocks for a batch of `batch` items.
    func gridBlocking(batch: Int) -> Blocking {
        let (positions, channels) = (plan.positions, gridChannels)
        let tiles = tiles(batch: batch)
        let blocks = Self.blockCount(count: tiles, unitFloats: positions * channels, minimum: 8)
        let perBlock = (tiles + blocks - 1) / blocks
        return Blocking(blocks: blocks, perBlock: perBlock, localFloats: (perBlock * positions + plan.y.outputs * plan.x.outputs) * channels)
    }

    /// Floats of products `addImage` holds for `items` batch items at a time.
    func imageProductFloats(items: Int) -> Int { items * tilesPerItem * plan.positions * plan.depth }

    /// Floats of scratch `addImage` takes for `items` batch items at a time: their products and
    /// one tile's adjoint transform.
    func imageLocalFloats(items: Int) -> Int { imageProductFloats(items: items) + tileAdjointFloats }

    /// Floats of `accumulateKernelGradient`'s products.
    var gradientScratch: Int { plan.positions * plan.depth * gridChannels }

    /// Runs `body(units, local)` on the blocks of `blocking` over `count` units, spread over the
    /// pool; each part reuses `localFloats` floats of its own for all its blocks, from one pooled
    /// buffer of at least `scratch` floats (the regions of a layer ask for the same size, so that
    /// the pool keeps one buffer for them all).
    static func forEachBlock(
        count: Int, blocking: Blocking, scratch: Int, pool: BufferPool, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let (parts, blocks, localFloats) = (blocking.parts, blocking.blocks, blocking.localFloats)
        pool.with(count: max(scratch, blocking.scratch)) { local in
            WorkerPool.shared.run(parts: parts) { part in
                for block in stride(from: part, to: blocks, by: parts) {
                    body(Self.blockRange(block, of: blocks, count: count), local + part * localFloats)
                }
            }
        }
    }

    /// Writes `grid = bias + Aᵀ (V · U) A` into the cells of this plan's region of an NHWC grid
    /// batch, `u` the kernel operand (`withKernelOperand`, not transposed) of the plan whose
    /// filter transform this one shares. Tiles go in blocks: the products of a block's positions,
    /// then its output transforms, while the products are still in cache. Its pooled scratch is
    /// at least `scratch` floats (see `forEachBlock`).
    func writeGrid(from v: UnsafePointer<Float>, batch: Int, operand u: UnsafePointer<Float>, bias: Tensor?,
                   into grid: UnsafeMutablePointer<Float>, scratch: Int = 0, pool: BufferPool) {
        let (channels, depth, positions) = (gridChannels, plan.depth, plan.positions)
        let tiles = tiles(batch: batch)
        let blocking = gridBlocking(batch: batch), perBlock = blocking.perBlock
        withBias(bias, channels: channels) { bias in
            outputTransform.withCoefficients { coefficients in
                Self.forEachBlock(count: tiles, blocking: blocking, scratch: scratch, pool: pool) { range, local in
                    for xi in 0..<positions {
                        multiplyPosition(xi, tiles: range.count, v + range.lowerBound * positions * depth, k: depth, operand: u,
                                         n: channels, columns: 0..<channels, transposedOperand: false, into: local)
                    }
                    writeCells(range, products: local, bias: bias, coefficients: coefficients,
                               block: local + perBlock * positions * channels, into: grid)
                }
            }
        }
    }

    /// `writeGrid` position by position: first every tile's products, one position (or a band of
    /// its columns) per part of the pool, into `products` (`gridProductFloats(batch:)` floats),
    /// then the output transforms, tiles spread over the pool. Each position's kernel operand is
    /// read once for the whole batch instead of once per block of tiles (see `WinogradRegions`).
    func writeGridByPosition(from v: UnsafePointer<Float>, batch: Int, operand u: UnsafePointer<Float>, bias: Tensor?,
                             into grid: UnsafeMutablePointer<Float>, products: UnsafeMutablePointer<Float>) {
        let (channels, positions) = (gridChannels, plan.positions)
        multiplyByPosition(v, k: plan.depth, operand: u, n: channels, transposedOperand: false, tiles: tiles(batch: batch),
                           into: products)
        withBias(bias, channels: channels) { bias in
            outputTransform.withCoefficients { coefficients in
                forEachRange(count: tiles(batch: batch), floats: plan.y.outputs * plan.x.outputs * channels) { range, block in
                    writeCells(range, products: products + range.lowerBound * positions * channels, bias: bias,
                               coefficients: coefficients, block: block, into: grid)
                }
            }
        }
    }

    /// Floats of every tile's forward products (`writeGridByPosition`).
    func gridProductFloats(batch: Int) -> Int { tiles(batch: batch) * plan.positions * gridChannels }

    /// `c[t][ξ][column] = Σ_κ a[t][ξ][κ] · operand_ξ[κ][column]` for every tile t and position ξ,
    /// `a` `[tile][ξ][k]` and `c` `[tile][ξ][n]`: one position, or a band of its columns, per part
    /// of the pool (`positionParts`).
    private func multiplyByPosition(_ a: UnsafePointer<Float>, k: Int, operand u: UnsafePointer<Float>, n: Int, transposedOperand: Bool,
                                    tiles: Int, into c: UnsafeMutablePointer<Float>) {
        let parts = Self.positionParts(positions: plan.positions, columns: n)
        WorkerPool.shared.run(parts: parts.count) { part in
            let (xi, columns) = parts[part]
            multiplyPosition(xi, tiles: tiles, a, k: k, operand: u, n: n, columns: columns, transposedOperand: transposedOperand, into: c)
        }
    }

    /// Position ξ's product for `tiles` tiles, `columns` of its `n`: `c[t][ξ][column] =
    /// Σ_κ a[t][ξ][κ] · operand_ξ[κ][column]`, `a` `[tile][ξ][k]` and `c` `[tile][ξ][n]` from the
    /// first of those tiles on. The operand is each position's `U_ξ` (`k × n`) packed as
    /// `withKernelOperand` packs it (`PanelProduct`), or for BLAS its rows: `U_ξ`, or with
    /// `transposedOperand` the `n × k` rows of the matrix whose transpose it is.
    private func multiplyPosition(_ xi: Int, tiles: Int, _ a: UnsafePointer<Float>, k: Int, operand u: UnsafePointer<Float>, n: Int,
                                  columns: Range<Int>, transposedOperand: Bool, into c: UnsafeMutablePointer<Float>) {
        let positions = plan.positions
        let (a, operand, c) = (a + xi * k, u + filterPositions[xi] * k * n, c + xi * n + columns.lowerBound)
        if PanelProduct.fits(columns: n) {
            PanelProduct.multiply(m: tiles, n: columns.count, k: k, a: a, lda: positions * k, panels: operand + columns.lowerBound * k,
                                  c: c, ldc: positions * n)
        } else if transposedOperand {
            BLAS.gemm(transposeB: true, m: tiles, n: columns.count, k: k, a: a, lda: positions * k, b: operand + columns.lowerBound * k,
                      ldb: k, beta: 0, c: c, ldc: positions * n, splitOverPool: false)
        } else {
            BLAS.gemm(m: tiles, n: columns.count, k: k, a: a, lda: positions * k, b: operand + columns.lowerBound, ldb: n,
                      beta: 0, c: c, ldc: positions * n, splitOverPool: false)
        }
    }

    /// The output transforms of tiles `range`, their products from `products` on (`[tile][ξ][c]`),
    /// plus the bias, into their grid cells; `block` holds one tile's cells.
    private func writeCells(_ range: Range<Int>, products: UnsafePointer<Float>, bias: UnsafePointer<Float>, coefficients: Coefficients,
                            block: UnsafeMutablePointer<Float>, into grid: UnsafeMutablePointer<Float>) {
        let (my, mx, channels, positions) = (plan.y.outputs, plan.x.outputs, gridChannels, plan.positions)
        for t in range {
            let (n, ty, tx) = tilePosition(t)
            outputTransform.apply(products + (t - range.lowerBound) * positions * channels, inputStride: channels,
                                  to: block, outputStride: channels, channels: channels, coefficients: coefficients)
            for i in 0..<min(my, plan.y.cells - ty * my) {
                for j in 0..<min(mx, plan.x.cells - tx * mx) {
                    let cell = grid + gridOffset(item: n, row: ty * my + i, column: tx * mx + j) * channels
                    VectorMath.add(bias, block + (i * mx + j) * channels, into: cell, count: channels)
                }
            }
        }
    }

    /// A transform's coefficient matrices, as `TileTransform.withCoefficients` hands them out.
    typealias Coefficients = (left: UnsafePointer<Float>, right: UnsafePointer<Float>)

    /// Runs `body` with the image adjoint's coefficients (`TileTransform.withCoefficients`).
    func withImageAdjointCoefficients<R>(_ body: (Coefficients) -> R) -> R {
        imageAdjoint.withCoefficients(body)
    }

    /// Adds `Σ over this region's tiles of B (Ĝ · Uᵀ) Bᵀ` to the batch items `items` of an NHWC
    /// image batch, first setting them to `pixel` in every pixel (zeros without one) when
    /// `initialize`; `u` the transposed kernel operand of the plan whose filter transform this one
    /// shares (`withKernelOperand`), `local` `imageLocalFloats(items: items.count)` floats of
    /// scratch, `coefficients` from `withImageAdjointCoefficients`. The products of the items'
    /// positions come first, then each tile's adjoint transform, added where the tile lies (tiles
    /// overlap on the image, so a part of the pool takes whole items).
    func addImage(items: Range<Int>, from g: UnsafePointer<Float>, operand u: UnsafePointer<Float>, pixel: UnsafePointer<Float>?,
                  initialize: Bool, into image: UnsafeMutablePointer<Float>, local: UnsafeMutablePointer<Float>,
                  coefficients: Coefficients) {
        let (depth, positions) = (plan.depth, plan.positions)
        let firstTile = items.lowerBound * tilesPerItem, count = items.count * tilesPerItem
        for xi in 0..<positions {
            multiplyPosition(xi, tiles: count, g + firstTile * positions * gridChannels, k: gridChannels, operand: u, n: depth,
                             columns: 0..<depth, transposedOperand: true, into: local)
        }
        addTiles(items: items, products: local, pixel: pixel, initialize: initialize, into: image,
                 block: local + imageProductFloats(items: items.count), coefficients: coefficients)
    }

    /// The image direction's products position by position (as `writeGridByPosition`'s): every
    /// tile's `Ĝ · Uᵀ`, one position or a band of its columns per part of the pool, into
    /// `products` (`imageProductFloats(items: batch)` floats, `[tile][ξ][depth]`); `addTiles`
    /// then adds them to the image.
    func multiplyImageByPosition(from g: UnsafePointer<Float>, batch: Int, operand u: UnsafePointer<Float>,
                                 into products: UnsafeMutablePointer<Float>) {
        multiplyByPosition(g, k: gridChannels, operand: u, n: plan.depth, transposedOperand: true, tiles: tiles(batch: batch),
                           into: products)
    }

    /// Floats of scratch `addTiles` takes: one tile's adjoint transform.
    var tileAdjointFloats: Int { plan.y.inputs * plan.x.inputs * imageChannels }

    /// Adds the adjoint transforms of the products of the tiles of batch items `items` (from
    /// `products` on, `[tile][ξ][depth]`) where the tiles lie on the image, first setting the items
    /// to `pixel` (zeros without one) when `initialize`; `block` holds `tileAdjointFloats`.
    func addTiles(items: Range<Int>, products: UnsafePointer<Float>, pixel: UnsafePointer<Float>?, initialize: Bool,
                  into image: UnsafeMutablePointer<Float>, block: UnsafeMutablePointer<Float>, coefficients: Coefficients) {
        let (ay, ax, channels, depth, positions) = (plan.y.inputs, plan.x.inputs, imageChannels, plan.depth, plan.positions)
        let itemFloats = geometry.imageHeight * geometry.imageWidth * channels
        let firstTile = items.lowerBound * tilesPerItem
        for n in items {
            let item = image + n * itemFloats
            if initialize { Self.fill(item, floats: itemFloats, withPixel: pixel, channels: channels) }
            for t in (n * tilesPerItem)..<((n + 1) * tilesPerItem) {
                let (_, ty, tx) = tilePosition(t)
                forEachPhase { phase, py, px in
                    imageAdjoint.apply(products + (t - firstTile) * positions * depth + phase * channels, inputStride: depth,
                                       to: block, outputStride: channels, channels: channels, coefficients: coefficients)
                    let rowBase = (py * plan.y.tiles + ty) * ay, columnBase = (px * plan.x.tiles + tx) * ax
                    for a in 0..<ay {
                        let row = plan.y.imageIndex[rowBase + a]
                        guard row >= 0 else { continue }
                        for b in 0..<ax {
                            let column = plan.x.imageIndex[columnBase + b]
                            guard column >= 0 else { continue }
                            VectorMath.add(block + (a * ax + b) * channels,
                                           into: item + (row * geometry.imageWidth + column) * channels, count: channels)
                        }
                    }
                }
            }
        }
    }

    /// The kernel gradient's products as parts for the pool: one position each, except that the
    /// positions left over after a whole round of `threads` are cut into `threads` bands of
    /// columns (multiples of 32, a `PanelProduct` panel), so that 9 positions on two threads are
    /// 8 whole and 2 halves rather than 5 against 4. Every element is still one product over all
    /// tiles.
    static func positionParts(positions: Int, columns: Int, threads: Int = ParallelSplit.cores) -> [(position: Int, columns: Range<Int>)] {
        let whole = positions - positions % threads
        var parts = (0..<whole).map { ($0, 0..<columns) }
        let width = PanelProduct.width
        let band = max(width, (columns / threads + width - 1) / width * width)
        for position in whole..<positions {
            for start in stride(from: 0, to: columns, by: band) {
                parts.append((position, start..<min(columns, start + band)))
            }
        }
        return parts
    }

    /// Adds `Gᵀ (Vᵀ · Ĝ) G`, the kernel gradient summed over every tile, to `dw` (or writes it
    /// there, with `overwrite`); its products go in a pooled buffer of at least `scratch` floats.
    func accumulateKernelGradient(image v: UnsafePointer<Float>, grid g: UnsafePointer<Float>, batch: Int,
                                  into dw: UnsafeMutablePointer<Float>, overwrite: Bool, scratch: Int = 0, pool: BufferPool) {
        let (ry, rx, channels, depth, gridChannels) = (plan.y.taps, plan.x.taps, imageChannels, plan.depth, gridChannels)
        let tiles = tiles(batch: batch)
        let parts = Self.positionParts(positions: plan.positions, columns: gridChannels)
        pool.with(count: max(scratch, gradientScratch)) { product in
            WorkerPool.shared.run(parts: parts.count) { part in
                let (xi, columns) = parts[part]
                let panels = PanelProduct.fitsTransposed(rows: depth, columns: columns.count, sum: tiles)
                let (a, b) = (v + xi * depth, g + xi * gridChannels + columns.lowerBound)
                let c = product + xi * depth * gridChannels + columns.lowerBound
                if panels {
                    PanelProduct.multiplyTransposed(m: depth, n: columns.count, k: tiles, a: a, lda: plan.positions * depth, b: b,
                                                    ldb: plan.positions * gridChannels, c: c, ldc: gridChannels)
                } else {
                    BLAS.gemm(transposeA: true, m: depth, n: columns.count, k: tiles, a: a, lda: plan.positions * depth, b: b,
                              ldb: plan.positions * gridChannels, beta: 0, c: c, ldc: gridChannels, splitOverPool: false)
                }
            }
            kernelAdjoint.withCoefficients { coefficients in
                forEachRange(count: channels, floats: ry * rx * gridChannels) { range, block in
                    // Phase by phase, then channel by channel: each position's product is read
                    // front to back, one run of memory per position (25 or 49 at a time).
                    // Channel by channel with the phases inside, four times as many runs took
                    // turns, more than the hardware's prefetchers follow: on Zen 4 the 8 ↔ 4
                    // layers' adjoint (256 channels, 25 products of 2 MB) took 6.4–6.8 ms on one
                    // thread that way and 4.3–5.1 this way. Every tap is written once a call, so
                    // the order changes no bit.
                    forEachPhase { phase, py, px in
                        for c in range {
                            kernelAdjoint.apply(product + (phase * channels + c) * gridChannels, inputStride: depth * gridChannels,
                                                to: block, outputStride: gridChannels, channels: gridChannels,
                                                coefficients: coefficients)
                            for t in 0..<ry {
                                for s in 0..<rx {
                                    guard let tap = kernelTap(py, t, px, s) else { continue }
                                    let source = block + (t * rx + s) * gridChannels, target = dw + (tap * channels + c) * gridChannels
                                    if overwrite {
                                        target.update(from: source, count: gridChannels)
                                    } else {
                                        VectorMath.add(source, into: target, count: gridChannels)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Phases and taps

    /// Calls `body(phase, phaseY, phaseX)` for every phase.
    @inline(__always)
    func forEachPhase(_ body: (_ phase: Int, _ y: Int, _ x: Int) -> Void) {
        for py in 0..<plan.y.stride {
            for px in 0..<plan.x.stride { body(py * plan.x.stride + px, py, px) }
        }
    }

    /// The kernel tap (ky · kw + kx) of sub-kernel tap (t, s) in phase (py, px), or nil for padding.
    @inline(__always)
    func kernelTap(_ py: Int, _ t: Int, _ px: Int, _ s: Int) -> Int? {
        let ky = plan.y.kernelIndex[py * plan.y.taps + t], kx = plan.x.kernelIndex[px * plan.x.taps + s]
        return ky < 0 || kx < 0 ? nil : ky * geometry.kernelWidth + kx
    }

    /// Sets `floats` floats at `target`, pixels of `channels`, to `pixel` (zeros without one): one
    /// memset, or the pixel copied once and then the filled part copied onto the rest, doubling,
    /// instead of a copy call per pixel (1,024 of 64 floats per item of a 32×32×64 image).
    static func fill(_ target: UnsafeMutablePointer<Float>, floats: Int, withPixel pixel: UnsafePointer<Float>?, channels: Int) {
        guard let pixel, floats > 0 else {
            target.update(repeating: 0, count: floats)
            return
        }
        target.update(from: pixel, count: min(channels, floats))
        var filled = min(channels, floats)
        while filled < floats {
            let count = min(filled, floats - filled)
            (target + filled).update(from: target, count: count)
            filled += count
        }
    }

    /// Runs `body` with the bias (or zeros), `channels` floats.
    private func withBias<R>(_ bias: Tensor?, channels: Int, _ body: (UnsafePointer<Float>) -> R) -> R {
        if let bias { return bias.withUnsafeBufferPointer { body($0.baseAddress!) } }
        return [Float](repeating: 0, count: channels).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
