#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import FileOutput
import NeuralNet

/// Whole-file reading, with transparent gzip decompression through zlib.
///
/// The only file that calls zlib.
public enum FileBytes {
    /// The most a data file may hold once decompressed: 1 GiB (MNIST's training images are 47 MB),
    /// or less on a machine with less memory. A larger file, or a small gzip file that inflates
    /// past it, is refused before it can take the memory.
    public static var maximumSize: Int { min(1 << 30, MemoryBudget.bytes) }

    /// The bytes of `path`; a `.gz` file (or any file starting with the gzip magic) is decompressed.
    /// A missing, unreadable, corrupt or oversized file, and anything that is not a regular file
    /// (a FIFO, a device, a socket, which could block or never end), is a `DatasetError` naming it.
    public static func read(_ path: String, maximumSize limit: Int = maximumSize) throws -> [UInt8] {
        let descriptor: Int32
        do {
            descriptor = try StoredFile.openRegular(path, followingLinks: true).descriptor
        } catch let error as StoredFileError {
            throw DatasetError(path: path, error.problem == .notRegular
                ? "not a regular file (a folder, a device, a FIFO or a socket); a lab reads only files"
                : "cannot open the file (missing or not readable)")
        }
        // gzread passes plain files through unchanged, so one path serves both.
        guard let file = gzdopen(descriptor, "rb") else {
            close(descriptor)
            throw DatasetError(path: path, "cannot open the file (missing or not readable)")
        }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
                throw DatasetError(path: path, "the compressed data is corrupt (\(message))")
            }
            if count == 0 { break }
            guard bytes.count + Int(count) <= limit else {
                throw DatasetError(path: path, "larger than \(MemoryBudget.describe(limit)) (decompressed); "
                    + "lab refuses data files this large (a damaged or hostile file?)")
            }
            bytes.append(contentsOf: chunk[0..<Int(count)])
        }
        // A truncated gzip stream ends early without an error from gzread; zlib says so here.
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK && code != Z_STREAM_END {
            throw DatasetError(path: path, "the compressed data is truncated or corrupt")
        }
        return bytes
    }
}
