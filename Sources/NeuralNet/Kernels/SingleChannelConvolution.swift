import CKernels

/// The three products of a convolution whose image side has one channel, computed straight from
/// the image and the grid (`lab_single_channel_grid`, `…_image`, `…_kernel_gradient`): the first
/// layer of a discriminator that reads grayscale pictures and the last of a generator that draws
/// them. With one channel a patch is a handful of pixels, so the patch matrix and a product with
/// sums of 16 or 25 terms moved more memory than they computed, and `col2im` added one float at a
/// time. Here each item's image is padded once into a small buffer that stays in cache, and
/// every grid cell's channels, or every tap's dot products, are sums held in registers. Batch
/// items are spread over the `WorkerPool`; the kernel gradient sums each part's items into a
/// buffer of its own and adds the parts in order, so the bits depend only on the sizes.
struct SingleChannelConvolution {
    let geometry: ConvolutionGeometry
    let gridChannels: Int
    /// The kernels' instruction set (tests run each); the CPU's widest by default.
    var instructionSet: KernelInstructionSet?

    /// Whether a convolution can run here: one image channel and at most
    /// `LAB_SINGLE_CHANNEL_TAPS` kernel taps.
    static func fits(_ geometry: ConvolutionGeometry) -> Bool {
        geometry.channels == 1 && geometry.kernelHeight * geometry.kernelWidth <= Int(LAB_SINGLE_CHANNEL_TAPS)
    }

    private var sizes: lab_single_channel_geometry {
        lab_single_channel_geometry(
            image_height: geometry.imageHeight, image_width: geometry.imageWidth,
            grid_height: geometry.gridHeight, grid_width: geometry.gridWidth,
            kernel_height: geometry.kernelHeight, kernel_width: geometry.kernelWidth,
            stride_y: geometry.strideY, stride_x: geometry.strideX,
            pad_top: geometry.padTop, pad_left: geometry.padLeft, channels: gridChannels)
    }

    private var taps: Int { geometry.kernelHeight * geometry.kernelWidth }
    private var set: Int32 { instructionSet.map { Int32($0.rawValue) } ?? -1 }

    /// Multiply-adds, times two, of `items` items: every tap of every cell, padding included.
    private func flops(items: Int) -> Int { 2 * items * geometry.gridHeight * geometry.gridWidth * taps * gridChannels }

    /// Runs `body(part, items, sizes, scratch)` on parts of the batch over the pool, each with a
    /// padded image of its own; `part` numbers them in batch order.
    private func forEachPart(
        batch: Int,
        _ body: (_ part: Int, _ items: Range<Int>, _ sizes: UnsafePointer<lab_single_channel_geometry>,
                 _ scratch: UnsafeMutablePointer<Float>) -> Void
    ) {
        withUnsafePointer(to: sizes) { sizes in
            let scratch = lab_single_channel_scratch(sizes)
            let parts = Self.parts(batch: batch)
            WorkerPool.shared.run(parts: parts) { part in
                let items = (part * batch / parts)..<((part + 1) * batch / parts)
                withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { padded in
                    body(part, items, sizes, padded.baseAddress!)
                }
            }
        }
    }

