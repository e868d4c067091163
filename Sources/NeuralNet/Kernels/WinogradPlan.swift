/// How a convolution (`ConvolutionGeometry`) runs as Winograd tiles: which transform each axis
/// uses, which image pixels each tile reads and which kernel taps each sub-kernel holds.
///
/// A stride-s axis is split into its s phases first: image pixels s·a + p (p < s) form phase p,
/// and the kernel taps that land on phase p form a stride-1 sub-kernel of ⌈k / s⌉ taps (padded
/// with zero taps where the kernel does not divide evenly). Every grid cell is then the sum over
/// phases of stride-1 correlations, so a 5×5 stride-2 kernel becomes four 3×3 ones and a 4×4
/// stride-2 kernel four 2×2 ones, and all phases go into one product: their transformed images
/// sit side by side, `phases × imageChannels` deep.
///
/// The grid (or one region of it, see `regions`) is cut into tiles of `outputs` cells per axis.
/// Transformed data is stored tile by
/// tile, `[tile][ξ][depth]` (one tile's transform is one contiguous block), and each of the
/// α_y · α_x transform positions ξ is one matrix product `tiles × depth · depth × gridChannels`
/// whose rows are every tile's row ξ.
struct WinogradPlan: Equatable {
    /// One axis of the plan.
    struct Axis: Equatable {
        let transform: WinogradTransform
        let stride: Int
        /// The first grid cell of the region this axis covers, and its number of cells.
        let gridStart: Int, cells: Int
        /// Tiles along the region: ⌈cells / outputs⌉.
        let tiles: Int
        /// `imageIndex[(phase · tiles + tile) · inputs + u]`: the image coordinate that input u
        /// of that tile reads in that phase, or −1 outside the image.
        let imageIndex: [Int]
        /// `kernelIndex[phase · taps + t]`: the kernel coordinate of sub-kernel tap t, or −1
        /// for a padding tap.
        let kernelIndex: [Int]
        /// Inputs per tile of the transform whose filter rows this one shares (its own unless
        /// built with `filterOutputs`, see `WinogradTransform.init(outputs:taps:sharingFilterOf:)`).
        let filterInputs: Int

        var inputs: Int { transform.inputs }
        var outputs: Int { transform.outputs }
        var taps: Int { transform.taps }

        /// The axis of a convolution whose grid cell i reads image pixel i · stride + tap − pad.
        init(grid: Int, image: Int, kernel: Int, stride: Int, pad: Int, outputs: Int) {
            self.init(grid: 0..<grid, image: image, kernel: kernel, stride: stride, pad: pad, outputs: outputs)
        }

        /// The axis over grid cells `grid` only, its filter rows those of tiles of `filterOutputs`
        /// cells (at least `outputs`) when given.
        init(grid: Range<Int>, image: Int, kernel: Int, stride: Int, pad: Int, outputs: Int, filterOutputs: Int? = nil) {
            let taps = (kernel + stride - 1) / stride
            filterInputs = (filterOutputs ?? outputs) + taps - 1
            transform = WinogradTransform(outputs: outputs, taps: taps, sharingFilterOf: filterInputs)
            self.stride = stride
            (gridStart, cells) = (grid.lowerBound, grid.count)
            tiles = (cells + outputs - 1) / outputs
            var imageIndex: [Int] = [], kernelIndex: [Int] = []
            let alpha = outputs + taps - 1
            for phase in 0..<stride {
                // The first tap landing on this phase, and the phase row it reads for cell 0.
                let firstTap = (phase + pad) % stride
                let firstRow = (firstTap - pad - phase) / stride
                for t in 0..<taps {
                    let tap = firstTap + stride * t
                    kernelIndex.append(tap < kernel ? tap : -1)
                }
                for tile in 0..<tiles {
                    for u in 0..<alpha {
                        let pixel = stride * (gridStart + tile * outputs + firstRow + u) + phase
                        imageIndex.append(pixel >= 0 && pixel < image ? pixel : -1)
                    }
                }
            }
            self.imageIndex = imageIndex
            self.kernelIndex = kernelIndex
        }

        /// The position, among the `filterInputs` of the shared filter transform, of this axis's
        /// position u: the same point, infinity last.
        func filterPosition(_ u: Int) -> Int { u == inputs - 1 ? filterInputs - 1 : u }
    }

    let geometry: ConvolutionGeometry
    let gridChannels: Int
    let y: Axis, x: Axis

    var imageChannels: Int { geometry.channels }
    var phases: Int { y.stride * x.stride }
    /// Columns of a transformed image: every phase's channels.
    var depth: Int { phases * imageChannels }
    /// Transform positions ξ per tile.
    var positions: Int { y.inputs * x.inputs }
    var tilesPerItem: Int { y.tiles * x.tiles }

    /// Tiles of `outputs × outputs` grid cells over the whole grid.
    init(geometry g: ConvolutionGeometry, gridChannels: Int, outputs: Int) {
        self.init(geometry: g, gridChannels: gridChannels, rows: 0..<g.gridHeight, outputsY: outputs,
                  columns: 0..<g.gridWidth, outputsX: outputs)
    }

