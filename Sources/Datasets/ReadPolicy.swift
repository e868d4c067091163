#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The places a lab may read: a few folders, compared by their real paths, so that no link
/// (to a file, to a folder, or a folder's link inside an image folder) leads a lab elsewhere.
/// `lab` allows the current directory, the lab file's folder, the data folder the user named
/// (`--data`, `LAB_DATA`) and the MNIST cache.
public struct ReadPolicy: Sendable {
    /// The allowed folders' real paths.
    public let roots: [String]

    /// A policy allowing `folders` (and everything below them); folders that do not exist are
    /// left out.
    public init(allowing folders: [String]) {
        var roots: [String] = []
        for folder in folders {
            if let real = Self.realPath(folder), !roots.contains(real) { roots.append(real) }
        }
        self.roots = roots
    }

    /// `path` with every link, `.` and `..` resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` exists and its real path lies in an allowed folder.
    public func allows(_ path: String) -> Bool {
        guard let real = Self.realPath(path) else { return false }
        return roots.contains { root in real == root || real.hasPrefix(root == "/" ? "/" : root + "/") }
    }

    /// Checks a path a lab wants to read: a `DatasetError` when it exists but leads (through a
    /// link) outside the allowed folders. A missing path passes, for the reader to report.
    public func check(_ path: String) throws {
        guard Self.realPath(path) != nil else { return }
        guard allows(path) else {
            throw DatasetError(path: path, "leads outside the folders a lab may read (through a link); a lab reads only "
                + "below the current directory, its own folder, the --data folder and the MNIST cache")
        }
    }
}
