/// A convolution computed as one matrix product per kernel tap, over images stored spatial-major.
///
/// In NHWC order the pixels one tap (ky, kx) connects are scattered: a handful per image. Stored
/// as `[y][x][n][c]` instead (every image's pixel (y, x) in consecutive rows), the grid cells of
/// one grid row that a tap connects to image pixels form one run of consecutive rows on both
/// sides, so the whole tap is a few large products `grid rows ⇄ image rows · W[ky, kx]`. Taps
/// that fall in the padding are simply left out — for the 7×7 images of the chapter's DCGAN with
/// its 5×5 kernels that is almost a third of the work — and no patch matrix is ever built.
///
/// With a horizontal stride s the image side is stored phase by phase, `[y][x mod s][x / s][n][c]`,
/// which keeps a strided tap's pixels consecutive too. The grid side is plain `[i][j][n][c]`.
struct TapPlan {
    /// One product's rows: `rows` consecutive rows starting at `image` in the packed image and at
    /// `grid` in the packed grid.
    struct Run: Equatable {
        var image: Int
        var grid: Int
        var rows: Int

        /// The part of this run whose rows on `side` fall in `band`, or nil if none do.
        func clipped(to band: Range<Int>, on side: Side) -> Run? {
            let start = side == .image ? image : grid
            let low = max(start, band.lowerBound), high = min(start + rows, band.upperBound)
            guard low < high else { return nil }
            return Run(image: image + low - start, grid: grid + low - start, rows: high - low)
        }
    }

    let geometry: ConvolutionGeometry
    let batch: Int
    /// Packed image columns per phase: ⌈imageWidth / strideX⌉.
    let phaseWidth: Int
    /// The runs of each tap, index `ky · kernelWidth + kx`.
    let runs: [[Run]]

    /// Rows of the packed image (some may be holes when the width is not a multiple of the stride).
    var imageRows: Int { geometry.imageHeight * geometry.strideX * phaseWidth * batch }
    /// Rows of the packed grid.
    var gridRows: Int { geometry.gridHeight * geometry.gridWidth * batch }

    init(geometry g: ConvolutionGeometry, batch: Int) {
        self.geometry = g
        self.batch = batch
        let phaseWidth = (g.imageWidth + g.strideX - 1) / g.strideX
        self.phaseWidth = phaseWidth
        var runs: [[Run]] = []
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                // Image column x = j · strideX + offset = (j + shift) · strideX + phase.
                let offset = kx - g.padLeft
                let phase = ((offset % g.strideX) + g.strideX) % g.strideX
                let shift = (offset - phase) / g.strideX
                let firstJ = max(0, Self.ceilingDivision(-offset, g.strideX))
                let lastJ = min(g.gridWidth - 1, Self.floorDivision(g.imageWidth - 1 - offset, g.strideX))
                var tapRuns: [Run] = []
                if firstJ <= lastJ {
                    for i in 0..<g.gridHeight {
                        let y = i * g.strideY - g.padTop + ky
                        guard y >= 0, y < g.imageHeight else { continue }
                        let run = Run(image: ((y * g.strideX + phase) * phaseWidth + firstJ + shift) * batch,
                                      grid: (i * g.gridWidth + firstJ) * batch,
                                      rows: (lastJ - firstJ + 1) * batch)
                        if let last = tapRuns.last, last.image + last.rows == run.image, last.grid + last.rows == run.grid {
                            tapRuns[tapRuns.count - 1].rows += run.rows
                        } else {
                            tapRuns.append(run)
                        }
                    }
                }
                runs.append(tapRuns)
            }
        }
        self.runs = runs
    }

    /// The packed-image row of pixel (y, x) of the first image.
    func imageRow(y: Int, x: Int) -> Int {
        ((y * geometry.strideX + x % geometry.strideX) * phaseWidth + x / geometry.strideX) * batch
    }

    /// The two sides of the convolution, as packed buffers.
    enum Side { case image, grid }

    /// Copies an NHWC batch of one side, `channels` per pixel, into packed order (holes untouched).
    func pack(_ side: Side, _ nhwc: UnsafePointer<Float>, channels: Int, into packed: UnsafeMutablePointer<Float>) {
        movePixels(side, channels: channels, nhwc: UnsafeMutablePointer(mutating: nhwc), packed: packed, toPacked: true)
    }

    /// Copies a packed batch of one side back into NHWC order.
    func unpack(_ side: Side, _ packed: UnsafePointer<Float>, channels: Int, into nhwc: UnsafeMutablePointer<Float>) {
        movePixels(side, channels: channels, nhwc: nhwc, packed: UnsafeMutablePointer(mutating: packed), toPacked: false)
    }

    private func movePixels(
        _ side: Side, channels: Int, nhwc: UnsafeMutablePointer<Float>, packed: UnsafeMutablePointer<Float>, toPacked: Bool
    ) {
        switch side {
        case .image:
            movePixels(height: geometry.imageHeight, width: geometry.imageWidth, channels: channels, packedRow: imageRow,
                       nhwc: nhwc, packed: packed, toPacked: toPacked)
        case .grid:
            movePixels(height: geometry.gridHeight, width: geometry.gridWidth, channels: channels,
                       packedRow: { i, j in (i * geometry.gridWidth + j) * batch }, nhwc: nhwc, packed: packed, toPacked: toPacked)
        }
    }

    /// Moves each pixel's `channels` floats between NHWC position `(n, y, x)` and packed row
    /// `packedRow(y, x) + n`, in the direction `toPacked` says; image rows are spread over the
    /// `WorkerPool` (each row's pixels have packed rows of their own).
    @inline(__always)
    private func movePixels(
        height: Int, width: Int, channels: Int, packedRow: (Int, Int) -> Int,
        nhwc: UnsafeMutablePointer<Float>, packed: UnsafeMutablePointer<Float>, toPacked: Bool
    ) {
        let imageStride = height * width * channels
        ParallelSplit.forEachRowRange(rows: height, width: width * batch * channels) { rows in
            for y in rows {
                for x in 0..<width {
                    var packedPixel = packed + packedRow(y, x) * channels
                    var pixel = nhwc + (y * width + x) * channels
                    for _ in 0..<batch {
                        if toPacked {
                            packedPixel.update(from: pixel, count: channels)
                        } else {
                            pixel.update(from: packedPixel, count: channels)
                        }
                        packedPixel += channels
                        pixel += imageStride
                    }
                }
            }
        }
    }

    private static func ceilingDivision(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
    private static func floorDivision(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
