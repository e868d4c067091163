import NeuralNet

/// MNIST-format data sets in a folder: `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
/// `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`. Fashion-MNIST and KMNIST use the
/// same names and load the same way.
public enum MNIST {
    /// Which half of the data set.
    public enum Split: String, Sendable, CaseIterable {
        case train, test
        /// The file-name prefix: `train` or `t10k`.
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Every path `files(in:split:)` looks at, present or not (for noticing when data appears).
    public static func probedPaths(in folder: String, split: Split) -> [String] {
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return ["images-idx3-ubyte", "labels-idx1-ubyte"].flatMap { kind in
            ["\(base)\(split.filePrefix)-\(kind).gz", "\(base)\(split.filePrefix)-\(kind)"]
        }
    }

    /// The image and label files of `split` in `folder`, preferring the `.gz` form; nil when either is absent.
    public static func files(in folder: String, split: Split) -> (images: String, labels: String)? {
        func find(_ stem: String) -> String? {
            let base = folder.hasSuffix("/") ? folder + stem : folder + "/" + stem
            return [base + ".gz", base].first(where: fileExists)
        }
        guard let images = find("\(split.filePrefix)-images-idx3-ubyte"),
              let labels = find("\(split.filePrefix)-labels-idx1-ubyte")
        else { return nil }
        return (images, labels)
    }

    /// Loads `split` from `folder` as `[count, 28, 28, 1]` pixel values 0…255 with labels 0…9.
    /// Missing, corrupt or mismatched files are a `DatasetError` naming the file.
    public static func load(from folder: String, split: Split, name: String = "MNIST") throws -> ImageDataset {
        guard let paths = files(in: folder, split: split) else {
            throw DatasetError(path: folder,
                "no \(split.filePrefix)-images-idx3-ubyte[.gz] and \(split.filePrefix)-labels-idx1-ubyte[.gz] here")
        }
        let images = try IDX.readImages(paths.images)
        let labels = try IDX.readLabels(paths.labels)
        guard images.count == labels.count else {
            throw DatasetError(path: paths.labels,
                "\(labels.count) labels for \(images.count) images in \(paths.images)")
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DatasetError(path: paths.labels, "label \(labels[bad]) at index \(bad) is not a digit 0-9")
        }
        let tensor = Tensor(shape: [images.count, images.rows, images.columns, 1], scalars: images.pixels.map(Float.init))
        return ImageDataset(
            images: tensor, labels: labels.map(Int.init),
            name: "\(name) (\(split.rawValue), \(groupThousands(images.count)) images)", source: paths.images)
    }
}
