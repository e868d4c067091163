import Foundation
import NeuralNet
import SwiftParser
import SwiftSyntax

/// The one way `lab` parses a step: every check that keeps swift-syntax from stopping or hanging
/// the process, before and after the parse, in one place.
///
/// swift-syntax's parser recurses for every level of several constructs that open no bracket,
/// so its nesting limit does not see them: `if a {} else if a {} else …`, `try? try? …`,
/// `await await …`, `var var …`, `a<a<a<…` (its lookahead for generic arguments). On the 8 MiB
/// stack of the main thread 1,472 `a<` (2.9 KB of code) stopped the process, as did 5,888 `else
/// if`, 8,448 `try?`, 6,144 `var` and 49,152 `.name`; 25,000 `a?` made swift-syntax's diagnosis
/// of the tree take 42 s (it walks down the tree at every node). So:
///
/// - a step may hold at most `maximumBytes`;
/// - `SquareBracketNesting` runs first, as before;
/// - the parse runs on a thread of its own with a `stackBytes` stack (reserved, touched only as
///   deep as the parse goes: the worst chain found, `a<`, needs about 2.8 KB of stack for each
///   byte of code, so a step of `maximumBytes` of it would need about 180 MiB);
/// - a parse that takes longer than `ParseWatch`'s time is given up (its thread runs on, and
///   its step is refused): 12,000 bytes of `#available(` took 240 s, `a<` 62 s, and no check of
///   the text can foresee every such run of tokens;
/// - a tree more than `maximumDepth` levels deep is refused, where it passes that depth, before
///   anything walks it.
enum GuardedParse {
    /// The most a step may hold: 30 times the largest step of the shipped labs (2.1 KB).
    static let maximumBytes = 64 << 10
    /// The stack of the thread that parses.
    static let stackBytes = 512 << 20
    /// The deepest syntax tree a step may make. The shipped labs' trees are at most 25 levels
    /// deep; 64 nested brackets, the most the evaluator's parse allows, make under 500.
    static let maximumDepth = 1_000

    /// The tree of `source`, or where and why it was refused. `maximumNestingLevel` is passed
    /// to the parser (brackets nested deeper become unexpected code).
    static func parse(_ source: String, maximumNestingLevel: Int? = nil) -> Result<SourceFileSyntax, SquareBracketNesting.Finding> {
        let bytes = Array(source.utf8)
        guard bytes.count <= maximumBytes else {
            return .failure(.init(utf8Offset: 0, message: "this step holds \(groupThousands(bytes.count)) bytes; a step may hold at most "
                                  + "\(groupThousands(maximumBytes)) (64 KiB): split it into several steps"))
        }
        if let nesting = SquareBracketNesting.check(source) { return .failure(nesting) }
        guard let tree = parse(bytes: bytes, maximumNestingLevel: maximumNestingLevel) else {
            return .failure(.init(utf8Offset: 0, message: "Swift's parser took more than \(Int(ParseWatch.longestParse)) s to read this step "
                                  + "(or an earlier step), so lab stopped reading it; some runs of tokens, such as 'a<a<a<…' or "
                                  + "'#available(#available(…', take it time with the square of their length: write the code out plainly"))
        }
        if let (node, depth) = firstPastDepth(Syntax(tree)) {
            return .failure(.init(utf8Offset: node.positionAfterSkippingLeadingTrivia.utf8Offset,
                                  message: "the code here nests more than \(groupThousands(maximumDepth)) levels deep in lab's reading of it "
                                      + "(\(groupThousands(depth)) at least: a long chain of 'else if', 'try', 'await', '.name' or '<' is one level "
                                      + "each); split the chain into several statements"))
        }
        return .success(tree)
    }

    /// `bytes` parsed on a thread with a `stackBytes` stack, waiting at most `ParseWatch`'s
    /// time for it; nil when the parse took longer (or an earlier one of the same bytes did, or
    /// too many are still running). Bytes that have passed `maximumBytes` only: the stack holds
    /// that much code's recursion.
    static func parse(bytes: [UInt8], maximumNestingLevel: Int?, watch: ParseWatch = .shared) -> SourceFileSyntax? {
        precondition(bytes.count <= maximumBytes, "a step past GuardedParse.maximumBytes")
        guard let timeout = watch.timeout(for: bytes) else { return nil }
        let result = ParsedTree()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let tree = bytes.withUnsafeBufferPointer { Parser.parse(source: $0, maximumNestingLevel: maximumNestingLevel) }
            result.finish(tree)
            done.signal()
        }
        thread.stackSize = stackBytes
        thread.start()
        guard done.wait(timeout: .now() + timeout) == .success else {
            // The thread cannot be stopped; it runs on until its parse ends (or the process does).
            watch.abandon(bytes, when: result)
            return nil
        }
        return result.tree
    }

    /// The first node found past `maximumDepth` levels below `root` (the root is level 1), with
    /// its level; nil when the whole tree is within it.
    static func firstPastDepth(_ root: Syntax) -> (node: Syntax, depth: Int)? {
        let found = deepest(in: root, stoppingPast: maximumDepth)
        return found.depth > maximumDepth ? found : nil
    }

    /// The deepest node of `root`'s tree and its level, or the first found past `limit`;
    /// walked with a list, not by recursion, so no tree is too deep for it.
    static func deepest(in root: Syntax, stoppingPast limit: Int = .max) -> (node: Syntax, depth: Int) {
        var pending: [(node: Syntax, depth: Int)] = [(root, 1)]
        var deepest = (node: root, depth: 1)
        while let (node, depth) = pending.popLast() {
            if depth > deepest.depth { deepest = (node, depth) }
            if depth > limit { break }
            for child in node.children(viewMode: .all) { pending.append((child, depth + 1)) }
        }
        return deepest
    }
}

/// The tree a parsing thread hands back, and whether it is done; behind a lock, since an
/// abandoned parse finishes after its caller has stopped waiting.
final class ParsedTree: @unchecked Sendable {
    private let lock = NSLock()
    private var parsed: SourceFileSyntax?
    private var finished = false
    private var onFinish: (() -> Void)?

    var tree: SourceFileSyntax? { lock.withLock { parsed } }

    func finish(_ tree: SourceFileSyntax) {
        let action = lock.withLock { () -> (() -> Void)? in
            (parsed, finished) = (tree, true)
            return onFinish
        }
        action?()
    }

    /// Runs `action` when the parse finishes (at once when it has).
    func whenFinished(_ action: @escaping () -> Void) {
        let now = lock.withLock { () -> Bool in
            if finished { return true }
            onFinish = action
            return false
        }
        if now { action() }
    }
}
