/// Python and Keras habits in a step, and how a lab writes them instead.
///
/// The course's notebooks are Python; a student who writes `True`, `range(10)`, `f"…"`,
/// `epochs=5` or `len(a)` in a step would otherwise get swift-syntax's or the evaluator's view of
/// it ("consecutive statements on a line must be separated by newline or ';'", "unknown name
/// 'True'"). When a step fails, the line of its error is read for these habits, and the error
/// becomes one at the habit that names the lab's form ("write 'true' for Python's 'True'").
///
/// Only a failing line is read, and only for things a lab cannot mean: a name such as `range` or
/// `np` counts as a habit only when the lab has not declared it. A step that runs is never
/// touched, so a habit can only ever explain an error, not make one. The one habit that is valid
/// Swift, `BATCH // 2`, gets notices instead (`integerDivisionNotices`).
enum PythonHabits {
    /// One habit: where it starts on its line (1-based characters) and what to write instead.
    struct Habit: Equatable {
        let column: Int
        let message: String
    }

    /// `error` at the leftmost habit on its line, with up to three of that line's habits named; `error`
    /// itself when its line has none or lies outside `step`. The habits on the other lines the
    /// parser found wrong (`otherWrongLines`) become the error's notes (`notes(on:…)`), so a
    /// pasted notebook cell shows every line to fix at once. `isDefined` tells the names the lab
    /// holds; `knows` the names of the lab's vocabulary.
    static func explain(_ error: LabError, in step: LabFile.Step,
                        isDefined: @escaping (String) -> Bool, knows: @escaping (String) -> Bool) -> LabError {
        let words = CodeWord.read(step.source)
        var explained = error
        let habits = find(in: words, line: error.line - step.firstLine + 1, isDefined: isDefined, knows: knows)
        if let first = habits.first {
            explained.column = first.column
            explained.message = summary(of: habits)
        }
        explained.notes += notes(on: error.otherWrongLines, endingEarly: error.otherWrongLinesEndEarly, of: step, words: words, file: error.file, isDefined: isDefined, knows: knows)
        return explained
    }

    /// Up to three of a line's habits, leftmost first, in one message.
    static func summary(of habits: [Habit]) -> String {
        habits.prefix(3).map(\.message).joined(separator: "; also, ")
    }

    /// The habits on `line` (1-based within `source`), leftmost first, each message once.
    static func find(in source: String, line: Int, isDefined: @escaping (String) -> Bool, knows: @escaping (String) -> Bool) -> [Habit] {
        find(in: CodeWord.read(source), line: line, isDefined: isDefined, knows: knows)
    }

    /// The habits on `line` of a step whose words are `all`.
    static func find(in all: [CodeWord], line: Int, isDefined: @escaping (String) -> Bool, knows: @escaping (String) -> Bool) -> [Habit] {
        // The line with some words around it: the rules look a little way back (the `(` of a
        // call begun on the line before) and ahead (a call's arguments), never further, so a
        // hostile step of a million words costs one pass of the lexer.
        guard let first = all.firstIndex(where: { $0.line == line }), let last = all.lastIndex(where: { $0.line == line }),
              last - first < maximumWordsOnLine else { return [] }
        let words = Array(all[max(0, first - context)...min(all.count - 1, last + context)])
        var habits: [Habit] = []
        for index in words.indices where words[index].line == line {
            let scan = Scan(words: words, index: index, isDefined: isDefined, knows: knows)
            if let message = scan.habit(), !habits.contains(where: { $0.message == message }) {
                habits.append(Habit(column: words[index].column, message: message))
            }
        }
        return habits.sorted { $0.column < $1.column }
    }

    /// The rules, each looking at one word with the words around it.
    private struct Scan {
        let words: [CodeWord]
        let index: Int
        let isDefined: (String) -> Bool
        let knows: (String) -> Bool

