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
    /// in the padding are zero.
    func im2col(_ image: UnsafePointer<Float>, batch: Int, into columns: UnsafeMutablePointer<Float>) {
        let rowLength = patchSize
        for n in 0..<batch {
            let imageBase = image + n * imageHeight * imageWidth * channels
            for i in 0..<gridHeight {
                for j in 0..<gridWidth {
                    var out = columns + ((n * gridHeight + i) * gridWidth + j) * rowLength
                    for ky in 0..<kernelHeight {
                        let y = i * strideY - padTop + ky
                        let rowInside = y >= 0 && y < imageHeight
                        for kx in 0..<kernelWidth {
                            let x = j * strideX - padLeft + kx
                            if rowInside && x >= 0 && x < imageWidth {
                                out.update(from: imageBase + (y * imageWidth + x) * channels, count: channels)
                            } else {
                                out.update(repeating: 0, count: channels)
                            }
                            out += channels
                        }
                    }
                }
            }
        }
    }

    /// Adds each row of a patch matrix back onto the image pixels it came from (the adjoint of
    /// `im2col`); the image is cleared first.
    func col2im(_ columns: UnsafePointer<Float>, batch: Int, into image: UnsafeMutablePointer<Float>) {
        image.update(repeating: 0, count: batch * imageHeight * imageWidth * channels)
        let rowLength = patchSize
        for n in 0..<batch {
            let imageBase = image + n * imageHeight * imageWidth * channels
            for i in 0..<gridHeight {
                for j in 0..<gridWidth {
                    var source = columns + ((n * gridHeight + i) * gridWidth + j) * rowLength
                    for ky in 0..<kernelHeight {
                        let y = i * strideY - padTop + ky
                        let rowInside = y >= 0 && y < imageHeight
                        for kx in 0..<kernelWidth {
                            let x = j * strideX - padLeft + kx
                            if rowInside && x >= 0 && x < imageWidth {
                                VectorMath.add(source, into: imageBase + (y * imageWidth + x) * channels, count: channels)
                            }
                            source += channels
                        }
                    }
                }
            }
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
