import NeuralNet
import Foundation

/// Where MNIST-format data is looked for, in order: a folder the lab names; the `--data` option
/// or the `LAB_DATA` environment variable; `data/mnist` under the current directory; the per-user
/// cache (`$XDG_CACHE_HOME/lab/mnist`, else `~/.cache/lab/mnist`).
public struct DataSearch: Sendable {
    /// A folder given in the lab file (relative to the current directory).
    public var labPath: String?
    /// `--data` on the command line.
    public var option: String?
    /// The process environment, for `LAB_DATA`, `XDG_CACHE_HOME` and `HOME`.
    public var environment: [String: String]

    public init(labPath: String? = nil, option: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.labPath = labPath
        self.option = option
        self.environment = environment
    }

    /// The per-user cache folder for MNIST.
    public var cacheFolder: String {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")
        return base + "/lab/mnist"
    }

    /// The first candidate that holds the split's files, if any.
    public func firstFolder(holding split: MNIST.Split) -> String? {
        candidates.first { MNIST.files(in: $0, split: split) != nil }
    }

    /// The folders a lab may read MNIST from: the data folder the user named and the cache.
    public var userFolders: [String] {
        [option ?? environment["LAB_DATA"], cacheFolder].compactMap { $0 }
    }

    /// The candidate folders in search order.
    public var candidates: [String] {
        [labPath, option ?? environment["LAB_DATA"], "data/mnist", cacheFolder].compactMap { $0 }
    }

    /// The first candidate holding the split's files, or an error that lists every place searched.
    public func locateMNIST(split: MNIST.Split) throws -> String {
        if let folder = firstFolder(holding: split) { return folder }
        throw DatasetError(path: "MNIST",
            "not found; looked in " + candidates.map { "'\($0)'" }.joined(separator: ", ")
                + ". Put the four MNIST files in data/mnist, or pass --data FOLDER (or set LAB_DATA)")
    }
}

extension DataSearch {
    /// MNIST's `split` from the first folder that holds it, or, when none does and the lab did not
    /// name a folder itself, the built-in generated digits with a notice that says so and how to
    /// get MNIST. A folder the lab names must hold the data; damaged files are always an error.
    /// With a `policy`, files whose links lead outside its folders are refused.
    public func loadMNISTOrBuiltIn(split: MNIST.Split, seed: UInt64 = 2024,
                                   policy: ReadPolicy? = nil) throws -> (dataset: ImageDataset, notice: String?) {
        if let folder = firstFolder(holding: split) {
            if let policy, let files = MNIST.files(in: folder, split: split) {
                try policy.check(files.images)
                try policy.check(files.labels)
            }
            var dataset = try MNIST.load(from: folder, split: split)
            dataset.name += " from \(folder)"
            return (dataset, nil)
        }
        if labPath != nil { _ = try locateMNIST(split: split) }
        let dataset = HandwrittenDigits.load(split: split, seed: seed)
        let searched = candidates.map { "'\($0)'" }.joined(separator: ", ")
        let count = groupThousands(dataset.count)
        let notice = "MNIST was not found (looked in \(searched)), so this run uses lab's built-in generated "
            + "handwritten digits instead: \(count) images drawn from pen strokes, not real MNIST. To use MNIST, "
            + "run `lab data fetch mnist` (it downloads into '\(cacheFolder)'), put the four files in data/mnist, "
            + "or pass --data FOLDER."
        return (dataset, notice)
    }
}
