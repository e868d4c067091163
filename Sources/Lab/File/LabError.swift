/// A mistake in a lab file, located in the Markdown file: printed as
/// `labs/x.md:57:5: error: message`, then the source line and a caret under the column.
public struct LabError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The text of the offending line, for the caret display.
    public var sourceLine: String?
    /// Other lines (of the file) that the same check found wrong: the parser's further
    /// diagnostics in a step, which its first error alone does not show. Not printed; an
    /// explanation may turn them into `notes`.
    public var otherWrongLines: [Int] = []
    /// Whether the check stopped reading before the end, so that more lines may be wrong.
    public var otherWrongLinesEndEarly = false
    /// Further places that need the same fix, printed after the error as `file:line:column: note: …`.
    public var notes: [LabError] = []

    public init(file: String, line: Int, column: Int, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    public var description: String {
        notes.reduce(rendered(as: "error")) { $0 + "\n" + $1.rendered(as: "note") }
    }

    /// `file:line:column: kind: message`, with the line and a caret under the column when known.
    private func rendered(as kind: String) -> String {
        var text = "\(file):\(line):\(column): \(kind): \(message)"
        if let sourceLine {
            // The caret lines up under wide (Hangul, CJK) characters, which take two cells.
            let before = sourceLine.prefix(max(column - 1, 0))
            let cells = before.reduce(0) { $0 + ($1 == "\t" ? 1 : Self.cellWidth($1)) }
            let padding = before.map { $0 == "\t" ? "\t" : "" }.joined() + String(repeating: " ", count: cells - before.filter { $0 == "\t" }.count)
            text += "\n    " + sourceLine + "\n    " + padding + "^"
        }
        return text
    }

    /// The column (1-based, in characters as an editor counts them) of the UTF-8 byte column
    /// `byteColumn` in `line`; swift-syntax counts bytes.
    static func characterColumn(byteColumn: Int, in line: String) -> Int {
        let bytes = Array(line.utf8.prefix(max(byteColumn - 1, 0)))
        return String(decoding: bytes, as: UTF8.self).count + 1
    }

    /// Terminal cells a character takes: two for East Asian wide characters, else one.
    static func cellWidth(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first?.value else { return 1 }
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                           0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                           0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
        return wide.contains { $0.contains(scalar) } ? 2 : 1
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