    /// Tiles of `outputsY × outputsX` cells over grid rows `rows` and columns `columns`, whose
    /// filter transform is that of `filterOutputs × filterOutputs` tiles (see `Axis`) when given.
    init(geometry g: ConvolutionGeometry, gridChannels: Int, rows: Range<Int>, outputsY: Int, columns: Range<Int>, outputsX: Int,
         filterOutputs: Int? = nil) {
        geometry = g
        self.gridChannels = gridChannels
        y = Axis(grid: rows, image: g.imageHeight, kernel: g.kernelHeight, stride: g.strideY, pad: g.padTop, outputs: outputsY,
                 filterOutputs: filterOutputs)
        x = Axis(grid: columns, image: g.imageWidth, kernel: g.kernelWidth, stride: g.strideX, pad: g.padLeft, outputs: outputsX,
                 filterOutputs: filterOutputs)
    }

    /// `filterPositions[ξ]`: the position of the shared filter transform (of `filterInputs`
    /// per axis) that position ξ of this plan's tiles multiplies with.
    var filterPositions: [Int] {
        (0..<y.inputs).flatMap { u in (0..<x.inputs).map { w in y.filterPosition(u) * x.filterInputs + x.filterPosition(w) } }
    }

    /// Tiles of `outputs` cells per axis where they fit whole, and one row (column) of smaller
    /// tiles for the cells left at the far edge, each its own region of the grid with its own
    /// transform: up to four plans, the first of whole tiles. A 7×7 grid in tiles of 4 is a 4×4,
    /// a 4×3, a 3×4 and a 3×3 tile per item instead of four 4×4 ones of which 15 of 64 cells lie
    /// outside the grid: for 5×5 kernels 225 instead of 256 products per item and channel pair,
    /// for 3×3 ones 121 instead of 144. Every region shares the first one's filter transform, so
    /// one transformed kernel serves them all (`filterPositions`).
    static func regions(geometry g: ConvolutionGeometry, gridChannels: Int, outputs: Int) -> [WinogradPlan] {
        func split(_ cells: Int) -> [(Range<Int>, Int)] {
            let whole = cells / outputs * outputs
            if whole == 0 || whole == cells { return [(0..<cells, outputs)] }
            return [(0..<whole, outputs), (whole..<cells, cells - whole)]
        }
        return split(g.gridHeight).flatMap { rows, outputsY in
            split(g.gridWidth).map { columns, outputsX in
                WinogradPlan(geometry: g, gridChannels: gridChannels, rows: rows, outputsY: outputsY, columns: columns, outputsX: outputsX,
                             filterOutputs: outputs)
            }
        }
    }

    /// Largest α per axis that is used: rounding error grows fast beyond it (`WinogradTests`:
    /// up to α = 8 every layer stays within 2e-5 of the direct products' largest value; at α = 9
    /// the 004 models' 16 ↔ 8 layers were 1.2e-4 and 1.6e-4 away, and other eighth finite
    /// points than 3 did no better: `tilesOneInputLargerBreakTheBound`).
    static let largestInputs = 8

    /// Whether Winograd tiles can run this convolution: channel counts in whole vectors, and
    /// sub-kernels of at least two taps per axis (a kernel larger than its stride, so it also
    /// reaches every phase).
    static func applies(to g: ConvolutionGeometry, gridChannels: Int) -> Bool {
        g.channels % FloatVector.scalarCount == 0 && gridChannels % FloatVector.scalarCount == 0
            && g.kernelHeight > g.strideY && g.kernelWidth > g.strideX
    }

    /// The regions (`regions`) of the tile size with the least estimated work, or nil if Winograd
    /// does not apply. One tile per item is allowed: the 004 models' 8 ↔ 4 layers take one 4×4
    /// tile per item rather than four 2×2 ones (25 products per item and channel pair instead of
    /// 36), which made the 64×64 step 0.964 of the time on Zen 4 (5 alternating rounds, faster in
    /// 5) and 0.983–1.002 on Zen 5 (three earlier sessions): the kernel's transform, 6.25 times
    /// the kernel, is computed once per weight value (`KernelOperandCache`) and read by the
    /// products of a whole batch, so what it costs beside the products is small.
    static func cheapest(geometry g: ConvolutionGeometry, gridChannels: Int) -> [WinogradPlan]? {
        guard applies(to: g, gridChannels: gridChannels) else { return nil }
        let taps = max((g.kernelHeight + g.strideY - 1) / g.strideY, (g.kernelWidth + g.strideX - 1) / g.strideX)
        let sizes = 2...max(2, min(largestInputs + 1 - taps, max(g.gridHeight, g.gridWidth)))
        return sizes.map { regions(geometry: g, gridChannels: gridChannels, outputs: $0) }
            .min { $0.estimatedWork < $1.estimatedWork }
    }

    /// Multiply-adds of one item's forward product plus its transforms, with a transform's
    /// multiply-add weighted by `transformWeight`.
    var estimatedWork: Double {
        let product = Double(positions * tilesPerItem * depth * gridChannels)
        let perTile = Double(positions * (y.inputs + x.inputs))
        let transforms = Double(tilesPerItem) * perTile * Double(depth + gridChannels)
        return product + Self.transformWeight * transforms
    }

    /// How much more a transform's multiply-add costs than a product's: the transforms stream
    /// their tiles through memory where BLAS's register-blocked kernels reuse each value.
    /// Measured: with 2, the estimate picks what ran faster on the chapter's and the 004
    /// models' layers (see `ConvolutionEngine.fastestAlgorithm`).
    static let transformWeight = 2.0
}

extension [WinogradPlan] {
    /// The regions' estimated work together.
    var estimatedWork: Double { reduce(0) { $0 + $1.estimatedWork } }
}
