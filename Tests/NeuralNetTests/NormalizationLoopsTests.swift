import CKernels
@testable import NeuralNet
import Testing

/// Batch normalisation's backward passes run in C with AVX-512 where the CPU has it
/// (`ChannelLoops.wide`), sixteen channels a vector, and in Swift elsewhere. Both must give the
/// same bits; and the dropout mask's kept-element bits must say what the mask says.
@Suite struct NormalizationLoopsTests {
    /// Both backward passes, each way, on `rows × channels` data: the sums and the input gradient.
    func passes(rows: Int, channels: Int, rectifier: Activation?, wide: Bool) -> [[UInt32]] {
        let scale = (0..<channels).map { [Float(0.5), 1, 2][$0 % 3] }, shift = (0..<channels).map { Float($0 % 5) - 2 }
        let gamma = (0..<channels).map { Float($0 % 3) - 1 + 0.25 }, beta = (0..<channels).map { Float($0 % 4) / 4 - 0.5 }
        var x = RandomGenerator(seed: 21).uniformTensor(shape: [rows, channels], low: -2, high: 3).scalars
        // Every tenth row x = −shift / scale exactly (scales are powers of two): x̂ is zero, so
        // x̂ · γ + β is exactly zero where β is, the rectifier's kink.
        for r in stride(from: 0, to: rows, by: 10) {
            for c in 0..<channels { x[r * channels + c] = -shift[c] / scale[c] }
        }
        let dy = RandomGenerator(seed: 22).uniformTensor(shape: [rows, channels], low: -1, high: 1).scalars
        let following = rectifier.map { ChannelLoops.Rectifier(activation: $0, gamma: gamma, beta: beta) }
        var sum = [Float](repeating: 0, count: channels), products = sum
        var dx = [Float](repeating: 0, count: rows * channels)
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { g in
                ChannelLoops.columnSums(g.baseAddress!, normalizing: xp.baseAddress!, scale: scale, shift: shift, rows: rows,
                                        channels: channels, rectifier: following, sum: &sum, sumOfProducts: &products, wide: wide)
                let k = (0..<channels).map { Float($0) / 7 - 1 }
                ChannelLoops.normalizationGradient(g.baseAddress!, normalizing: xp.baseAddress!, scale: scale, shift: shift,
                                                   rows: rows, channels: channels, rectifier: following, gradientScale: k,
                                                   meanGradient: sum.map { $0 / Float(rows) },
                                                   meanGradientTimesNormalized: products.map { $0 / Float(rows) }, into: &dx,
                                                   wide: wide)
            }
        }
        return [sum, products, dx].map { $0.map(\.bitPattern) }
    }

    /// Channels by 16s, with a half vector, and a ragged 13 (every vector masked); leaky, ReLU
    /// and none; rows enough for several blocks and a split over the pool. On a CPU without
    /// AVX-512 both calls run Swift's loops, and the test shows only that.
    @Test(arguments: [16, 40, 13])
    func wideLoopsGiveTheBitsOfSwiftsLoops(channels: Int) {
        for rectifier in [Activation.leakyReLU(alpha: 0.2), .relu, nil] {
            let rows = 1_000
            let wide = passes(rows: rows, channels: channels, rectifier: rectifier, wide: true)
            let swift = passes(rows: rows, channels: channels, rectifier: rectifier, wide: false)
            #expect(wide == swift, "\(channels) channels, \(String(describing: rectifier))")
        }
    }

    /// `lab_mark_kept` sets exactly the bits of the draws at or above the threshold, whatever the
    /// count (whole and partial vectors of sixteen) and wherever the threshold falls.
    @Test(arguments: [1_024, 1_000, 37, 8])
    func keptBitsAreTheDrawsAtOrAboveTheThreshold(count: Int) {
        var words = [UInt64](repeating: 0, count: (count + 3) / 4)
        RandomGenerator.fill(&words, count: words.count, key: 99, stream: 3)
        var draws = words.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self).prefix(count)) }
        draws[0] = 19_661
        draws[count - 1] = 19_660
        for threshold: UInt16 in [0, 19_661, 65_535] {
            var bits = [UInt8](repeating: 0xAA, count: (count + 7) / 8)
            lab_mark_kept(draws, count, threshold, &bits)
            let kept = (0..<count).map { bits[$0 / 8] >> UInt8($0 % 8) & 1 == 1 }
            #expect(kept == draws.map { $0 >= threshold }, "threshold \(threshold)")
            if count % 8 != 0 { #expect(bits[count / 8] >> UInt8(count % 8) == 0, "bits past the count are clear") }
        }
    }
}