        var word: CodeWord { words[index] }
        func at(_ offset: Int) -> CodeWord? {
            words.indices.contains(index + offset) ? words[index + offset] : nil
        }
        /// Whether the word at `offset` is on the same line and reads `text`.
        func next(_ offset: Int, is text: String) -> Bool {
            guard let other = at(offset), other.line == word.line else { return false }
            return other.text == text
        }
        var isFirstOnLine: Bool { at(-1).map { $0.line != word.line } ?? true }
        /// A name the lab has not declared, written as a word.
        func isFree(_ name: String) -> Bool { word.kind == .word && word.text == name && !isDefined(name) }

        func habit() -> String? {
            switch word.kind {
            case .string(let prefix) where prefix.lowercased().contains("f"):
                return "write \(quote(FormattedString.swiftForm(of: word.text))) for Python's \(quote(prefix + word.text)): a lab puts values into a string with \\(…)"
            case .string:
                if next(1, is: "%") { return "put values into a string with \\(…), as \"loss \\(x)\", not with Python's '%'" }
                if word.text.hasPrefix("'") {
                    return "write \(quote(FormattedString.swiftForm(of: word.text))) in double quotes for Python's \(quote(word.text))"
                }
                return nil
            case .number:
                return nil
            case .punctuation:
                return punctuationHabit()
            case .word:
                return wordHabit()
            }
        }

        func punctuationHabit() -> String? {
            switch word.text {
            case "#":
                return "a comment starts with '//' in a lab, not with Python's '#'"
            case "**":
                return "a lab has no '**': write 'x * x', or 'exp(y * log(x))' for x to the power y"
            case ":" where isLastOnLine && blockKeywords.contains(firstWordOnLine ?? ""):
                let example = blockExamples[firstWordOnLine ?? ""] ?? "for i in 0..<3 { … }"
                return "a block goes in braces, as '\(example)', not after ':' with indentation as in Python"
            case "(" where isTuple:
                return "a lab has no tuples: a shape is an array ([28, 28, 1]), a square kernel size or stride one number (kernelSize: 5)"
            case "[" where isSubscript:
                let inside = quote(bracketed(from: index))
                let base = quote(dottedName(endingAt: index - 1) ?? "a")
                if inside == "-1" { return "write '\(base).last' for Python's '\(base)[-1]'" }
                if inside == "0" { return "write '\(base).first' for Python's '\(base)[0]'" }
                return "a lab does not index arrays: '\(base).first' and '\(base).last' are there, and 'for x in \(base)' walks them all"
            default:
                return nil
            }
        }

