import Foundation

/// Writes whole files so that no reader ever sees half of one: the bytes go to a temporary file
/// beside the target (`<path>.partial-<random>`), which is renamed over the target only when
/// complete. A crash, a full disk or Ctrl-C leaves the old file (or none) and at most a
/// temporary one, never a truncated target. Reports, figures, cache entries, exported samples
/// and the stored evaluator are written this way.
public enum AtomicFile {
    /// What every temporary name contains, for cleanups that remove leftovers.
    public static let temporaryMarker = ".partial-"

    /// Replaces `path` with `bytes` in one step.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + temporaryMarker + String(UInt32.random(in: 0...UInt32.max))
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        } catch {
            unlink(temporary)
            throw AtomicFileError(path: path, problem: "cannot write the file (\(error.localizedDescription))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicFileError(path: path, problem: "cannot move the finished file into place (\(reason))")
        }
    }

    /// Whether `name` is a temporary file this type writes (a leftover when found later).
    public static func isTemporary(_ name: String) -> Bool {
        name.contains(temporaryMarker)
    }
}

/// A file that could not be written: which one and why.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}
