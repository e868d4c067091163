/// The report's Markdown renderer: the CommonMark blocks and inlines a lab's prose uses
/// (headings, paragraphs, emphasis, code spans and fenced code, links and images, lists,
/// block quotes, GitHub tables, rules), in time linear in the text.
///
/// A lab may come from anyone, and its prose must not run script in the reader's browser:
/// raw HTML is dropped (its text stays), every character of text is escaped, and links and
/// images keep only safe URLs (`SafeURL`). Nesting deeper than `maximumDepth` is shown as
/// text rather than followed, so no input can exhaust the stack.
public enum Markdown {
    /// How deeply block quotes, lists and link texts may nest.
    static let maximumDepth = 12

    /// The HTML of `text`.
    public static func html(_ text: String) -> String {
        // "\r\n" is one Character in Swift: normalise line ends before splitting.
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "\t", with: "    ")
        }
        var out = ""
        MarkdownBlocks(depth: 0).render(lines[...], into: &out)
        return out
    }
}

/// Splits lines into blocks and renders each; containers (quotes, list items) recurse one
/// level deeper.
struct MarkdownBlocks {
    let depth: Int

    func render(_ lines: ArraySlice<String>, into out: inout String) {
        var index = lines.startIndex
        while index < lines.endIndex {
            let line = lines[index]
            let body = Self.unindented(line)
            if body.isEmpty {
                index += 1
            } else if let fence = Self.fence(body) {
                index = renderFence(lines, from: index, fence: fence, into: &out)
            } else if body.hasPrefix("$$") {
                index = renderDisplayMath(lines, from: index, into: &out)
            } else if let (level, title) = Self.heading(body) {
                out += "<h\(level)>" + MarkdownInline(depth: depth).render(title) + "</h\(level)>\n"
                index += 1
            } else if Self.isRule(body) {
                out += "<hr>\n"
                index += 1
            } else if body.hasPrefix(">"), depth < Markdown.maximumDepth {
                var inner: [String] = []
                while index < lines.endIndex, Self.unindented(lines[index]).hasPrefix(">") {
                    var rest = Substring(Self.unindented(lines[index]).dropFirst())
                    if rest.hasPrefix(" ") { rest = rest.dropFirst() }
                    inner.append(String(rest))
                    index += 1
                }
                out += "<blockquote>\n"
                MarkdownBlocks(depth: depth + 1).render(inner[...], into: &out)
                out += "</blockquote>\n"
            } else if Self.listMarker(line) != nil, depth < Markdown.maximumDepth {
                index = renderList(lines, from: index, into: &out)
            } else if index + 1 < lines.endIndex, body.contains("|"), Self.isTableDelimiter(lines[index + 1]) {
                index = renderTable(lines, from: index, into: &out)
            } else {
                var paragraph: [String] = []
                while index < lines.endIndex {
                    let next = Self.unindented(lines[index])
                    if next.isEmpty || (!paragraph.isEmpty && interrupts(lines[index])) { break }
                    // Trailing spaces stay: two of them make a hard line break.
                    paragraph.append(String(lines[index].drop { $0 == " " }))
                    index += 1
                }
                out += "<p>" + MarkdownInline(depth: depth).render(paragraph.joined(separator: "\n").trimmingTrailingSpaces) + "</p>\n"
            }
        }
    }

    /// Whether `line` starts a block that ends a paragraph.
    private func interrupts(_ line: String) -> Bool {
        let body = Self.unindented(line)
        return Self.fence(body) != nil || body.hasPrefix("$$") || Self.heading(body) != nil || Self.isRule(body) || body.hasPrefix(">")
            || Self.listMarker(line) != nil
    }

    // MARK: Display math

    /// `$$ … $$` on one line, or from a line starting `$$` to the next line ending `$$` (or the
    /// end of the text): one displayed equation (`TeXMath`).
    private func renderDisplayMath(_ lines: ArraySlice<String>, from start: Int, into out: inout String) -> Int {
        var first = Substring(Self.unindented(lines[start]).dropFirst(2))
        var source: [String] = []
        var index = start + 1
        if first.trimmingSpaces.hasSuffix("$$") {
            first = first.trimmingSpaces.dropLast(2)
            source.append(String(first))
        } else {
            source.append(String(first))
            while index < lines.endIndex {
                let line = lines[index].trimmingSpaces
                index += 1
                if line.hasSuffix("$$") {
                    source.append(String(line.dropLast(2)))
                    break
                }
                source.append(line)
            }
        }
        let trimmed = source.map(\.trimmingSpaces).filter { !$0.isEmpty }
        out += TeXMath.mathML(trimmed.joined(separator: "\n"), display: true) + "\n"
        return index
    }

