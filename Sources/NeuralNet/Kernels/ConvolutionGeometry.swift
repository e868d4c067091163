/// Where the patches of a 2-D convolution sit: an image side `[N, imageHeight, imageWidth, C]`
/// and a grid side `[N, gridHeight, gridWidth, …]`, where grid cell (i, j) reads the kernel-sized
/// patch whose top-left pixel is (i · stride − padTop, j · stride − padLeft) of the image.
///
/// For `Conv2D` the image is the input and the grid the output; for `Conv2DTranspose` it is the
/// other way round, which is why one pair of `im2col`/`col2im` serves both.
struct ConvolutionGeometry: Equatable {
    var imageHeight, imageWidth, channels: Int
    var gridHeight, gridWidth: Int
    var kernelHeight, kernelWidth: Int
    var strideY, strideX: Int
    var padTop, padLeft: Int

    /// Columns of the patch matrix: one per kernel tap and channel.
    var patchSize: Int { kernelHeight * kernelWidth * channels }

    /// Keras/TensorFlow padding for a convolution from `input` pixels with `kernel` and `stride`:
    /// the output size, and the padding before (the smaller half of the total for `same`).
    static func convolutionOutput(input: Int, kernel: Int, stride: Int, same: Bool) -> (size: Int, padBefore: Int) {
        if same {
            let size = (input + stride - 1) / stride
            let total = max((size - 1) * stride + kernel - input, 0)
            return (size, total / 2)
        }
        return ((input - kernel) / stride + 1, 0)
    }

    /// The patch matrix `[N · gridHeight · gridWidth, patchSize]` of an image batch; taps that fall
    /// in the padding are zero. Batch items are spread over the `WorkerPool`.
    func im2col(_ image: UnsafePointer<Float>, batch: Int, into columns: UnsafeMutablePointer<Float>) {
        ParallelSplit.forEachRange(count: batch, minimumPerCore: itemsWorthSplitting, alignment: 1) { items in
            forEachPatchRun(items: items) { patchEntry, pixel, count in
                let target = columns + patchEntry
                if let pixel {
                    Self.copy(image + pixel, to: target, count: count)
                } else {
                    for c in 0..<count { target[c] = 0 }
                }
            }
        }
    }

    /// Adds each row of a patch matrix back onto the image pixels it came from (the adjoint of
    /// `im2col`); the image is cleared first. Batch items are spread over the `WorkerPool`.
    func col2im(_ columns: UnsafePointer<Float>, batch: Int, into image: UnsafeMutablePointer<Float>) {
        let itemFloats = imageHeight * imageWidth * channels
        ParallelSplit.forEachRange(count: batch, minimumPerCore: itemsWorthSplitting, alignment: 1) { items in
            (image + items.lowerBound * itemFloats).update(repeating: 0, count: items.count * itemFloats)
            forEachPatchRun(items: items) { patchEntry, pixel, count in
                if let pixel { VectorMath.add(columns + patchEntry, into: image + pixel, count: count) }
            }
        }
    }

    /// Batch items whose patch rows are enough work for a thread of their own.
    private var itemsWorthSplitting: Int {
        max(1, ParallelSplit.smallestSplitWork / max(1, gridHeight * gridWidth * patchSize))
    }

    /// Calls `body` for every run of consecutive floats a patch matrix shares with the batch
    /// items `items` of the image, in patch-matrix order: one kernel row's taps inside the image
    /// are consecutive pixels there.
    /// Gives the run's offset in the patch matrix, its offset in the NHWC image batch (nil for
    /// taps in the padding) and its length in floats.
    @inline(__always)
    private func forEachPatchRun(items: Range<Int>, _ body: (_ patchEntry: Int, _ pixel: Int?, _ count: Int) -> Void) {
        let rowFloats = kernelWidth * channels
        var entry = items.lowerBound * gridHeight * gridWidth * patchSize
        for n in items {
            let imageBase = n * imageHeight * imageWidth
            for i in 0..<gridHeight {
                for j in 0..<gridWidth {
                    let left = j * strideX - padLeft
                    let firstTap = max(0, -left), endTap = min(kernelWidth, imageWidth - left)
                    for ky in 0..<kernelHeight {
                        let y = i * strideY - padTop + ky
                        if y < 0 || y >= imageHeight || firstTap >= endTap {
                            body(entry, nil, rowFloats)
                        } else {
                            if firstTap > 0 { body(entry, nil, firstTap * channels) }
                            body(entry + firstTap * channels, (imageBase + y * imageWidth + left + firstTap) * channels,
                                 (endTap - firstTap) * channels)
                            if endTap < kernelWidth { body(entry + endTap * channels, nil, (kernelWidth - endTap) * channels) }
                        }
                        entry += rowFloats
                    }
                }
            }
        }
    }

    /// Copies floats inline: a library call per run costs more than the copy when runs are short.
    @inline(__always)
    private static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var c = 0
        while c + FloatVector.scalarCount <= count {
            target.setVector(source.vector(at: c), at: c)
            c += FloatVector.scalarCount
        }
        while c < count {
            target[c] = source[c]
            c += 1
        }
    }
}

/// Keras's padding modes.
public enum Padding: String, Sendable {
    /// Output size ⌈in / stride⌉, zero padding split with the extra pixel after.
    case same
    /// No padding: only whole patches.
    case valid
}
