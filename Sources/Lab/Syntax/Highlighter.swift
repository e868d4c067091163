import Report
import SwiftSyntax

/// Splits a step's source into coloured tokens from swift-syntax's own tokens and trivia.
enum Highlighter {
    static func tokens(_ source: String) -> [CodeToken] {
        // Code too costly to parse is shown as it is, uncoloured (its run reports why).
        guard case .success(let tree) = GuardedParse.parse(source, maximumNestingLevel: Evaluator.maximumNesting) else { return [CodeToken(source, .plain)] }
        var result: [CodeToken] = []
        func trivia(_ pieces: Trivia) {
            for piece in pieces {
                var text = ""
                piece.write(to: &text)
                switch piece {
                case .lineComment, .blockComment, .docLineComment, .docBlockComment: result.append(CodeToken(text, .comment))
                default: result.append(CodeToken(text, .plain))
                }
            }
        }
        let all = Array(tree.tokens(viewMode: .sourceAccurate))
        for (index, token) in all.enumerated() {
            trivia(token.leadingTrivia)
            let kind: CodeToken.Kind
            switch token.tokenKind {
            case .keyword: kind = .keyword
            case .integerLiteral, .floatLiteral: kind = .number
            case .stringSegment, .stringQuote, .multilineStringQuote: kind = .string
            case .identifier(let name):
                let next = index + 1 < all.count ? all[index + 1].tokenKind : nil
                kind = next == .leftParen || next == .leftBrace ? .call : (name.first?.isUppercase == true ? .type : .plain)
            default: kind = .plain
            }
            result.append(CodeToken(token.text, kind))
            trivia(token.trailingTrivia)
        }
        // Merge neighbours of the same kind so the HTML stays small.
        return result.reduce(into: []) { merged, token in
            if let last = merged.last, last.kind == token.kind { merged[merged.count - 1].text += token.text } else { merged.append(token) }
        }
    }
}