    /// Runs `body` with the kernel `[taps, gridChannels]` channel by channel, each channel's taps
    /// padded with zeros to `lab_single_channel_padded_taps`: the image direction's layout.
    private func withKernelByChannel<R>(_ kernel: UnsafePointer<Float>, _ body: (UnsafePointer<Float>) -> R) -> R {
        let (taps, channels) = (taps, gridChannels), padded = lab_single_channel_padded_taps(taps)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: channels * padded) { byChannel in
            let transposed = byChannel.baseAddress!
            for c in 0..<channels {
                for t in 0..<padded { transposed[c * padded + t] = t < taps ? kernel[t * channels + c] : 0 }
            }
            return body(transposed)
        }
    }

    /// Parts of a batch: one per pool thread, at most one per item.
    static func parts(batch: Int) -> Int { max(1, min(ParallelSplit.cores, batch)) }

    /// `grid = bias + Σ taps image · W[tap]` for a batch of `batch` items.
    func grid(from image: UnsafePointer<Float>, batch: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
              into grid: UnsafeMutablePointer<Float>) {
        let (imageFloats, gridFloats, set) = (geometry.imageHeight * geometry.imageWidth,
                                              geometry.gridHeight * geometry.gridWidth * gridChannels, set)
        forEachPart(batch: batch) { _, items, sizes, padded in
            ProductCount.add(flops(items: items.count))
            lab_single_channel_grid(set, sizes, items.count, image + items.lowerBound * imageFloats, kernel, bias,
                                    grid + items.lowerBound * gridFloats, padded)
        }
    }

    /// `image = bias + Σ over taps of grid · W[tap]ᵀ`, each cell's dot products spread over its
    /// patch, for a batch of `batch` items.
    func image(from grid: UnsafePointer<Float>, batch: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
               into image: UnsafeMutablePointer<Float>) {
        let (imageFloats, gridFloats, set) = (geometry.imageHeight * geometry.imageWidth,
                                              geometry.gridHeight * geometry.gridWidth * gridChannels, set)
        withKernelByChannel(kernel) { transposed in
            forEachPart(batch: batch) { _, items, sizes, scratch in
                ProductCount.add(flops(items: items.count))
                lab_single_channel_image(set, sizes, items.count, grid + items.lowerBound * gridFloats, transposed, bias,
                                         image + items.lowerBound * imageFloats, scratch)
            }
        }
    }

    /// `grid(from:…)` a few items at a time, each part of the batch (`forEachPart`) writing its
    /// items' grid `itemsPerPiece` at a time into a buffer of its own and handing it to
    /// `body(items, grid)` on the same thread, so that the grid goes on while in cache and is
    /// never stored whole. The same values as `grid`.
    func gridInPieces(from image: UnsafePointer<Float>, batch: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                      itemsPerPiece: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let (imageFloats, gridFloats, set) = (geometry.imageHeight * geometry.imageWidth,
                                              geometry.gridHeight * geometry.gridWidth * gridChannels, set)
        forEachPart(batch: batch) { _, items, sizes, padded in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: itemsPerPiece * gridFloats) { piece in
                for first in stride(from: items.lowerBound, to: items.upperBound, by: itemsPerPiece) {
                    let block = first..<min(items.upperBound, first + itemsPerPiece)
                    ProductCount.add(flops(items: block.count))
                    lab_single_channel_grid(set, sizes, block.count, image + first * imageFloats, kernel, bias, piece.baseAddress!, padded)
                    body(block, piece.baseAddress!)
                }
            }
        }
    }

    /// The backward products from a grid gradient that is never stored whole: each part of the
    /// batch has `grid(items, into)` write its items' grid gradient `itemsPerPiece` at a time
    /// into a buffer of its own, then adds their share of the kernel gradient to `dw` (when
    /// given; written with `overwrite`) and writes their image gradient into `image` (when given),
    /// on the same thread. The same bits as `accumulateKernelGradient` and `image(from:…)`: each
    /// part sums its items in order, and the parts are added in order.
    func backwardInPieces(image: UnsafePointer<Float>, batch: Int, kernel: UnsafePointer<Float>,
                          kernelGradient dw: UnsafeMutablePointer<Float>?, overwrite: Bool,
                          imageGradient: UnsafeMutablePointer<Float>?, itemsPerPiece: Int,
                          grid: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let (imageFloats, gridFloats, set) = (geometry.imageHeight * geometry.imageWidth,
                                              geometry.gridHeight * geometry.gridWidth * gridChannels, set)
        withKernelByChannel(kernel) { transposed in
            withShares(of: dw, overwrite: overwrite, batch: batch) { share in
                forEachPart(batch: batch) { part, items, sizes, scratch in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: itemsPerPiece * gridFloats) { piece in
                        for first in stride(from: items.lowerBound, to: items.upperBound, by: itemsPerPiece) {
                            let block = first..<min(items.upperBound, first + itemsPerPiece)
                            grid(block, piece.baseAddress!)
                            if let target = share(part) {
                                ProductCount.add(flops(items: block.count))
                                lab_single_channel_kernel_gradient(set, sizes, block.count, image + first * imageFloats, piece.baseAddress!,
                                                                   target, scratch)
                            }
                            if let imageGradient {
                                ProductCount.add(flops(items: block.count))
                                lab_single_channel_image(set, sizes, block.count, piece.baseAddress!, transposed, nil,
                                                         imageGradient + first * imageFloats, scratch)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds `Σ over the batch's cells of image patch · grid cell` to the kernel gradient `dw`
    /// (taps × channels), or writes it there with `overwrite`.
    func accumulateKernelGradient(image: UnsafePointer<Float>, grid: UnsafePointer<Float>, batch: Int,
                                  into dw: UnsafeMutablePointer<Float>, overwrite: Bool) {
        let (imageFloats, gridFloats, set) = (geometry.imageHeight * geometry.imageWidth,
                                              geometry.gridHeight * geometry.gridWidth * gridChannels, set)
        withShares(of: dw, overwrite: overwrite, batch: batch) { share in
            forEachPart(batch: batch) { part, items, sizes, padded in
                ProductCount.add(flops(items: items.count))
                lab_single_channel_kernel_gradient(set, sizes, items.count, image + items.lowerBound * imageFloats,
                                                   grid + items.lowerBound * gridFloats, share(part)!, padded)
            }
        }
    }

    /// Runs `body(share)` where `share(part)` is where part `part` of the batch adds its share of
    /// the kernel gradient `dw` (nil without one): part 0 into `dw` itself (cleared first with
    /// `overwrite`), the others into zeroed buffers added to `dw` in order afterwards, so the bits
    /// depend only on the sizes.
    private func withShares(of dw: UnsafeMutablePointer<Float>?, overwrite: Bool, batch: Int,
                            _ body: ((Int) -> UnsafeMutablePointer<Float>?) -> Void) {
        guard let dw else { return body { _ in nil } }
        let count = taps * gridChannels, parts = Self.parts(batch: batch)
        if overwrite { dw.update(repeating: 0, count: count) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, (parts - 1) * count)) { shares in
            let shares = shares.baseAddress!
            shares.update(repeating: 0, count: (parts - 1) * count)
            body { part in part == 0 ? dw : shares + (part - 1) * count }
            for part in 1..<max(parts, 1) { VectorMath.add(shares + (part - 1) * count, into: dw, count: count) }
        }
    }
}
