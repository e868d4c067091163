/// A step's code cut into words, numbers, strings and punctuation by a small lexer of its own,
/// for `PythonHabits`: it must read code that swift-syntax rejects (`f"…"`, `'…'`, `#` comments,
/// `**`), so it does not use swift-syntax's tokens.
struct CodeWord: Equatable {
    enum Kind: Equatable {
        case word, number, punctuation
        /// A string literal, with the letters written right before its quote (Python's `f`, `r`,
        /// `b`; empty for a plain string).
        case string(prefix: String)
    }

    var kind: Kind
    /// The text as written (a string with its quotes, without its prefix).
    var text: String
    /// 1-based line within the step, and 1-based column in characters.
    var line: Int
    var column: Int
    /// How many brackets (`(`, `[`, `{`) are open before this word, counted through the step.
    var depth: Int

    /// Cuts `source` into words. Comments (`//`, `/* */`) are left out; a `#` that does not open
    /// a raw string is punctuation (a Python comment to `PythonHabits`). Never fails: an
    /// unterminated string ends at the end of its line.
    static func read(_ source: String) -> [CodeWord] {
        var reader = Reader(characters: Array(source))
        return reader.readAll()
    }

    /// The words, and the `//` comments (each a word whose text is what follows the `//`).
    static func readWithComments(_ source: String) -> (words: [CodeWord], comments: [CodeWord]) {
        var reader = Reader(characters: Array(source))
        let words = reader.readAll()
        return (words, reader.comments)
    }

    private struct Reader {
        let characters: [Character]
        var index = 0, line = 1, lineStart = 0, depth = 0
        var words: [CodeWord] = []
        var comments: [CodeWord] = []

        static let prefixes: Set<String> = ["f", "F", "r", "R", "b", "B", "u", "U", "rf", "fr", "Rf", "fR", "RF", "FR", "rb", "br", "Rb", "bR"]
        /// Far beyond any lab's strings, far below what would exhaust the stack.
        static let maximumInterpolationDepth = 32
        static let longPunctuation = ["..<", "...", "**", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "&&", "||", "->"]

        func peek(_ offset: Int = 0) -> Character? {
            index + offset < characters.count ? characters[index + offset] : nil
        }

        mutating func advance() {
            if characters[index] == "\n" { line += 1; lineStart = index + 1 }
            index += 1
        }

        mutating func readAll() -> [CodeWord] {
            while let c = peek() {
                let column = index - lineStart + 1, startLine = line
                if c.isWhitespace { advance(); continue }
                if c == "/", peek(1) == "/" {
                    advance(); advance()
                    let start = index
                    while let n = peek(), n != "\n" { advance() }
                    comments.append(CodeWord(kind: .word, text: String(characters[start..<index]), line: startLine, column: column, depth: depth))
                    continue
                }
                if c == "/", peek(1) == "*" { skipBlockComment(); continue }
                let start = index
                if c == "\"" || c == "'" {
                    skipString()
                    add(.string(prefix: ""), from: start, startLine, column)
                } else if c == "#", peek(1) == "\"" || peek(1) == "#" {
                    skipRawString()
                    add(.string(prefix: ""), from: start, startLine, column)
                } else if c.isLetter || c == "_" {
                    while let n = peek(), n.isLetter || n.isNumber || n == "_" { advance() }
                    let word = String(characters[start..<index])
                    if let quote = peek(), quote == "\"" || quote == "'", Self.prefixes.contains(word) {
                        let stringStart = index
                        skipString()
                        add(.string(prefix: word), from: stringStart, startLine, column)
                    } else {
                        add(.word, from: start, startLine, column)
                    }
                } else if c.isNumber {
                    while let n = peek(), n.isLetter || n.isNumber || n == "_" || (n == "." && peek(1)?.isNumber == true) { advance() }
                    add(.number, from: start, startLine, column)
                } else {
                    let rest = String(characters[index..<min(index + 3, characters.count)])
                    let length = Self.longPunctuation.first { rest.hasPrefix($0) }?.count ?? 1
                    for _ in 0..<length { advance() }
                    add(.punctuation, from: start, startLine, column)
                }
            }
            return words
        }

        mutating func add(_ kind: Kind, from start: Int, _ line: Int, _ column: Int) {
            let text = String(characters[start..<index])
            if kind == .punctuation, [")", "]", "}"].contains(text) { depth = max(depth - 1, 0) }
            words.append(CodeWord(kind: kind, text: text, line: line, column: column, depth: depth))
            if kind == .punctuation, ["(", "[", "{"].contains(text) { depth += 1 }
        }

        mutating func skipBlockComment() {
            advance(); advance()
            while let c = peek(), !(c == "*" && peek(1) == "/") { advance() }
            if peek() != nil { advance(); advance() }
        }

        /// From an opening `"`, `"""` or `'` past its closing one (or the end of the line for a
        /// one-line string left open); `\(…)` interpolations may hold strings of their own, to
        /// `maximumInterpolationDepth` levels (deeper, the rest of the line is taken as string).
        mutating func skipString(depth: Int = 0) {
            let quote = characters[index]
            if quote == "\"", peek(1) == "\"", peek(2) == "\"" {
                for _ in 0..<3 { advance() }
                while peek() != nil, !(peek() == "\"" && peek(1) == "\"" && peek(2) == "\"") {
                    if peek() == "\\" { advance() }
                    if peek() != nil { advance() }
                }
                for _ in 0..<3 where peek() != nil { advance() }
                return
            }
            advance()
            while let c = peek(), c != "\n" {
                if c == quote { advance(); return }
                if c == "\\", peek(1) == "(" {
                    advance(); advance()
                    guard depth < Self.maximumInterpolationDepth else {
                        while let n = peek(), n != "\n" { advance() }
                        return
                    }
                    skipInterpolation(depth: depth + 1)
                    continue
                }
                if c == "\\" { advance() }
                if peek() != nil, peek() != "\n" { advance() }
            }
        }

        mutating func skipInterpolation(depth: Int) {
            var open = 1
            while let c = peek(), c != "\n", open > 0 {
                if c == "\"" { skipString(depth: depth); continue }
                if c == "(" { open += 1 } else if c == ")" { open -= 1 }
                advance()
            }
        }

        /// `#"…"#`, with any number of `#`.
        mutating func skipRawString() {
            var hashes = 0
            while peek() == "#" { hashes += 1; advance() }
            guard peek() == "\"" else { return }
            advance()
            while let c = peek() {
                if c == "\"", (0..<hashes).allSatisfy({ peek(1 + $0) == "#" }) {
                    for _ in 0...hashes { advance() }
                    return
                }
                advance()
            }
        }
    }
}
