import Datasets
import Foundation

/// What a step read from disk, as the cache remembers it: a file's size and modification time (or
/// that it was absent), or a folder's listing. A cached step is used only while every one of its
/// inputs is still as it was.
struct InputFingerprint: Equatable {
    enum Kind: UInt8 {
        case file = 1, folder = 2
    }

    var kind: Kind
    var path: String
    var signature: String

    /// A file as it is now: `size@mtime`, or `absent`.
    static func file(_ path: String) -> InputFingerprint {
        InputFingerprint(kind: .file, path: path, signature: fileSignature(path))
    }

    /// A folder as it is now: a digest of every file below it with its size and time.
    static func folder(_ path: String) -> InputFingerprint {
        let files = (FileManager.default.subpaths(atPath: path) ?? []).sorted()
        let listing = files.map { "\($0)=\(fileSignature((path as NSString).appendingPathComponent($0)))" }.joined(separator: "\n")
        return InputFingerprint(kind: .folder, path: path, signature: files.isEmpty ? "absent or empty" : MD5.hex(Array(listing.utf8)))
    }

    /// True when the input is still as it was recorded.
    var isCurrent: Bool {
        switch kind {
        case .file: Self.fileSignature(path) == signature
        case .folder: Self.folder(path).signature == signature
        }
    }

    private static func fileSignature(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber else { return "absent" }
        let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size.int64Value)@\(time)"
    }
}
