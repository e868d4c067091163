import SwiftDiagnostics
import SwiftParser
import SwiftParserDiagnostics
import SwiftSyntax

/// The parser's diagnostics for a step, at a cost that stays small whatever the step holds.
///
/// swift-syntax's `ParseDiagnosticsGenerator` keeps the nodes it has handled in an array and
/// searches that array at every node, so its time grows with the square of the mistakes in the
/// tree: 20,000 lines of `let = ` took `lab check` 12 s, and the 4 MiB a lab file may hold
/// would have taken hours. So a step with neither errors nor warnings is not diagnosed at all
/// (its tree says so in a flag), and a step with some is diagnosed only from its start to
/// `window` bytes past its first mistake, or its `maximumMistakes`-th mistake after the first if
/// that comes sooner (to the end of that line when it is near): the first error, the one a step
/// stops at, is the same, and later lines past the window are not read.
struct BoundedDiagnostics {
    /// The diagnostics, sorted by position; empty when the step parsed cleanly, or when the
    /// window could not be parsed safely (`firstMistake` then says where the step went wrong).
    let diagnostics: [Diagnostic]
    /// Whether they cover the whole step, or only the window after its first mistake.
    let complete: Bool
    /// Where the step's first mistake lies; nil when it has none.
    let firstMistake: AbsolutePosition?

    /// How far past a step's first mistake its diagnostics look: dozens of lines of any lab.
    /// Some runs of tokens cost swift-syntax's diagnosis more than the square of their count
    /// (16 KB of `a?` took 12 s), so the window is small.
    static let window = 2_048

    /// The diagnostics of `tree`, parsed from `source`, through `window` bytes past its first
    /// mistake; `parse` parses a prefix of it the same way, or gives nil when it cannot safely.
    init(of tree: SourceFileSyntax, source: [UInt8], window: Int = Self.window, parse: ([UInt8]) -> SourceFileSyntax?) {
        guard tree.hasError || tree.hasWarning else {
            (diagnostics, complete, firstMistake) = ([], true, nil)
            return
        }
        let first = Self.firstMistake(in: Syntax(tree))
        firstMistake = first
        let reach = Self.reach(of: tree, from: first.utf8Offset, window: window)
        guard let end = Self.end(of: source, after: reach) else {
            (diagnostics, complete) = (ParseDiagnosticsGenerator.diagnostics(for: tree), true)
            return
        }
        (diagnostics, complete) = (parse(Array(source[..<end])).map { ParseDiagnosticsGenerator.diagnostics(for: $0) } ?? [], false)
    }

    /// How many mistakes past the first the window may hold: each one is a diagnostic, and
    /// those cost time with their square (`let = ;` makes two in seven bytes).
    static let maximumMistakes = 100

    /// Where the window ends: `window` bytes past `first`, or sooner, at the end of the token of
    /// the `maximumMistakes`-th mistake after it (a missing token, a token the lexer flagged, or
    /// one in unexpected code). Tokens are walked in order, not by recursion.
    static func reach(of tree: SourceFileSyntax, from first: Int, window: Int) -> Int {
        var mistakes = 0
        for token in tree.tokens(viewMode: .all) where token.position.utf8Offset >= first {
            if token.position.utf8Offset >= first + window { break }
            if token.presence == .missing || token.tokenDiagnostic != nil || token.parent?.kind == .unexpectedNodes {
                mistakes += 1
                if mistakes > maximumMistakes { return token.endPosition.utf8Offset }
            }
        }
        return first + window
    }

    /// Where the first missing or unexpected node, or token with a lexer's diagnostic, lies:
    /// down the tree through the first child that has one, as its flags tell.
    static func firstMistake(in root: Syntax) -> AbsolutePosition {
        var node = root
        while node.kind != .unexpectedNodes, !node.kind.isMissing, !node.is(TokenSyntax.self),
              let child = node.children(viewMode: .all).first(where: { $0.hasError || $0.hasWarning }) {
            node = child
        }
        return node.position
    }

    /// How far past a window's reach its last line may run on to its end.
    static let lineSlack = 256

    /// Where a window reaching to `offset` of `source` ends: after the line feed that ends its
    /// line when that comes within `lineSlack` bytes, else at the next character's start; nil
    /// when the source ends first.
    static func end(of source: [UInt8], after offset: Int) -> Int? {
        guard offset < source.count else { return nil }
        let limit = min(source.count, offset + lineSlack)
        if let lineFeed = source[offset..<limit].firstIndex(of: UInt8(ascii: "\n")) { return lineFeed + 1 }
        var cut = offset
        // Not inside a character: UTF-8 continuation bytes are 10xxxxxx.
        while cut < source.count, source[cut] & 0xC0 == 0x80 { cut += 1 }
        return cut < source.count ? cut : nil
    }
}
