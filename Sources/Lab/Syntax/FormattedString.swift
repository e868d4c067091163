import Foundation

/// Python's f-strings written as Swift strings, for `PythonHabits`' advice.
enum FormattedString {
    /// The Swift string for the f-string literal `literal` (its quotes included, its `f` not):
    /// `"epochs {EPOCHS}"` → `"epochs \(EPOCHS)"`, `{x:.4f}` → `\(format(x, decimals: 4))`, any
    /// other format (`{x:>5}`, `{x!r}`) → `\(x)`, `{{` and `}}` → braces.
    static func swiftForm(of literal: String) -> String {
        let quote = literal.first ?? "\""
        let body = Array(literal.drop { $0 == quote }.reversed().drop { $0 == quote }.reversed())
        var result = "\"", index = 0
        while index < body.count {
            let c = body[index]
            if (c == "{" || c == "}"), index + 1 < body.count, body[index + 1] == c {
                result.append(c)
                index += 2
            } else if c == "{", let close = body[index...].firstIndex(of: "}") {
                result += "\\(" + swiftValue(String(body[(index + 1)..<close])) + ")"
                index = close + 1
            } else {
                if c == "\"" && quote != "\"" { result += "\\" }
                result.append(c)
                index += 1
            }
        }
        return result + "\""
    }

    /// `x:.4f` → `format(x, decimals: 4)`; `x!r`, `x:>5` → `x`.
    private static func swiftValue(_ field: String) -> String {
        let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var value = String(parts[0])
        if let bang = value.firstIndex(of: "!") { value = String(value[..<bang]) }
        value = value.trimmingCharacters(in: .whitespaces)
        if parts.count == 2, let decimals = fixedDecimals(parts[1]) { return "format(\(value), decimals: \(decimals))" }
        return value
    }

    /// The N of a `.Nf` (or `,.Nf`, `>8.Nf`) format, when there is one.
    private static func fixedDecimals(_ spec: Substring) -> Int? {
        guard spec.hasSuffix("f"), let dot = spec.lastIndex(of: ".") else { return nil }
        return Int(spec[spec.index(after: dot)..<spec.index(before: spec.endIndex)])
    }
}
