/// A mistake in a lab file, located in the Markdown file: printed as
/// `labs/x.md:57:5: error: message`, then the source line and a caret under the column.
public struct LabError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The text of the offending line, for the caret display.
    public var sourceLine: String?

    public init(file: String, line: Int, column: Int, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    public var description: String {
        var text = "\(file):\(line):\(column): error: \(message)"
        if let sourceLine {
            text += "\n    " + sourceLine + "\n    " + String(repeating: " ", count: max(column - 1, 0)) + "^"
        }
        return text
    }
}

/// The closest of `candidates` to `word` by edit distance, when it is close enough to be a typo.
func nearest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let lowered = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(lowered, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// "; did you mean 'X'?" when a near candidate exists.
func suggestion(_ word: String, in candidates: [String]) -> String {
    nearest(word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
}
