import Foundation

extension PythonHabits {
    /// Notices for Python's whole-number division in `step`: `BATCH // 2` is valid Swift, a
    /// value followed by a comment, so the step runs with `BATCH` and no error can say why. A
    /// `//` right after a value whose comment is only a number or a name the lab holds (or the
    /// step declares) is read as that habit; a comment of words (`// 잠재 벡터 차원`) is not. At
    /// most `maximumDivisionNotices` lines are named, then how many more there are.
    static func integerDivisionNotices(in step: LabFile.Step, isDefined: (String) -> Bool) -> [String] {
        let (words, comments) = CodeWord.readWithComments(step.source)
        // Names the lab holds, and those this step declares (bound only once it runs).
        let declared = Set(zip(words, words.dropFirst()).filter { ["let", "var"].contains($0.0.text) }.map(\.1.text))
        var notices: [String] = []
        var found = 0
        var next = 0  // the first word after the comment looked at; words and comments are in order
        for comment in comments {
            while next < words.count, (words[next].line, words[next].column) < (comment.line, comment.column) { next += 1 }
            guard !comment.text.hasPrefix("/") else { continue }
            let divisor = comment.text.trimmingCharacters(in: .whitespaces)
            guard !divisor.isEmpty, Double(divisor) != nil || isDefined(divisor) || declared.contains(divisor) else { continue }
            guard next > 0, case let before = words[next - 1], before.line == comment.line,
                  before.kind == .word || before.kind == .number || [")", "]"].contains(before.text) else { continue }
            found += 1
            guard found <= maximumDivisionNotices else { continue }
            let line = step.firstLine + comment.line - 1, shown = quote(divisor)
            notices.append("line \(line): '// \(shown)' is a comment in Swift, so the code before it ends at '\(quote(before.text))'; "
                + "for Python's whole-number division 'a // \(shown)', write 'a / \(shown)' (two whole numbers divide to a whole number, rounded toward zero)")
        }
        if found > maximumDivisionNotices {
            notices.append("\(found - maximumDivisionNotices) more lines of this step end in '// ' and a number or a name, as above")
        }
        return notices
    }

    /// How many lines of one step the notices above name.
    static let maximumDivisionNotices = 10
}
