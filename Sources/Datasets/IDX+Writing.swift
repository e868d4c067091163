import FileOutput
import Foundation

extension IDX {
    /// Images as the bytes of an IDX ubyte file (MNIST's format: magic 2051, count, rows,
    /// columns, then the pixels).
    public static func encodeImages(_ pixels: [UInt8], count: Int, rows: Int, columns: Int) throws -> [UInt8] {
        guard rows > 0, columns > 0, count >= 0, pixels.count == count * rows * columns,
              count <= Int(UInt32.max), rows <= Int(UInt32.max), columns <= Int(UInt32.max) else {
            throw DatasetError(path: "IDX", "\(pixels.count) pixels do not make \(count) images of \(rows)×\(columns)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + pixels.count)
        for word in [imageMagic, UInt32(count), UInt32(rows), UInt32(columns)] {
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) }
        }
        return bytes + pixels
    }

    /// Writes `bytes` (an encoded IDX file) through a temporary file and a rename so no reader
    /// sees half a file.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        do { try AtomicFile.write(bytes, to: path) } catch let failure as AtomicFileError {
            throw DatasetError(path: path, failure.problem)
        }
    }

    /// Writes images as an IDX ubyte file (see `encodeImages` and `write`).
    public static func writeImages(_ pixels: [UInt8], count: Int, rows: Int, columns: Int, to path: String) throws {
        try write(encodeImages(pixels, count: count, rows: rows, columns: columns), to: path)
    }
}
