import NeuralNet

/// Labelled images, NHWC `[count, height, width, channels]`, with where they came from.
public struct ImageDataset: Sendable {
    /// The images; values as stored (0…255 for MNIST) until `scaled` maps them.
    public var images: Tensor
    /// One label per image.
    public var labels: [Int]
    /// A human name for reports, e.g. `MNIST (train, 60,000 images)`.
    public var name: String
    /// Where the data was read from, or how it was made.
    public var source: String

    /// A data set from its parts; images and labels must agree in count.
    public init(images: Tensor, labels: [Int], name: String, source: String) {
        precondition(images.shape.count == 4, "images must be NHWC, got \(images.shape)")
        precondition(images.batchSize == labels.count, "\(images.batchSize) images but \(labels.count) labels")
        self.images = images
        self.labels = labels
        self.name = name
        self.source = source
    }

    /// The number of images.
    public var count: Int { labels.count }

    /// The shape of one image, `[height, width, channels]`.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    /// How many images carry each label 0…9 (larger labels are counted too).
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: (labels.max() ?? -1) + 1)
        for label in labels { counts[label] += 1 }
        return counts
    }
}
