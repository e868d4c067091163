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

    /// The candidate folders in search order.
    public var candidates: [String] {
        [labPath, option ?? environment["LAB_DATA"], "data/mnist", cacheFolder].compactMap { $0 }
    }

    /// The first candidate holding the split's files, or an error that lists every place searched.
    public func locateMNIST(split: MNIST.Split) throws -> String {
        if let folder = candidates.first(where: { MNIST.files(in: $0, split: split) != nil }) { return folder }
        throw DatasetError(path: "MNIST",
            "not found; looked in " + candidates.map { "'\($0)'" }.joined(separator: ", ")
                + ". Put the four MNIST files in data/mnist, or pass --data FOLDER (or set LAB_DATA)")
    }
}
