import Report

/// The report's Markdown: any text renders, and nothing in it becomes a script, an event
/// handler or an unsafe link.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    let html = Markdown.html(text).lowercased()
    // Text may say "javascript:" (escaped, it is only text); a link or an image may not.
    for attribute in ["href=\"", "src=\""] {
        var rest = Substring(html)
        while let found = rest.range(of: attribute) {
            let value = rest[found.upperBound...].prefix { $0 != "\"" }
            if let colon = value.firstIndex(of: ":"), !value[..<colon].contains(where: { "/?#".contains($0) }) {
                precondition(["http", "https", "mailto"].contains(String(value[..<colon])), "unsafe URL \(value)")
            }
            precondition(!value.contains("<") && !value.contains(">"), "markup in a URL: \(value)")
            rest = rest[found.upperBound...]
        }
    }
    // Every tag is one the renderer writes.
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
        let name = rest[rest.index(after: open)...].prefix { $0.isLetter || $0.isNumber || $0 == "/" }
        let allowed = Set<Substring>(["p", "/p", "h1", "/h1", "h2", "/h2", "h3", "/h3", "h4", "/h4", "h5", "/h5", "h6", "/h6", "em", "/em",
                                       "strong", "/strong", "code", "/code", "pre", "/pre", "a", "/a", "img", "ul", "/ul", "ol", "/ol",
                                       "li", "/li", "blockquote", "/blockquote", "table", "/table", "thead", "/thead", "tbody", "/tbody",
                                       "tr", "/tr", "th", "/th", "td", "/td", "hr", "br"])
            .union(["math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msub", "msup", "msubsup",
                    "mfrac", "msqrt", "munder", "mover", "mtable", "mtr", "mtd", "merror"].flatMap { [Substring($0), Substring("/" + $0)] })
        precondition(allowed.contains(name), "tag <\(name) in \(html)")
        rest = rest[rest.index(after: open)...]
    }
    return 0
}
