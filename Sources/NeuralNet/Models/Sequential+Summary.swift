/// What `model.summary()` reports, as data: one row per layer and the totals.
public struct ModelSummary: Sendable, Equatable {
    /// One layer's line.
    public struct Row: Sendable, Equatable {
        /// The layer name, e.g. `dense_1`.
        public var name: String
        /// The Keras class name, e.g. `Dense`.
        public var type: String
        /// The output shape of one item; printed with `None` for the batch.
        public var outputShape: [Int]
        /// The number of weights.
        public var parameters: Int
    }

    /// The model's name.
    public var modelName: String
    /// The layers in order.
    public var rows: [Row]
    /// All weights.
    public var totalParameters: Int
    /// Weights optimizers update.
    public var trainableParameters: Int
    /// Weights the layers update themselves (moving statistics).
    public var nonTrainableParameters: Int { totalParameters - trainableParameters }
}

extension Sequential {
    /// The Keras-style summary of the model.
    public func summary() -> ModelSummary {
        let rows = zip(layers, outputShapes).map { layer, shape in
            ModelSummary.Row(name: layer.name, type: layer.typeName, outputShape: shape, parameters: layer.parameterCount)
        }
        let trainable = trainableParameters.reduce(0) { $0 + $1.value.count }
        return ModelSummary(modelName: name, rows: rows, totalParameters: parameterCount, trainableParameters: trainable)
    }
}

extension ModelSummary: CustomStringConvertible {
    /// The summary as Keras 3 prints it: a box-drawn table, then the three totals with sizes.
    public var description: String {
        let headers = ["Layer (type)", "Output Shape", "Param #"]
        let cells = rows.map { ["\($0.name) (\($0.type))", kerasShape($0.outputShape), groupThousands($0.parameters)] }
        let widths = (0..<3).map { column in
            max(headers[column].count, cells.map { $0[column].count }.max() ?? 0) + 2
        }
        func line(_ left: String, _ fill: String, _ join: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0) }.joined(separator: join) + right
        }
        func row(_ values: [String], _ bar: String) -> String {
            let padded = values.enumerated().map { column, value in
                let space = String(repeating: " ", count: widths[column] - value.count - 1)
                return column == 2 ? space + value + " " : " " + value + space
            }
            return bar + padded.joined(separator: bar) + bar
        }
        var lines = ["Model: \"\(modelName)\""]
        lines.append(line("┏", "━", "┳", "┓"))
        lines.append(row(headers, "┃"))
        lines.append(line("┡", "━", "╇", "┩"))
        for (index, cell) in cells.enumerated() {
            lines.append(row(cell, "│"))
            lines.append(index == cells.count - 1 ? line("└", "─", "┴", "┘") : line("├", "─", "┼", "┤"))
        }
        lines.append(" Total params: \(groupThousands(totalParameters)) (\(byteSize(totalParameters * 4)))")
        lines.append(" Trainable params: \(groupThousands(trainableParameters)) (\(byteSize(trainableParameters * 4)))")
        lines.append(" Non-trainable params: \(groupThousands(nonTrainableParameters)) (\(byteSize(nonTrainableParameters * 4)))")
        return lines.joined(separator: "\n")
    }
}

/// `1493520` → `1,493,520`.
public func groupThousands(_ value: Int) -> String {
    let digits = String(abs(value))
    var groups: [Substring] = []
    var end = digits.endIndex
    while end > digits.startIndex {
        let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
        groups.insert(digits[start..<end], at: 0)
        end = start
    }
    return (value < 0 ? "-" : "") + groups.joined(separator: ",")
}

/// Bytes as Keras prints them: `5.70 MB`, `14.00 KB`, `0.00 B`.
func byteSize(_ bytes: Int) -> String {
    let units = ["B", "KB", "MB", "GB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) \(units[unit])"
}
