import SwiftSyntax

/// Swift's escapes in a string literal's text: `\0 \\ \t \n \r \" \'` and `\u{…}`; in a raw
/// string (`#"…"#`) the backslash needs as many `#` as the delimiter.
enum StringEscapes {
    static func unescape(_ text: String, pounds: Int, error: (String) -> LabError) throws -> String {
        let escape = "\\" + String(repeating: "#", count: pounds)
        guard text.contains(escape) else { return text }
        var result = ""
        var rest = Substring(text)
        while let found = rest.range(of: escape) {
            result += rest[..<found.lowerBound]
            rest = rest[found.upperBound...]
            guard let next = rest.first else { throw error("a string ends with a lone backslash") }
            rest = rest.dropFirst()
            switch next {
            case "0": result += "\0"
            case "\\": result += "\\"
            case "t": result += "\t"
            case "n": result += "\n"
            case "r": result += "\r"
            case "\"": result += "\""
            case "'": result += "'"
            case "u":
                guard rest.first == "{", let close = rest.firstIndex(of: "}") else { throw error("\\u needs braces, as in \\u{2713}") }
                let digits = rest[rest.index(after: rest.startIndex)..<close]
                guard (1...8).contains(digits.count), let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw error("\\u{\(digits)} is not a Unicode character")
                }
                result.unicodeScalars.append(scalar)
                rest = rest[rest.index(after: close)...]
            default:
                throw error("unknown escape '\\\(next)' in a string")
            }
        }
        return result + rest
    }
}
