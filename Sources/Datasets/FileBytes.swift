import CZlib

/// Whole-file reading, with transparent gzip decompression through zlib.
///
/// The only file that calls zlib.
public enum FileBytes {
    /// The bytes of `path`; a `.gz` file (or any file starting with the gzip magic) is decompressed.
    /// A missing, unreadable or corrupt file is a `DatasetError` naming it.
    public static func read(_ path: String) throws -> [UInt8] {
        // gzread passes plain files through unchanged, so one path serves both.
        guard let file = gzopen(path, "rb") else {
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
