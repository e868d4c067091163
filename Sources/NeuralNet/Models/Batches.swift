/// Mini-batches over the items of a tensor (its first axis), optionally shuffled each pass.
///
/// Iterating gathers one batch at a time, so a pass over 60,000 images never copies the data set.
public struct Batches: Sequence {
    /// The items, batch axis first.
    public let data: Tensor
    /// Items per batch.
    public let batchSize: Int
    /// Whether a last, smaller batch is dropped (Keras `drop_remainder=True`).
    public let dropRemainder: Bool
    /// The item order for this pass.
    public let order: [Int]

    /// Batches of `batchSize` items; with `shuffle`, the order is a permutation drawn from it.
    public init(_ data: Tensor, batchSize: Int, dropRemainder: Bool = true, shuffle: RandomGenerator? = nil) throws {
        guard batchSize > 0 else { throw NeuralNetError("batch size must be positive, got \(batchSize)") }
        self.data = data
        self.batchSize = batchSize
        self.dropRemainder = dropRemainder
        self.order = shuffle?.permutation(data.batchSize) ?? Array(0..<data.batchSize)
    }

    /// The number of batches in one pass.
    public var count: Int {
        dropRemainder ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
    }

    public func makeIterator() -> AnyIterator<Tensor> {
        var next = 0
        let total = count
        return AnyIterator {
            guard next < total else { return nil }
            defer { next += 1 }
            return self.batch(next)
        }
    }

    /// Batch number `index` of this pass.
    public func batch(_ index: Int) -> Tensor {
        let start = index * batchSize
        let end = Swift.min(start + batchSize, order.count)
        let item = data.itemSize
        var shape = data.shape
        shape[0] = end - start
        return Tensor(shape: shape) { out in
            data.withUnsafeBufferPointer { source in
                for (row, itemIndex) in order[start..<end].enumerated() {
                    (out.baseAddress! + row * item).update(from: source.baseAddress! + itemIndex * item, count: item)
                }
            }
        }
    }
}
