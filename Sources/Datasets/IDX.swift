import NeuralNet

/// The IDX format of MNIST and its relatives (Fashion-MNIST, KMNIST): a big-endian header, then
/// unsigned bytes. Images: magic 2051, count, rows, columns, pixels; labels: magic 2049, count, labels.
public enum IDX {
    /// Image files' magic number (0x00000803).
    public static let imageMagic: UInt32 = 2051
    /// Label files' magic number (0x00000801).
    public static let labelMagic: UInt32 = 2049

    /// The images of an IDX image file (gzip or raw), as `[count, rows, columns, 1]` pixel values 0…255.
    public static func readImages(_ path: String) throws -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        let bytes = try FileBytes.read(path)
        let header = try readHeader(bytes, path: path, magic: imageMagic, words: 4, kind: "image")
        let (count, rows, columns) = (header[1], header[2], header[3])
        guard rows > 0, columns > 0 else {
            throw DatasetError(path: path, "the header gives an image size of \(rows)×\(columns)")
        }
        // Checked against the file's real size before anything is allocated for the images; the
        // product of the header's sizes may not even fit in a number.
        guard let size = MemoryBudget.elementCount([count, rows, columns]), size <= Int.max - 16 else {
            throw DatasetError(path: path,
                "damaged: the header claims \(count) images of \(rows)×\(columns), the file has \(bytes.count) bytes")
        }
        let expected = 16 + size
        guard bytes.count >= expected else {
            throw DatasetError(path: path,
                "truncated: \(count) images of \(rows)×\(columns) need \(expected) bytes, the file has \(bytes.count)")
        }
        guard bytes.count == expected else {
            throw DatasetError(path: path, "\(bytes.count - expected) unexpected bytes after \(count) images")
        }
        return (count, rows, columns, Array(bytes[16...]))
    }

    /// The labels of an IDX label file (gzip or raw).
    public static func readLabels(_ path: String) throws -> [UInt8] {
        let bytes = try FileBytes.read(path)
        let count = try readHeader(bytes, path: path, magic: labelMagic, words: 2, kind: "label")[1]
        guard bytes.count == 8 + count else {
            throw DatasetError(path: path,
                bytes.count < 8 + count
                    ? "truncated: \(count) labels need \(8 + count) bytes, the file has \(bytes.count)"
                    : "\(bytes.count - 8 - count) unexpected bytes after \(count) labels")
        }
        return Array(bytes[8...])
    }

    private static func readHeader(_ bytes: [UInt8], path: String, magic: UInt32, words: Int, kind: String) throws -> [Int] {
        guard bytes.count >= 4 * words else {
            throw DatasetError(path: path, "too short for an IDX \(kind) header (\(bytes.count) bytes)")
        }
        let values = (0..<words).map { word in
            (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[4 * word + $1]) }
        }
        guard values[0] == magic else {
            let other = values[0] == imageMagic ? " (an image file)" : values[0] == labelMagic ? " (a label file)" : ""
            throw DatasetError(path: path,
                "not an IDX \(kind) file: magic number \(values[0])\(other), expected \(magic)")
        }
        return values.map { Int($0) }
    }
}
