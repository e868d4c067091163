import Foundation

extension PythonHabits {
    /// Notices for Python's whole-number division in `step`: `BATCH // 2` is valid Swift, a
    /// value followed by a comment, so the step runs with `BATCH` and no error can say why. A
    /// `//` right after a value whose comment is only a number or a name the lab holds (or the step declares) is read
    /// as that habit; a comment of words (`// 잠재 벡터 차원`) is not.
    static func integerDivisionNotices(in step: LabFile.Step, isDefined: (String) -> Bool) -> [String] {
        let (words, comments) = CodeWord.readWithComments(step.source)
        // Names the lab holds, and those this step declares (bound only once it runs).
        let declared = Set(zip(words, words.dropFirst()).filter { ["let", "var"].contains($0.0.text) }.map(\.1.text))
        return comments.compactMap { comment in
            guard !comment.text.hasPrefix("/") else { return nil }
            let divisor = comment.text.trimmingCharacters(in: .whitespaces)
            guard !divisor.isEmpty, Double(divisor) != nil || isDefined(divisor) || declared.contains(divisor) else { return nil }
            guard let before = words.last(where: { $0.line == comment.line && $0.column < comment.column }),
                  before.kind == .word || before.kind == .number || [")", "]"].contains(before.text) else { return nil }
            let line = step.firstLine + comment.line - 1
            return "line \(line): '// \(divisor)' is a comment in Swift, so the code before it ends at '\(before.text)'; "
                + "for Python's whole-number division 'a // \(divisor)', write 'a / \(divisor)' (two whole numbers divide to a whole number, rounded toward zero)"
        }
    }
}
