@testable import NeuralNet
import Testing

/// The products a thread asks for are counted exactly once, on that thread, whether BLAS runs
/// them there or the worker pool spreads them; a Winograd layer counts its tiles' products, not
/// the direct ones; and a GAN step counts what `trainStep` computes, which is Keras's count
/// less the backward pass through D it skips. (`lab bench` divides this count by the sgemm
/// rate for each step's floor.)
@Suite struct ProductCountTests {
    /// The count `body` adds on this thread.
    func counted(_ body: () throws -> Void) rethrows -> Int {
        let before = BLASInfo.productFLOPsOnThisThread
        try body()
        return BLASInfo.productFLOPsOnThisThread - before
    }

    func product(m: Int, n: Int, k: Int, splitOverPool: Bool = true) {
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 1, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        c.withUnsafeMutableBufferPointer { c in
            BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 0, c: c.baseAddress!, ldc: n, splitOverPool: splitOverPool)
        }
    }

    @Test func aProductCountsTwiceItsMultiplyAdds() {
        #expect(counted { product(m: 3, n: 4, k: 5) } == 120)
        // Large enough to be split over the pool's threads: still counted once, for this thread.
        #expect(counted { product(m: 512, n: 256, k: 64) } == 2 * 512 * 256 * 64)
    }

    @Test func partsThePoolRunsCountForTheThreadThatAskedForThem() {
        let parts = 8
        let total = counted {
            WorkerPool.shared.run(parts: parts) { _ in product(m: 16, n: 16, k: 16, splitOverPool: false) }
        }
        #expect(total == parts * 2 * 16 * 16 * 16)
    }

    @Test func aWinogradLayerCountsItsTilesProducts() throws {
        // The 004 discriminator's 16×16 → 8×8 k4 s2 layer, small: four phases of 2×2 sub-kernels.
        let input = RandomGenerator(seed: 1).uniformTensor(shape: [2, 16, 16, 16], low: -1, high: 1)
        let layer = Conv2D(16, kernelSize: 4, strides: 2, padding: .same, useBias: false)
        _ = try layer.build(inputShape: [16, 16, 16], random: RandomGenerator(seed: 2))
        let engine = try #require(layer.engine)
        engine.useWinograd(outputs: 4)
        let plan = WinogradPlan(geometry: engine.geometry, gridChannels: 16, outputs: 4)
        #expect(plan.positions == 25 && plan.tilesPerItem == 4 && plan.depth == 64)
        let tiles = counted { _ = layer.forward(input, training: false, slot: 0) }
        #expect(tiles == 2 * plan.positions * (2 * plan.tilesPerItem) * plan.depth * 16)
        engine.algorithm = .patches
        let patches = counted { _ = layer.forward(input, training: false, slot: 0) }
        #expect(patches == 2 * (2 * 8 * 8) * (4 * 4 * 16) * 16, "one row per grid cell, one column per kernel weight")
        #expect(tiles < patches)
    }

    @Test func aGANStepCountsKerasWorkLessTheSecondPassThroughD() throws {
        let random = RandomGenerator(seed: 3)
        let generator = try Sequential("G", inputShape: [8], random: random) {
            Dense(16)
            LeakyReLU(alpha: 0.2)
            Dense(12, activation: .tanh)
        }
        let discriminator = try Sequential("D", inputShape: [12], random: random) {
            Dense(16)
            LeakyReLU(alpha: 0.2)
            Dense(1, activation: .sigmoid)
        }
        let gan = try GAN(generator: generator, discriminator: discriminator,
                          generatorOptimizer: Adam(learningRate: 1e-3), discriminatorOptimizer: Adam(learningRate: 1e-3),
                          loss: BinaryCrossentropy(), random: random)
        let batch = 10
        let real = random.uniformTensor(shape: [batch, 12], low: -1, high: 1)
        let step = counted { _ = gan.trainStep(real: real) }
        // D forward: 2·b·(12·16 + 16·1); its first layer: 2·b·12·16.
        let d = 2 * batch * (12 * 16 + 16), dFirst = 2 * batch * 12 * 16
        #expect(Double(step) == gan.stepMatrixFLOPs(batch: batch) - Double(d - dFirst))
        // By hand: G forward, weight and hidden input gradients; D forward twice, weight gradients
        // twice, hidden input gradients on the real batch, all input gradients on the fake one.
        let g = 2 * batch * (8 * 16 + 16 * 12), gFirst = 2 * batch * 8 * 16
        #expect(step == (3 * g - gFirst) + (6 * d - dFirst))
    }
}