        func wordHabit() -> String? {
            let text = word.text
            switch text {
            case "True" where isFree(text), "False" where isFree(text):
                return "write '\(text.lowercased())' for Python's '\(text)'"
            case "None" where isFree(text):
                return "a lab has no 'None': leave the argument out to get its default"
            case "and" where isFree(text): return "write 'a && b' for Python's 'a and b'"
            case "or" where isFree(text): return "write 'a || b' for Python's 'a or b'"
            case "not" where isFree(text): return "write '!a' for Python's 'not a'"
            case "elif" where isFree(text): return "write 'else if' for Python's 'elif'"
            case "lambda" where isFree(text): return "a lab has no lambdas; write the expression where it is used"
            case "def" where isFirstOnLine && isFree(text):
                return "a lab cannot define functions ('def'): write the code out, and repeat it with 'for … in'"
            case "import" where isFirstOnLine, "from" where isFirstOnLine && restOfLine.contains("import"):
                return "a lab imports nothing: its vocabulary (Dense, Sequential, MNIST, …) is always there; delete this line"
            case "range" where isFree(text) && next(1, is: "("):
                let arguments = callArguments(from: index + 1).map(quote)
                switch arguments.count {
                case 1: return "write '0..<\(arguments[0])' for Python's 'range(\(arguments[0]))'"
                case 2: return "write '\(arguments[0])..<\(arguments[1])' for Python's 'range(\(arguments.joined(separator: ", ")))'"
                default: return "write 'a..<b' for Python's 'range(a, b)'; a lab's ranges step by 1"
                }
            case "len" where isFree(text) && next(1, is: "("):
                let arguments = callArguments(from: index + 1).map(quote)
                let base = arguments.count == 1 ? arguments[0] : "a"
                return "write '\(base).count' for Python's 'len(\(base))'"
            case "append" where at(-1)?.text == "." && next(1, is: "("), "extend" where at(-1)?.text == "." && next(1, is: "("):
                let base = quote(dottedName(endingAt: index - 2) ?? "a")
                let arguments = callArguments(from: index + 1).map(quote)
                let item = arguments.count == 1 ? arguments[0] : "x"
                return text == "append" ? "write '\(base) += [\(item)]' for Python's '\(base).append(\(item))'"
                                        : "write '\(base) += \(item)' for Python's '\(base).extend(\(item))'"
            case "add" where at(-1)?.text == "." && next(1, is: "(") && at(-2)?.kind == .word:
                return "a model's layers are listed in its block, as 'Sequential(\"G\", input: [100]) { Dense(256); Dense(784) }', not added with Keras's '\(quote(at(-2)!.text)).add(…)'"
            case _ where modulePrefixes.contains(text) && isFree(text) && next(1, is: ".") && !(at(-1)?.text == "."):
                return modulePrefixHabit()
            case "for" where word.depth > 0 && !isFirstOnLine && ["[", "("].contains(words[indexOfOpening(depth: word.depth)].text):
                return "a lab has no comprehensions: start with 'var a = []' and add in a loop, 'for i in 0..<3 { a += [i] }'"
            case "if" where !isFirstOnLine && at(-1)?.text != "else" && restOfLine.contains("else") && !restOfLine.contains("{"):
                return "write 'c ? a : b' for Python's 'a if c else b'"
            case "input_shape" where next(1, is: "=") || next(1, is: ":"):
                let shape = at(2)?.text == "(" || at(2)?.text == "[" ? "[" + quote(callArguments(from: index + 2).joined(separator: ", ")) + "]" : "[…]"
                return "a model's input shape is given once, to its Sequential: 'Sequential(\"G\", input: \(shape)) { … }', not to its first layer"
            case _ where isFirstOnLine && word.depth == 0 && next(1, is: ",") && restOfLine.contains("="):
                return "a lab has no tuple assignment: give each value a 'let' of its own"
            case _ where word.depth > 0 && next(1, is: "=") && [",", "("].contains(at(-1)?.text ?? "")
                && words[indexOfOpening].text == "(":
                let value = callArguments(from: indexOfOpening).first { $0.hasPrefix(text + "=") || $0.hasPrefix(text + " =") }
                let written = quote(value.map { String($0.drop { $0 != "=" }.dropFirst().drop { $0 == " " }) } ?? "…")
                let swift = ["True": "true", "False": "false"][written] ?? written
                return "write '\(quote(text)): \(swift)' for Python's '\(quote(text))=\(written)': a lab labels an argument with ':'"
            default:
                return nil
            }
        }

        /// `np.zeros(…)`, `tf.keras.layers.Dense(…)`: the called name, without its modules.
        func modulePrefixHabit() -> String {
            var cursor = index
            while cursor + 2 < words.count, words[cursor + 1].text == ".", words[cursor + 2].kind == .word { cursor += 2 }
            let name = words[cursor].text
            let written = quote(words[index...cursor].map(\.text).joined())
            let path = words[index...cursor].filter { $0.kind == .word && !modulePrefixes.contains($0.text) }.map(\.text).joined(separator: ".")
            if let renamed = renamedCalls[path], knows(renamed) {
                return "write '\(renamed)(…)' for '\(written)(…)': a lab's names have no module prefix, and this one is '\(renamed)'"
            }
            if cursor > index, knows(name) {
                return "write '\(quote(name))(…)' for '\(written)(…)': a lab's names have no module prefix"
            }
            return "a lab's names have no module prefix ('\(quote(word.text)).'); docs/DSL.md lists each with its Keras or NumPy form"
        }

        /// `x.shape` for the words `x . shape` ending at `end`; nil when `end` is not a word.
        func dottedName(endingAt end: Int) -> String? {
            guard words.indices.contains(end), words[end].kind == .word else { return nil }
            var start = end
            while start >= 2, words[start - 1].text == ".", words[start - 2].kind == .word { start -= 2 }
            return words[start...end].map(\.text).joined()
        }

