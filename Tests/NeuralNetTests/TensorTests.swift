@testable import NeuralNet
import Testing

/// Tensors, the seeded generator and mini-batches.
@Suite struct TensorTests {
    @Test func rowsAndConcatenation() {
        let t = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.rows(1..<3) == Tensor(shape: [2, 2], scalars: [3, 4, 5, 6]))
        #expect(Tensor.concatenatingRows([t.rows(0..<1), t.rows(1..<3)]) == t)
        #expect(t.reshaped(to: [2, 3]).shape == [2, 3])
        #expect(t.itemSize == 2 && t.batchSize == 3)
    }

    @Test func generatorIsReproducibleAndWellSpread() {
        let a = RandomGenerator(seed: 2024), b = RandomGenerator(seed: 2024)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        let normal = RandomGenerator(seed: 1).normalTensor(shape: [20_000])
        let mean = normal.mean
        let variance = normal.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(normal.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
        let uniform = RandomGenerator(seed: 1).uniformTensor(shape: [20_000], low: -1, high: 1)
        #expect(abs(uniform.mean) < 0.03 && uniform.range!.min >= -1 && uniform.range!.max < 1)
    }

    /// A normal tensor, made on the pool, holds the very values one `nextNormal()` after another
    /// gives, and leaves the generator where that loop does: with or without a kept deviate
    /// first, odd and even counts, below and above the size that is split over the pool.
    @Test func normalTensorsAreTheSequenceOfNextNormal() {
        for count in [0, 1, 2, 3, 4, 4_097, 25_600, 30_001] {
            for keptFirst in [false, true] {
                let batched = RandomGenerator(seed: 77), oneByOne = RandomGenerator(seed: 77)
                if keptFirst { _ = (batched.nextNormal(), oneByOne.nextNormal()) }
                let tensor = batched.normalTensor(shape: [count], mean: 0.5, standardDeviation: 2)
                let loop = (0..<count).map { _ in 0.5 + 2 * oneByOne.nextNormal() }
                #expect(tensor.scalars.map(\.bitPattern) == loop.map(\.bitPattern), "\(count) values, kept first \(keptFirst)")
                #expect(batched.savedState == oneByOne.savedState, "\(count) values, kept first \(keptFirst)")
                #expect(batched.nextNormal().bitPattern == oneByOne.nextNormal().bitPattern)
            }
        }
    }

    @Test func keyedStreamsAreFixedByKeyAndStreamAndDifferFromEachOther() {
        func words(key: UInt64, stream: Int) -> [UInt64] {
            [UInt64](unsafeUninitializedCapacity: 64) { buffer, count in
                RandomGenerator.fill(buffer.baseAddress!, count: 64, key: key, stream: stream)
                count = 64
            }
        }
        #expect(words(key: 7, stream: 3) == words(key: 7, stream: 3))
        let streams = (0..<16).map { words(key: 7, stream: $0) } + [words(key: 8, stream: 0)]
        // No two streams share a word (a shifted copy would).
        let all = streams.flatMap { $0 }
        #expect(Set(all).count == all.count)
        let ones = all.reduce(0) { $0 + $1.nonzeroBitCount }
        #expect(abs(Double(ones) / Double(all.count * 64) - 0.5) < 0.01)
    }

    @Test func batchesCoverEveryItemOncePerPass() throws {
        let data = Tensor(shape: [10, 1], scalars: (0..<10).map(Float.init))
        let batches = try Batches(data, batchSize: 4, dropRemainder: true, shuffle: RandomGenerator(seed: 3))
        #expect(batches.count == 2)
        let seen = batches.flatMap(\.scalars)
        #expect(seen.count == 8 && Set(seen).count == 8)
        #expect(seen != Array(0..<8).map(Float.init), "shuffled")
        let all = try Batches(data, batchSize: 4, dropRemainder: false)
        #expect(all.map(\.batchSize) == [4, 4, 2])
        #expect(all.flatMap(\.scalars) == data.scalars)
    }
}
