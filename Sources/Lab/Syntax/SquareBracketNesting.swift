/// How deeply a step's code nests `[`, checked before swift-syntax parses it.
///
/// At every `[` in an expression swift-syntax's parser looks ahead for an inline array type
/// (`[3 of Int]`), and those lookaheads nest: the parse takes twice as long for each `[` open at
/// once. Found by fuzzing `FuzzLabStep`: `let x = [[[…[1]…]]]` with 24 levels made `lab check`
/// take 26 s (20 levels 1.5 s; 30 would take half an hour), and a lab file must never hang
/// `lab`. Labs nest a few. Each `[` costs 2^depth (its depth counting itself); a step may nest `[` at most
/// `maximumDepth` deep and spend at most `budget` in all (about 0.2 s of parsing on the Zen 4 VM).
/// `[` inside string literals and comments do not count; inside an interpolation they do.
///
/// The same scan bounds how deeply string literals nest through interpolations (`"\("\(…)")"`):
/// swift-syntax's lexer copies its stack of open literals into every token it makes, so a step
/// of strings nested 10,000 deep took 22 s and 4.7 GB to reject, and 100,000 deep ran the machine
/// out of memory (found while testing `PythonHabits`' lexer). Labs nest one or two.
enum SquareBracketNesting {
    /// The most `#` a step may write in a row outside strings and comments: swift-syntax's lexer
    /// reads the rest of a run again at each `#` (for a raw string's delimiter and a regular
    /// expression's), so 60,000 in a row made `lab check` take 19.5 s. Raw strings take one to three.
    static let maximumHashes = 16
    /// The most `[` a step may have open at once.
    static let maximumDepth = 12
    /// The most string literals a step may have open at once, each inside the last's `\(…)`.
    static let maximumStringDepth = 8
    /// The most a step's `[` may cost together (a single nest 16 deep costs 2^17 − 2).
    static let budget = 1 << 17
    /// The most all of a lab's steps may cost together, so that a file of many steps, each
    /// within `budget`, cannot add up to a hang either (a lab that spends it all: `lab check`
    /// 0.56–0.61 s on the Zen 4 VM).
    static let fileBudget = 1 << 19

    /// Where the limit was passed (a UTF-8 offset into the source) and what to say.
    struct Finding: Error, Equatable {
        let utf8Offset: Int
        let message: String

        /// The line and column (both from 1, the column in UTF-8 bytes as swift-syntax counts it)
        /// of the offset in `source`.
        func lineAndColumn(in source: String) -> (line: Int, column: Int) {
            let before = source.utf8.prefix(utf8Offset)
            let line = 1 + before.filter { $0 == UInt8(ascii: "\n") }.count
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0
            return (line, utf8Offset - lineStart + 1)
        }
    }

    /// The first `[` of `source` past either limit, nil when there is none.
    static func check(_ source: String) -> Finding? {
        scan(source, spent: 0, budget: budget, maximumDepth: maximumDepth).finding
    }

    /// What `source`'s `[` cost on top of `spent`, and the first `[` where the total passes
    /// `budget` or the depth passes `maximumDepth`.
    static func scan(_ source: String, spent: Int, budget: Int, maximumDepth: Int) -> (finding: Finding?, cost: Int) {
        var scanner = Scanner(bytes: Array(source.utf8), cost: spent, budget: budget, maximumDepth: maximumDepth)
        let finding = scanner.run()
        return (finding, scanner.cost)
    }

    /// A lexer just good enough to tell code from string literals and comments.
    private struct Scanner {
        enum Mode {
            /// Code; `parentheses` open since an interpolation began (nil outside one).
            case code(parentheses: Int?)
            /// A string literal with `hashes` `#` around it, on several lines when `multiline`.
            case string(hashes: Int, multiline: Bool)
            /// A block comment `depth` levels deep (they nest in Swift).
            case blockComment(depth: Int)
        }

        let bytes: [UInt8]
        var index = 0
        var modes: [Mode] = [.code(parentheses: nil)]
        var depth = 0
        var cost: Int
        let budget: Int, maximumDepth: Int
        let maximumStringDepth = SquareBracketNesting.maximumStringDepth

        init(bytes: [UInt8], cost: Int, budget: Int, maximumDepth: Int) {
            self.bytes = bytes
            self.cost = cost
            self.budget = budget
            self.maximumDepth = maximumDepth
        }

