import CZlib
import Foundation

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "lab-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ bytes: [UInt8], gzip: Bool = false) throws {
        if gzip {
            guard let file = gzopen(file(name), "wb") else { throw CocoaError(.fileWriteUnknown) }
            _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
        } else {
            try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// IDX bytes: a big-endian header of `words`, then `body`.
func idx(_ words: [UInt32], _ body: [UInt8]) -> [UInt8] {
    words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } } + body
}
