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
/// The grid is cut into tiles of `outputs × outputs` cells. Transformed data is stored tile by
/// tile, `[tile][ξ][depth]` (one tile's transform is one contiguous block), and each of the
/// α_y · α_x transform positions ξ is one matrix product `tiles × depth · depth × gridChannels`
/// whose rows are every tile's row ξ.
struct WinogradPlan: Equatable {
    /// One axis of the plan.
    struct Axis: Equatable {
        let transform: WinogradTransform
        let stride: Int
        /// Tiles along the grid side: ⌈grid / outputs⌉.
        let tiles: Int
        /// `imageIndex[(phase · tiles + tile) · inputs + u]`: the image coordinate that input u
        /// of that tile reads in that phase, or −1 outside the image.
        let imageIndex: [Int]
        /// `kernelIndex[phase · taps + t]`: the kernel coordinate of sub-kernel tap t, or −1
        /// for a padding tap.
        let kernelIndex: [Int]

        var inputs: Int { transform.inputs }
        var outputs: Int { transform.outputs }
        var taps: Int { transform.taps }

        /// The axis of a convolution whose grid cell i reads image pixel i · stride + tap − pad.
        init(grid: Int, image: Int, kernel: Int, stride: Int, pad: Int, outputs: Int) {
            let taps = (kernel + stride - 1) / stride
            transform = WinogradTransform(outputs: outputs, taps: taps)
            self.stride = stride
            tiles = (grid + outputs - 1) / outputs
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
                        let pixel = stride * (tile * outputs + firstRow + u) + phase
                        imageIndex.append(pixel >= 0 && pixel < image ? pixel : -1)
                    }
                }
            }
            self.imageIndex = imageIndex
            self.kernelIndex = kernelIndex
        }
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

    /// Tiles of `outputs × outputs` grid cells.
    init(geometry g: ConvolutionGeometry, gridChannels: Int, outputs: Int) {
        geometry = g
        self.gridChannels = gridChannels
        y = Axis(grid: g.gridHeight, image: g.imageHeight, kernel: g.kernelHeight, stride: g.strideY, pad: g.padTop, outputs: outputs)
        x = Axis(grid: g.gridWidth, image: g.imageWidth, kernel: g.kernelWidth, stride: g.strideX, pad: g.padLeft, outputs: outputs)
    }

    /// Largest α per axis that is used: rounding error grows fast beyond it (`WinogradTests`:
    /// up to α = 8 every layer stays within 2e-5 of the direct products' largest value).
    static let largestInputs = 8

    /// Whether Winograd tiles can run this convolution: channel counts in whole vectors, and
    /// sub-kernels of at least two taps per axis (a kernel larger than its stride, so it also
    /// reaches every phase).
    static func applies(to g: ConvolutionGeometry, gridChannels: Int) -> Bool {
        g.channels % FloatVector.scalarCount == 0 && gridChannels % FloatVector.scalarCount == 0
            && g.kernelHeight > g.strideY && g.kernelWidth > g.strideX
    }

    /// The tile size with the least estimated work among those that cut an item's grid into at
    /// least two tiles, or nil if Winograd does not apply (or no size gives two tiles). With one
    /// tile per item the kernel's transform, rewritten on every call and larger than the kernel,
    /// takes what the tiles save (see `ConvolutionEngine.fastestAlgorithm`).
    static func cheapest(geometry g: ConvolutionGeometry, gridChannels: Int) -> WinogradPlan? {
        guard applies(to: g, gridChannels: gridChannels) else { return nil }
        let taps = max((g.kernelHeight + g.strideY - 1) / g.strideY, (g.kernelWidth + g.strideX - 1) / g.strideX)
        let sizes = 2...max(2, largestInputs + 1 - taps)
        return sizes.map { WinogradPlan(geometry: g, gridChannels: gridChannels, outputs: $0) }
            .filter { $0.tilesPerItem >= 2 }
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
