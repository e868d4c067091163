extension PythonHabits {
    /// At most this many further lines of a failed step get a note of their own; the rest are counted.
    static let maximumNotedLines = 10
    /// At most this many of the parser's further lines are read for habits: a step of garbage
    /// with thousands of wrong lines costs a bounded number of scans.
    static let maximumLinesRead = 100

    /// A note for each of `fileLines` (lines of `file` inside `step`, as the parser reported
    /// them) that holds a habit, at its leftmost one, with the line's text for the caret; after
    /// `maximumNotedLines` notes, one more that counts the other lines with habits (as a least
    /// when the lines read were not all the step's: `endingEarly`, or past `maximumLinesRead`).
    ///
    /// Only lines the parser found wrong are read: those lines cannot run as they are, so a note
    /// never points at code that would have worked.
    static func notes(on fileLines: [Int], endingEarly: Bool, of step: LabFile.Step, words: [CodeWord], file: String,
                      isDefined: @escaping (String) -> Bool, knows: @escaping (String) -> Bool) -> [LabError] {
        let texts = step.source.split(separator: "\n", omittingEmptySubsequences: false)
        var notes: [LabError] = []
        var unnoted: [Int] = []
        for fileLine in fileLines.prefix(maximumLinesRead) {
            let line = fileLine - step.firstLine + 1
            guard texts.indices.contains(line - 1) else { continue }
            let habits = find(in: words, line: line, isDefined: isDefined, knows: knows)
            guard let first = habits.first else { continue }
            if notes.count < maximumNotedLines {
                notes.append(LabError(file: file, line: fileLine, column: first.column, message: summary(of: habits),
                                      sourceLine: String(texts[line - 1])))
            } else {
                unnoted.append(fileLine)
            }
        }
        if let next = unnoted.first {
            // Past the lines read, more may hold habits: the count is then a least.
            let count = (endingEarly || fileLines.count > maximumLinesRead ? "at least " : "") + "\(unnoted.count) more line" + (unnoted.count == 1 ? "" : "s")
            notes.append(LabError(file: file, line: next, column: 1,
                                  message: "\(count) of this step hold\(unnoted.count == 1 ? "s" : "") Python habits too"))
        }
        return notes
    }
}