        func byte(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        /// Whether `text` (ASCII) starts at the current index.
        func at(_ text: String) -> Bool {
            text.utf8.enumerated().allSatisfy { byte($0.offset) == $0.element }
        }

        mutating func run() -> Finding? {
            while index < bytes.count {
                switch modes[modes.count - 1] {
                case .code(let parentheses):
                    if let finding = code(parentheses: parentheses) { return finding }
                case .string(let hashes, let multiline):
                    string(hashes: hashes, multiline: multiline)
                case .blockComment(let level):
                    if at("/*") {
                        modes[modes.count - 1] = .blockComment(depth: level + 1)
                        index += 2
                    } else if at("*/") {
                        if level == 1 { modes.removeLast() } else { modes[modes.count - 1] = .blockComment(depth: level - 1) }
                        index += 2
                    } else {
                        index += 1
                    }
                }
            }
            return nil
        }

        mutating func code(parentheses: Int?) -> Finding? {
            let current = bytes[index]
            if at("//") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                return nil
            }
            if at("/*") {
                modes.append(.blockComment(depth: 1))
                index += 2
                return nil
            }
            var hashes = 0
            while byte(hashes) == UInt8(ascii: "#") { hashes += 1 }
            if byte(hashes) == UInt8(ascii: "\"") {
                let strings = 1 + modes.filter { if case .string = $0 { true } else { false } }.count
                if strings > maximumStringDepth {
                    return Finding(utf8Offset: index, message: "string literals nest \(strings) deep here, each inside the last's \\(…); "
                        + "a step may nest at most \(maximumStringDepth)")
                }
                index += hashes
                let multiline = at("\"\"\"")
                index += multiline ? 3 : 1
                modes.append(.string(hashes: hashes, multiline: multiline))
                return nil
            }
            if hashes > maximumHashes {
                return Finding(utf8Offset: index, message: "'#' comes \(hashes) times in a row here; a step may write at most "
                    + "\(maximumHashes) in a row (Swift's lexer reads a run of them again from each '#')")
            }
            if hashes > 0 {
                // A run of '#' before no quote: past it at once, not counted again from each '#'
                // (200,000 of them took this scan 16 s).
                index += hashes
                return nil
            }
            switch current {
            case UInt8(ascii: "["):
                depth += 1
                cost += 1 << min(depth, 40)
                if depth > maximumDepth {
                    return Finding(utf8Offset: index, message: "'[' nests \(depth) deep here; a step may nest at most "
                        + "\(maximumDepth) (Swift's parser takes twice as long for each level)")
                }
                if cost > budget {
                    return Finding(utf8Offset: index, message: "too many nested '[': Swift's parser takes twice as long "
                        + "for each '[' open at once, and with this one the code would take too long to read; nest fewer brackets")
                }
            case UInt8(ascii: "]"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "("):
                if let parentheses { modes[modes.count - 1] = .code(parentheses: parentheses + 1) }
            case UInt8(ascii: ")"):
                if let parentheses {
                    if parentheses == 0 { modes.removeLast() } else { modes[modes.count - 1] = .code(parentheses: parentheses - 1) }
                }
            default:
                break
            }
            index += 1
            return nil
        }

        mutating func string(hashes: Int, multiline: Bool) {
            let current = bytes[index]
            if current == UInt8(ascii: "\\") {
                var escape = 1
                while escape <= hashes, byte(escape) == UInt8(ascii: "#") { escape += 1 }
                guard escape == hashes + 1 else {
                    index += 1
                    return
                }
                if byte(escape) == UInt8(ascii: "(") {
                    index += escape + 1
                    modes.append(.code(parentheses: 0))
                } else {
                    index += escape + 1 // the escaped character, whatever it is
                }
                return
            }
            if current == UInt8(ascii: "\"") {
                let quotes = multiline ? 3 : 1
                var closing = 0
                while closing < quotes, byte(closing) == UInt8(ascii: "\"") { closing += 1 }
                var closingHashes = 0
                while closing == quotes, closingHashes < hashes, byte(closing + closingHashes) == UInt8(ascii: "#") { closingHashes += 1 }
                if closing == quotes, closingHashes == hashes {
                    index += quotes + hashes
                    modes.removeLast()
                    return
                }
            }
            if current == UInt8(ascii: "\n"), !multiline {
                modes.removeLast() // an unterminated literal ends with its line, as the parser recovers
            }
            index += 1
        }
    }
}