        var isLastOnLine: Bool { at(1).map { $0.line != word.line } ?? true }
        var firstWordOnLine: String? { words.first { $0.line == word.line }?.text }
        var restOfLine: [String] { words[index...].prefix { $0.line == word.line }.map(\.text) }

        /// A `(` that opens a tuple: not a call (no name, `)` or `]` right before it) and with a
        /// comma of its own inside.
        var isTuple: Bool {
            if let before = at(-1), before.line == word.line, before.kind == .word || [")", "]", "?"].contains(before.text) { return false }
            return words[(index + 1)...].prefix { !($0.depth == word.depth && $0.text == ")") }
                .contains { $0.depth == word.depth + 1 && $0.text == "," }
        }

        /// A `[` right after a name, `)` or `]`, with no space: Python's indexing.
        var isSubscript: Bool {
            guard let before = at(-1), before.line == word.line, before.kind == .word || [")", "]"].contains(before.text) else { return false }
            return before.column + before.text.count == word.column
        }

        /// The `(` of the call whose arguments this word is in.
        var indexOfOpening: Int { indexOfOpening(depth: word.depth) }

        /// The bracket this word is in, when it is `depth` deep (the first word when none is).
        func indexOfOpening(depth: Int) -> Int {
            var cursor = index
            while cursor > 0, !(["(", "[", "{"].contains(words[cursor].text) && words[cursor].depth == depth - 1) { cursor -= 1 }
            return cursor
        }

        /// The text between the bracket at `open` and its partner.
        func bracketed(from open: Int) -> String {
            callArguments(from: open).joined(separator: ", ")
        }

        /// The arguments of the bracket at `open`, each as its words joined as written.
        func callArguments(from open: Int) -> [String] {
            guard words.indices.contains(open) else { return [] }
            let depth = words[open].depth
            var arguments: [[CodeWord]] = [[]]
            for word in words[(open + 1)...] {
                if word.depth == depth { break }
                if word.depth == depth + 1, word.text == "," { arguments.append([]); continue }
                arguments[arguments.count - 1].append(word)
            }
            return arguments.filter { !$0.isEmpty }.map(Self.spelled)
        }

        /// Words joined with a space where the source had one.
        static func spelled(_ words: [CodeWord]) -> String {
            var text = ""
            for (offset, word) in words.enumerated() {
                if offset > 0 {
                    let previous = words[offset - 1]
                    let width = stringPrefix(previous).count + previous.text.count
                    if previous.line != word.line || previous.column + width < word.column { text += " " }
                }
                text += stringPrefix(word) + word.text
            }
            return text
        }

        static func stringPrefix(_ word: CodeWord) -> String {
            if case .string(let prefix) = word.kind { prefix } else { "" }
        }
    }

    /// A line with more words is left as it is; the words around the line the rules may read.
    static let maximumWordsOnLine = 2_000
    static let context = 200
    /// The longest piece of a lab's code an advice quotes; longer ones are cut with "…".
    static let longestQuote = 60

    /// `text`, cut to `longestQuote` characters.
    static func quote(_ text: String) -> String {
        text.count > longestQuote ? String(text.prefix(longestQuote)) + "…" : text
    }

    static let blockKeywords: Set<String> = ["for", "if", "elif", "else", "while", "with", "try", "except", "def", "class"]
    /// A block in braces for the keywords that a lab has too (a lab has no `while`: a `for` instead).
    static let blockExamples: [String: String] = ["if": "if x > 0 { … }", "elif": "} else if x > 0 { … }", "else": "} else { … }"]
    static let modulePrefixes: Set<String> = ["np", "numpy", "tf", "keras", "layers", "plt", "math"]
    /// NumPy and TensorFlow calls whose name in a lab differs (module prefixes dropped).
    static let renamedCalls: [String: String] = [
        "random.normal": "randomNormal", "random.randn": "randomNormal", "random.uniform": "randomUniform",
        "random.rand": "randomUniform", "random.set_seed": "seed", "random.seed": "seed", "constant": "tensor",
        "array": "tensor", "ones_like": "ones", "zeros_like": "zeros", "imshow": "imageGrid", "plot": "lineChart",
    ]
}
