import SwiftSyntax

/// Finds the first expression (before operators are folded) that chains more than `limit`
/// operators, as `1 + 1 + … + 1` written five thousand times.
final class LongSequenceFinder: SyntaxVisitor {
    let limit: Int
    private(set) var found: SequenceExprSyntax?

    init(limit: Int) {
        self.limit = limit
        super.init(viewMode: .sourceAccurate)
    }

    override func visit(_ node: SequenceExprSyntax) -> SyntaxVisitorContinueKind {
        if found == nil, node.elements.count > 2 * limit + 1 { found = node }
        return found == nil ? .visitChildren : .skipChildren
    }
}
