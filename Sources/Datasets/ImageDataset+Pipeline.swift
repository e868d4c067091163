import NeuralNet

/// The value range a model expects.
public enum PixelRange: Sendable {
    /// [-1, 1], for generators ending in tanh: (x − 127.5) / 127.5.
    case minusOneToOne
    /// [0, 1]: x / 255.
    case zeroToOne
}

extension ImageDataset {
    /// The images mapped from 0…255 to `range`.
    public func scaled(to range: PixelRange) -> ImageDataset {
        var copy = self
        let (scale, offset): (Float, Float) = range == .minusOneToOne ? (1 / 127.5, -1) : (1 / 255, 0)
        copy.images = Tensor(shape: images.shape, scalars: images.scalars.map { $0 * scale + offset })
        return copy
    }

    /// The images as rows `[count, height · width · channels]`, for Dense models.
    public var flattenedImages: Tensor {
        images.reshaped(to: [count, images.itemSize])
    }

    /// The first `n` images (all of them when there are fewer).
    public func prefix(_ n: Int) throws -> ImageDataset {
        guard n > 0 else { throw DatasetError(path: name, "a subset needs a positive size, got \(n)") }
        return selecting(Array(0..<Swift.min(n, count)))
    }

    /// `n` images drawn without replacement by a seeded generator.
    public func randomSubset(_ n: Int, random: RandomGenerator) throws -> ImageDataset {
        guard n > 0 else { throw DatasetError(path: name, "a subset needs a positive size, got \(n)") }
        return selecting(Array(random.permutation(count).prefix(n)))
    }

    /// The images whose label is `label`, in order.
    public func withLabel(_ label: Int) -> ImageDataset {
        selecting(labels.indices.filter { labels[$0] == label })
    }

    /// The `occurrence`-th image (0-based) of each label in `labels`, as the chapter's grid picks
    /// them; a label with too few images is an error.
    public func examples(of wanted: [Int], occurrence: [Int]) throws -> ImageDataset {
        precondition(wanted.count == occurrence.count, "one occurrence per label")
        var picked: [Int] = []
        for (label, nth) in zip(wanted, occurrence) {
            guard nth >= 0 else { throw DatasetError(path: name, "occurrence \(nth) is negative; the first image of a label is occurrence 0") }
            let matches = labels.indices.lazy.filter { labels[$0] == label }
            guard let index = matches.dropFirst(nth).first else {
                throw DatasetError(path: name, "has fewer than \(nth + 1) images of label \(label)")
            }
            picked.append(index)
        }
        return selecting(picked)
    }

    /// The images at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> ImageDataset {
        let item = images.itemSize
        var scalars = [Float]()
        scalars.reserveCapacity(indices.count * item)
        images.withUnsafeBufferPointer { source in
            for index in indices { scalars.append(contentsOf: source[(index * item)..<((index + 1) * item)]) }
        }
        return ImageDataset(
            images: Tensor(shape: [indices.count] + imageShape, scalars: scalars),
            labels: indices.map { labels[$0] }, name: name, source: source)
    }
}
