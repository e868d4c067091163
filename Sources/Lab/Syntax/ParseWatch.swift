import Foundation

/// How long a step's parse may take, process-wide. A parse past its time is given up; its
/// thread cannot be stopped and runs on, on a core of its own, until it ends or the process
/// does (`lab run` and `lab check` end soon after: the step is refused). So the same bytes are
/// refused at once afterwards (the parameters, the evaluator and the highlighter each parse a
/// step), a parse while one given up still runs may take only `shorterParse`, and past
/// `maximumAbandoned` of them still running no step is read at all.
final class ParseWatch: @unchecked Sendable {
    static let shared = ParseWatch()

    /// The longest a parse may take: the shipped labs' steps take milliseconds.
    static let longestParse: Double = 10
    /// The longest while an earlier parse given up still runs.
    static let shorterParse: Double = 1
    /// How many given-up parses may run at once before no step is read.
    static let maximumAbandoned = 3

    let longest, shorter: Double

    /// A watch with these times (tests use short ones).
    init(longest: Double = ParseWatch.longestParse, shorter: Double = ParseWatch.shorterParse) {
        (self.longest, self.shorter) = (longest, shorter)
    }

    private let lock = NSLock()
    private var givenUp: Set<[UInt8]> = []
    private var running = 0

    /// How many parses given up are still running.
    var stillRunning: Int { lock.withLock { running } }

    /// The time a parse of `bytes` may take now; nil when it is refused without trying.
    func timeout(for bytes: [UInt8]) -> Double? {
        lock.withLock {
            if givenUp.contains(bytes) || running >= Self.maximumAbandoned { return nil }
            return running > 0 ? shorter : longest
        }
    }

    /// Notes a parse of `bytes` given up, running until `result` finishes.
    func abandon(_ bytes: [UInt8], when result: ParsedTree) {
        lock.withLock {
            givenUp.insert(bytes)
            running += 1
        }
        result.whenFinished { [self] in lock.withLock { running -= 1 } }
    }
}
