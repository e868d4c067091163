import NeuralNet

/// MNIST as CSV, the form of the course's second notebook (`mnist_test.csv`): an optional header
/// line, then one image per row, its label first and then its pixels (0…255) row by row. The
/// images are square; 785 columns give 28×28.
public enum CSVDigits {
    /// Loads the file as `[count, side, side, 1]` pixel values with their labels. A ragged row, a
    /// value that is not a number in range, or a pixel count that is not a square is a
    /// `DatasetError` naming the file, the line and the column.
    public static func load(_ path: String) throws -> ImageDataset {
        let bytes = try FileBytes.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DatasetError(path: path, "not a text file (invalid UTF-8)")
        }
        var pixels: [Float] = []
        var labels: [Int] = []
        var columns: Int?
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if line.allSatisfy({ $0 == " " }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            // A first line whose first field is not a number is the header.
            if labels.isEmpty, columns == nil, Int(fields[0].trimmed) == nil {
                columns = fields.count
                continue
            }
            let expected = columns ?? fields.count
            guard fields.count == expected else {
                throw DatasetError(path: path, "line \(lineNumber) has \(fields.count) values, the lines before it \(expected)")
            }
            columns = expected
            guard let label = Int(fields[0].trimmed), label >= 0 else {
                throw DatasetError(path: path, "line \(lineNumber), column 1: '\(fields[0])' is not a label (a whole number ≥ 0)")
            }
            labels.append(label)
            for (column, field) in fields.dropFirst().enumerated() {
                guard let value = Float(field.trimmed), value >= 0, value <= 255 else {
                    throw DatasetError(path: path, "line \(lineNumber), column \(column + 2): '\(field)' is not a pixel value 0-255")
                }
                pixels.append(value)
            }
        }
        guard let columns, !labels.isEmpty else { throw DatasetError(path: path, "no image rows") }
        let side = Int(Double(columns - 1).squareRoot().rounded())
        guard side > 0, side * side == columns - 1 else {
            throw DatasetError(path: path, "\(columns - 1) pixels per row is not a square image (785 columns give 28×28)")
        }
        return ImageDataset(images: Tensor(shape: [labels.count, side, side, 1], scalars: pixels), labels: labels,
                            name: "CSV digits (\(groupThousands(labels.count)) images) from \(path)", source: path)
    }
}

extension Substring {
    /// Without surrounding spaces and tabs.
    fileprivate var trimmed: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
