import FileOutput

extension CSVDigits {
    /// The common CSV form of MNIST, as Kaggle's `mnist_test.csv` and the `002_…` notebook have
    /// it: a header line `label,1x1,1x2,…,28x28`, then one image per line, its label and its
    /// pixels 0…255 row by row. `images` holds pixel values 0…255 `[count, side, side, 1]`.
    public static func encode(_ dataset: ImageDataset) -> [UInt8] {
        let shape = dataset.images.shape
        precondition(shape.count == 4 && shape[1] == shape[2] && shape[3] == 1, "square gray images, got \(shape)")
        let side = shape[1], item = side * side
        var text = "label," + (1...side).flatMap { row in (1...side).map { "\(row)x\($0)" } }.joined(separator: ",") + "\n"
        text.reserveCapacity(text.utf8.count + dataset.count * (item * 2 + 4))
        let pixels = dataset.images.scalars
        for (index, label) in dataset.labels.enumerated() {
            text += String(label)
            for value in pixels[(index * item)..<((index + 1) * item)] {
                text += ","
                text += String(Int(min(max(value, 0), 255).rounded()))
            }
            text += "\n"
        }
        return Array(text.utf8)
    }

    /// Writes `encode(dataset)` to `path` through a temporary file and a rename.
    public static func write(_ dataset: ImageDataset, to path: String) throws {
        try AtomicFile.write(encode(dataset), to: path)
    }
}