    // MARK: Fenced code

    private func renderFence(_ lines: ArraySlice<String>, from start: Int, fence: (marker: Character, length: Int, info: String),
                             into out: inout String) -> Int {
        var index = start + 1
        var code: [String] = []
        while index < lines.endIndex {
            let body = Self.unindented(lines[index])
            if let closing = Self.fence(body), closing.marker == fence.marker, closing.length >= fence.length, closing.info.isEmpty {
                index += 1
                break
            }
            code.append(lines[index])
            index += 1
        }
        let language = fence.info.split(separator: " ").first.map { word in
            String(word.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        } ?? ""
        out += "<pre><code" + (language.isEmpty ? "" : " class=\"language-\(escapeHTML(language))\"") + ">"
            + escapeHTML(code.joined(separator: "\n")) + (code.isEmpty ? "" : "\n") + "</code></pre>\n"
        return index
    }

    /// A fence line: three or more backticks or tildes, and an info string (no backtick in it
    /// for a backtick fence).
    static func fence(_ body: String) -> (marker: Character, length: Int, info: String)? {
        guard let marker = body.first, marker == "`" || marker == "~" else { return nil }
        let length = body.prefix { $0 == marker }.count
        guard length >= 3 else { return nil }
        let info = body.dropFirst(length).trimmingSpaces
        if marker == "`" && info.contains("`") { return nil }
        return (marker, length, info)
    }

    // MARK: Lists

    /// The marker of a list item: its kind (`-`, `*`, `+`, or `.`/`)` for ordered), the start
    /// number, and the column where the item's content starts.
    static func listMarker(_ line: String) -> (kind: Character, start: Int?, contentColumn: Int)? {
        let indent = line.prefix { $0 == " " }.count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        if let first = rest.first, "-*+".contains(first) {
            let after = rest.dropFirst()
            guard after.isEmpty || after.first == " " else { return nil }
            if isRule(String(rest)) { return nil }
            let spaces = min(after.prefix { $0 == " " }.count, 4)
            return (first, nil, indent + 1 + max(spaces, 1))
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard (1...9).contains(digits.count), let delimiter = rest.dropFirst(digits.count).first, delimiter == "." || delimiter == ")" else {
            return nil
        }
        let after = rest.dropFirst(digits.count + 1)
        guard after.isEmpty || after.first == " " else { return nil }
        let spaces = min(after.prefix { $0 == " " }.count, 4)
        return (delimiter, Int(digits), indent + digits.count + 1 + max(spaces, 1))
    }

    private func renderList(_ lines: ArraySlice<String>, from start: Int, into out: inout String) -> Int {
        guard let first = Self.listMarker(lines[start]) else { return start + 1 }
        var items: [[String]] = []
        var loose = false
        var index = start
        while index < lines.endIndex, let marker = Self.listMarker(lines[index]), marker.kind == first.kind {
            var item = [String(lines[index].dropFirst(min(marker.contentColumn, lines[index].count)))]
            index += 1
            var sawBlank = false
            while index < lines.endIndex {
                let line = lines[index]
                if Self.unindented(line).isEmpty {
                    sawBlank = true
                    item.append("")
                    index += 1
                    continue
                }
                let indent = line.prefix { $0 == " " }.count
                if indent >= marker.contentColumn {
                    if sawBlank { loose = true }
                    item.append(String(line.dropFirst(marker.contentColumn)))
                } else if !sawBlank && Self.listMarker(line) == nil && !interrupts(line) {
                    item.append(String(line))  // a lazy continuation of the item's paragraph
                } else {
                    break
                }
                sawBlank = false
                index += 1
            }
            while item.last == "" { item.removeLast() }
            items.append(item)
            // A blank line between items makes the list loose.
            if index > start, index < lines.endIndex, Self.unindented(lines[index - 1]).isEmpty, Self.listMarker(lines[index]) != nil {
                loose = true
            }
        }
        let tag = first.start == nil ? "ul" : "ol"
        let startAttribute = first.start.map { $0 == 1 ? "" : " start=\"\($0)\"" } ?? ""
        out += "<\(tag)\(startAttribute)>\n"
        for item in items {
            var inner = ""
            MarkdownBlocks(depth: depth + 1).render(item[...], into: &inner)
            if !loose, inner.hasPrefix("<p>") {
                // A tight item shows its first paragraph without <p>.
                if let end = inner.range(of: "</p>\n") {
                    inner = String(inner[inner.index(inner.startIndex, offsetBy: 3)..<end.lowerBound]) + String(inner[end.upperBound...])
                }
            }
            out += "<li>" + inner.trimmingTrailingNewline + "</li>\n"
        }
        out += "</\(tag)>\n"
        return index
    }

    // MARK: Tables

    static func isTableDelimiter(_ line: String) -> Bool {
        let cells = tableCells(line)
        return !cells.isEmpty && line.contains("-") && cells.allSatisfy { cell in
            let core = cell.drop { $0 == ":" }.reversed().drop { $0 == ":" }
            return !core.isEmpty && core.allSatisfy { $0 == "-" }
        }
    }

    static func tableCells(_ line: String) -> [String] {
        var body = Substring(line.trimmingSpaces)
        if body.hasPrefix("|") { body = body.dropFirst() }
        if body.hasSuffix("|") && !body.hasSuffix("\\|") { body = body.dropLast() }
        var cells: [String] = [], current = "", escaped = false
        for character in body {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; current.append(character); continue }
            if character == "|" { cells.append(current.trimmingSpaces); current = ""; continue }
            current.append(character)
        }
        cells.append(current.trimmingSpaces)
        return cells
    }

    private func renderTable(_ lines: ArraySlice<String>, from start: Int, into out: inout String) -> Int {
        let header = Self.tableCells(lines[start])
        let alignments = Self.tableCells(lines[start + 1]).map { cell -> String in
            switch (cell.hasPrefix(":"), cell.hasSuffix(":")) {
            case (true, true): " style=\"text-align:center\""
            case (false, true): " style=\"text-align:right\""
            case (true, false): " style=\"text-align:left\""
            default: ""
            }
        }
        let inline = MarkdownInline(depth: depth)
        func row(_ cells: [String], tag: String) -> String {
            "<tr>" + header.indices.map { column in
                let text = column < cells.count ? cells[column].replacingOccurrences(of: "\\|", with: "|") : ""
                return "<\(tag)\(column < alignments.count ? alignments[column] : "")>" + inline.render(text) + "</\(tag)>"
            }.joined() + "</tr>\n"
        }
        out += "<table>\n<thead>\n" + row(header, tag: "th") + "</thead>\n<tbody>\n"
        var index = start + 2
        while index < lines.endIndex, !Self.unindented(lines[index]).isEmpty, lines[index].contains("|") {
            out += row(Self.tableCells(lines[index]), tag: "td")
            index += 1
        }
        out += "</tbody>\n</table>\n"
        return index
    }

    // MARK: Small pieces

    /// The line without up to three spaces of indentation (more is still content).
    static func unindented(_ line: String) -> String {
        let indent = line.prefix { $0 == " " }.count
        return indent <= 3 ? String(line.dropFirst(indent)).trimmingTrailingSpaces : line.trimmingTrailingSpaces
    }

    static func heading(_ body: String) -> (Int, String)? {
        let level = body.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return nil }
        let rest = body.dropFirst(level)
        guard rest.isEmpty || rest.first == " " else { return nil }
        var title = rest.trimmingSpaces
        // A closing run of #s goes.
        let closing = title.reversed().prefix { $0 == "#" }.count
        if closing > 0, closing == title.count || title.dropLast(closing).last == " " { title = String(title.dropLast(closing)).trimmingSpaces }
        return (level, title)
    }

    static func isRule(_ body: String) -> Bool {
        let marks = body.filter { $0 != " " }
        guard marks.count >= 3, let first = marks.first, "-*_".contains(first) else { return false }
        return marks.allSatisfy { $0 == first }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : String(self) }

    var trimmingTrailingSpaces: String {
        String(reversed().drop { $0 == " " }.reversed())
    }
}
