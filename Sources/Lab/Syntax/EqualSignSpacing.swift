import SwiftSyntax

/// An `=` with whitespace on one side only, which `lab` reports itself instead of leaving it to
/// swift-syntax's diagnostics.
///
/// swift-syntax's Fix-It for the lexer's "'=' must have consistent whitespace on both sides"
/// asserts that it changes something, and stops the whole process when it changes nothing: when
/// both sides already have an ordinary space in their trivia while another character stands
/// right next to the `=`, such as a control character, a byte order mark, a line separator, or
/// a space other than U+0020 (the ideographic space U+3000 that a Korean input method types:
/// `let b　= 2`). Found by fuzzing `FuzzLabStep`. A lab file must never stop `lab`, so the
/// evaluator looks for every such `=` first and names the character that caused it.
enum EqualSignSpacing {
    /// Where to point and what to say.
    struct Finding: Equatable {
        let position: AbsolutePosition
        let message: String
    }

    /// The first `=` of `tree` that the lexer found with whitespace on one side only; `source` is
    /// the UTF-8 the tree was parsed from. Nil when there is none.
    static func firstUneven(in tree: SourceFileSyntax, source: [UInt8]) -> Finding? {
        for token in tree.tokens(viewMode: .sourceAccurate)
        where token.tokenDiagnostic?.kind == .equalMustHaveConsistentWhitespaceOnBothSides {
            let start = token.positionAfterSkippingLeadingTrivia.utf8Offset
            let end = token.endPositionBeforeTrailingTrivia.utf8Offset
            if let (scalar, offset) = scalar(endingAt: start, in: source), isInvisible(scalar) {
                return Finding(position: AbsolutePosition(utf8Offset: offset), message: "\(describe(scalar)) stands right before '=' "
                    + "and is not an ordinary space; delete it, or type a space (U+0020) instead")
            }
            if let (scalar, offset) = scalar(startingAt: end, in: source), isInvisible(scalar) {
                return Finding(position: AbsolutePosition(utf8Offset: offset), message: "\(describe(scalar)) stands right after '=' "
                    + "and is not an ordinary space; delete it, or type a space (U+0020) instead")
            }
            return Finding(position: token.positionAfterSkippingLeadingTrivia,
                           message: "'=' needs the same whitespace on both sides: a space before and after it, or neither")
        }
        return nil
    }

    /// A character that shows as nothing or as blank space but is not the space, tab or line
    /// break Swift reads as whitespace.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `U+3000 (IDEOGRAPHIC SPACE)`, or `U+0003 (a control character)` for those without a name.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return "\(code) (\(scalar.properties.name ?? "a control character"))"
    }

    /// The character whose UTF-8 ends at byte `offset`, and the offset where it starts.
    private static func scalar(endingAt offset: Int, in source: [UInt8]) -> (Unicode.Scalar, Int)? {
        guard offset > 0, offset <= source.count else { return nil }
        var start = offset - 1
        while start > 0, offset - start < 4, source[start] & 0xC0 == 0x80 { start -= 1 }
        return String(decoding: source[start..<offset], as: UTF8.self).unicodeScalars.last.map { ($0, start) }
    }

    /// The character whose UTF-8 starts at byte `offset`, and that offset.
    private static func scalar(startingAt offset: Int, in source: [UInt8]) -> (Unicode.Scalar, Int)? {
        guard offset >= 0, offset < source.count else { return nil }
        let end = min(source.count, offset + 4)
        return String(decoding: source[offset..<end], as: UTF8.self).unicodeScalars.first.map { ($0, offset) }
    }
}
