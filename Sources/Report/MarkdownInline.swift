/// Inline Markdown: code spans, links and images, autolinks, emphasis, escapes and hard
/// breaks, in one pass over the text after matching brackets and backtick runs in linear
/// time. Raw HTML tags are dropped; everything else is escaped.
struct MarkdownInline {
    let depth: Int

    /// A piece of output: text or markup already rendered, or a run of `*`/`_` that may
    /// become emphasis.
    private struct Piece {
        var html: String
        var delimiter: Character? = nil
        var count = 0
        var canOpen = false
        var canClose = false
        var opening = ""   // tags placed after the literal delimiters that stay
        var closing = ""   // tags placed before them
    }

    func render(_ text: String) -> String {
        let chars = Array(text)
        let n = chars.count
        // Code spans: a run of k backticks closes at the next run of exactly k.
        var codeEnd = [Int](repeating: -1, count: n)
        do {
            var runs: [(start: Int, length: Int)] = []
            var i = 0
            while i < n {
                if chars[i] == "`" {
                    let start = i
                    while i < n && chars[i] == "`" { i += 1 }
                    runs.append((start, i - start))
                } else {
                    i += 1
                }
            }
            // For each run, the next run of the same length (found walking backwards).
            var nextSame = [Int](repeating: -1, count: runs.count)
            var latest: [Int: Int] = [:]
            for index in runs.indices.reversed() {
                nextSame[index] = latest[runs[index].length] ?? -1
                latest[runs[index].length] = index
            }
            var index = 0
            while index < runs.count {
                if nextSame[index] >= 0 {
                    codeEnd[runs[index].start] = runs[nextSame[index]].start
                    index = nextSame[index] + 1
                } else {
                    index += 1
                }
            }
        }
        // Brackets matched with a stack, outside code spans; `)` and `>` positions ahead.
        var closeBracket = [Int](repeating: -1, count: n)
        var nextParen = [Int](repeating: -1, count: n + 1)
        var nextAngle = [Int](repeating: -1, count: n + 1)
        var nextDollar = [Int](repeating: -1, count: n + 1)
        do {
            var stack: [Int] = []
            var i = 0
            while i < n {
                if codeEnd[i] >= 0 { i = skipCode(chars, i, codeEnd); continue }
                if chars[i] == "\\" { i += 2; continue }
                if chars[i] == "[" { stack.append(i) }
                if chars[i] == "]", let open = stack.popLast() { closeBracket[open] = i }
                i += 1
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                nextParen[i] = chars[i] == ")" ? i : nextParen[i + 1]
                nextAngle[i] = chars[i] == ">" ? i : nextAngle[i + 1]
                nextDollar[i] = chars[i] == "$" ? i : nextDollar[i + 1]
            }
        }

        var pieces: [Piece] = []
        var text = ""
        func flush() {
            if !text.isEmpty { pieces.append(Piece(html: text)); text = "" }
        }
        var i = 0
        while i < n {
            let c = chars[i]
            if c == "\\", i + 1 < n, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                text += escapeHTML(String(chars[i + 1]))
                i += 2
            } else if c == "\\", i + 1 < n, chars[i + 1] == "\n" {
                text += "<br>\n"
                i += 2
            } else if c == "`", codeEnd[i] >= 0 {
                let runLength = chars[i...].prefix { $0 == "`" }.count
                var code = String(chars[(i + runLength)..<codeEnd[i]]).replacingOccurrences(of: "\n", with: " ")
                if code.count >= 2, code.hasPrefix(" "), code.hasSuffix(" "), code.contains(where: { $0 != " " }) {
                    code = String(code.dropFirst().dropLast())
                }
                text += "<code>" + escapeHTML(code) + "</code>"
                i = codeEnd[i] + runLength
            } else if c == "`" {
                let runLength = chars[i...].prefix { $0 == "`" }.count
                text += String(repeating: "`", count: runLength)
                i += runLength
            } else if (c == "[" || (c == "!" && i + 1 < n && chars[i + 1] == "[")), let link = linkAt(chars, c == "!" ? i + 1 : i, closeBracket, nextParen) {
                let label = String(chars[(link.labelStart)..<link.labelEnd])
                if c == "!" {
                    if let url = SafeURL.image(link.url) {
                        text += "<img src=\"\(escapeHTML(url))\" alt=\"\(escapeHTML(Self.plain(label)))\">"
                    } else {
                        text += escapeHTML(Self.plain(label))
                    }
                } else {
                    let inner = depth < Markdown.maximumDepth ? MarkdownInline(depth: depth + 1).render(label) : escapeHTML(label)
                    if let url = SafeURL.link(link.url) {
                        text += "<a href=\"\(escapeHTML(url))\">" + inner + "</a>"
                    } else {
                        text += inner
                    }
                }
                i = link.end + 1
            } else if c == "<", i + 1 < n, nextAngle[i + 1] > i {
                let end = nextAngle[i + 1]
                let inside = String(chars[(i + 1)..<end])
                if !inside.contains(" "), !inside.contains("\n"), let url = SafeURL.link(inside), inside.contains(":") {
                    text += "<a href=\"\(escapeHTML(url))\">" + escapeHTML(inside) + "</a>"
                    i = end + 1
                } else if let first = inside.first, first.isLetter || first == "/" || first == "!" || first == "?" {
                    // Raw HTML: dropped. Its text (between tags) still shows, escaped.
                    i = end + 1
                } else {
                    text += "&lt;"
                    i += 1
                }
            } else if c == "*" || c == "_" {
                flush()
                var j = i
                while j < n && chars[j] == c { j += 1 }
                let before: Character? = i > 0 ? chars[i - 1] : nil
                let after: Character? = j < n ? chars[j] : nil
                let leftFlanking = after.map { !$0.isWhitespace } ?? false
                let rightFlanking = before.map { !$0.isWhitespace } ?? false
                var canOpen = leftFlanking, canClose = rightFlanking
                if c == "_" {
                    canOpen = canOpen && !(before.map { $0.isLetter || $0.isNumber } ?? false)
                    canClose = canClose && !(after.map { $0.isLetter || $0.isNumber } ?? false)
                }
                pieces.append(Piece(html: "", delimiter: c, count: j - i, canOpen: canOpen, canClose: canClose))
                i = j
            } else if c == "$", let end = Self.inlineMathEnd(chars, i, nextDollar) {
                text += TeXMath.mathML(String(chars[(i + 1)..<end]), display: false)
                i = end + 1
            } else if c == "\n", text.hasSuffix("  ") {
                while text.hasSuffix(" ") { text.removeLast() }
                text += "<br>\n"
                i += 1
            } else {
                text += escapeHTML(String(c))
                i += 1
            }
        }
        flush()
        Self.matchEmphasis(&pieces)
        return pieces.map { piece in
            guard let delimiter = piece.delimiter else { return piece.html }
            return piece.closing + String(repeating: delimiter, count: piece.count) + piece.opening
        }.joined()
    }

    private func skipCode(_ chars: [Character], _ i: Int, _ codeEnd: [Int]) -> Int {
        let runLength = chars[i...].prefix { $0 == "`" }.count
        return codeEnd[i] + runLength
    }

    /// `[label](url)` starting at the `[` at `open`: the label's range, the URL and the `)`.
    private func linkAt(_ chars: [Character], _ open: Int, _ closeBracket: [Int], _ nextParen: [Int])
        -> (labelStart: Int, labelEnd: Int, url: String, end: Int)? {
        let close = closeBracket[open]
        guard close > open, close + 1 < chars.count, chars[close + 1] == "(" else { return nil }
        let end = nextParen[close + 1]
        guard end > close else { return nil }
        var target = String(chars[(close + 2)..<end]).trimmingSpaces
        // An optional title after the URL is left out.
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }
        if target.hasPrefix("<") && target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
        guard !target.contains("\n") else { return nil }
        return (open + 1, close, target, end)
    }

    /// The text of a label without its markup characters, for `alt`.
    /// Where the inline equation opened by the `$` at `open` closes: the next `$`, when the
    /// opening one is followed by neither a space nor `$`, the closing one follows no space and
    /// no digit follows it (so "$5 and $10" stays text), as pandoc decides.
    static func inlineMathEnd(_ chars: [Character], _ open: Int, _ nextDollar: [Int]) -> Int? {
        guard open + 1 < chars.count, !chars[open + 1].isWhitespace, chars[open + 1] != "$" else { return nil }
        let end = nextDollar[open + 1]
        guard end > open + 1, !chars[end - 1].isWhitespace, chars[end - 1] != "\\" else { return nil }
        if end + 1 < chars.count, chars[end + 1].isNumber { return nil }
        return end
    }

    static func plain(_ label: String) -> String {
        String(label.filter { !"*_`[]".contains($0) })
    }

    /// Pairs emphasis runs as CommonMark's "process emphasis" does, simplified: a closing run
    /// takes the nearest opening run of the same character; runs opened in between stay text,
    /// so tags always nest. Two characters make `<strong>`, one `<em>`. Linear: each opening
    /// run leaves the stack once.
    private static func matchEmphasis(_ pieces: inout [Piece]) {
        var openers: [Int] = []
        var openCount: [Character: Int] = [:]
        for index in pieces.indices {
            guard let delimiter = pieces[index].delimiter else { continue }
            if pieces[index].canClose {
                while pieces[index].count > 0, openCount[delimiter, default: 0] > 0 {
                    // Drop openers of the other character above the match.
                    while let top = openers.last, pieces[top].delimiter != delimiter {
                        openers.removeLast()
                        openCount[pieces[top].delimiter!, default: 1] -= 1
                    }
                    guard let opener = openers.last else { break }
                    let used = pieces[opener].count >= 2 && pieces[index].count >= 2 ? 2 : 1
                    let tag = used == 2 ? "strong" : "em"
                    pieces[opener].count -= used
                    pieces[index].count -= used
                    pieces[opener].opening = "<\(tag)>" + pieces[opener].opening
                    pieces[index].closing += "</\(tag)>"
                    if pieces[opener].count == 0 {
                        openers.removeLast()
                        openCount[delimiter, default: 1] -= 1
                    }
                }
            }
            if pieces[index].canOpen, pieces[index].count > 0 {
                openers.append(index)
                openCount[delimiter, default: 0] += 1
            }
        }
    }
}

/// Which URLs a lab's prose may link to or show: relative ones (a file beside the report, an
/// anchor), and `http:`, `https:` and `mailto:` links. `javascript:`, `data:`, `vbscript:` and
/// every other scheme are dropped, however they are spelled (browsers ignore case, tabs and
/// newlines inside a scheme).
enum SafeURL {
    static func link(_ url: String) -> String? { check(url, schemes: ["http", "https", "mailto"]) }
    static func image(_ url: String) -> String? { check(url, schemes: ["http", "https"]) }

    private static func check(_ url: String, schemes: Set<String>) -> String? {
        let cleaned = String(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F })
        guard !cleaned.isEmpty else { return nil }
        let end = cleaned.firstIndex { "/?#".contains($0) } ?? cleaned.endIndex
        guard let colon = cleaned[..<end].firstIndex(of: ":") else { return cleaned }
        return schemes.contains(cleaned[..<colon].lowercased()) ? cleaned : nil
    }
}
