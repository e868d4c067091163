import SwiftSyntax

/// Whole-number ranges (`a...b`, `a..<b`). A `for` loop walks one lazily, however long; as a
/// value (an array) a range holds at most `maximumElements`, so `let r = 0..<10000000000` is an
/// error that says so instead of exhausting memory.
enum IntRange {
    /// The most elements a range may have when it becomes an array.
    static let maximumElements = 1_000_000

    /// The bounds of `a...b` or `a..<b` as a closed range, nil when it is empty (`a..<a`); an
    /// error when it runs backwards.
    static func bounds(_ a: Int, _ b: Int, closed: Bool, at node: some SyntaxProtocol, _ evaluator: Evaluator) throws -> ClosedRange<Int>? {
        if closed {
            guard a <= b else { throw evaluator.error(at: node, "the range \(a)...\(b) is empty: its start is after its end") }
            return a...b
        }
        guard a <= b else { throw evaluator.error(at: node, "the range \(a)..<\(b) runs backwards") }
        return a == b ? nil : a...(b - 1)
    }

    /// The range as values, for use as an array.
    static func elements(_ a: Int, _ b: Int, closed: Bool, at node: some SyntaxProtocol, _ evaluator: Evaluator) throws -> [Value] {
        guard let range = try bounds(a, b, closed: closed, at: node, evaluator) else { return [] }
        let (span, overflow) = range.upperBound.subtractingReportingOverflow(range.lowerBound)
        guard !overflow, span < maximumElements else {
            throw evaluator.error(at: node, "the range \(a)\(closed ? "..." : "..<")\(b) has \(overflow || span == .max ? "more than \(Int.max - 1)" : String(span + 1)) "
                + "numbers, too many to hold as an array (at most \(maximumElements)); loop over it directly: for i in \(a)\(closed ? "..." : "..<")\(b) { … }")
        }
        return range.map(Value.int)
    }
}
