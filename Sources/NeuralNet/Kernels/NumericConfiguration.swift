/// The settings of this process that change a computation's rounding (not its meaning): which
/// convolution algorithms may run, which instruction set the C kernels use, the BLAS kernel
/// family and how many threads share a product. Two runs of the same lab with the same
/// configuration compute the same numbers; a run with another one may differ in the last bits,
/// which over a training grows into different weights. The lab's step cache keys its entries
/// with it, so a result computed one way is never replayed as the other's.
public enum NumericConfiguration {
    /// One line naming every setting, e.g. `convolutions winograd, kernels avx512, BLAS SkylakeX,
    /// 2 threads`.
    public static var current: String {
        let convolutions = ConvolutionEngine.winogradAllowed ? "winograd" : "direct"
        return "convolutions \(convolutions), kernels \(TileTransform.instructionSet), BLAS \(BLAS.coreName), "
            + "\(WorkerPool.shared.threadCount) threads"
    }
}
