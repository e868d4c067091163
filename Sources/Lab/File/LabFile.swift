import Foundation
import NeuralNet

/// A lab file split into prose and steps: every fenced code block tagged `swift` is a step.
public struct LabFile: Sendable {
    /// A fenced `swift` block.
    public struct Step: Sendable {
        /// 1-based position among the steps.
        public var number: Int
        /// The code between the fences.
        public var source: String
        /// The file line of the first code line.
        public var firstLine: Int
    }

    /// A piece of the file in order.
    public enum Block: Sendable {
        case prose(String)
        case step(Step)
    }

    /// The path the lab was read from.
    public var path: String
    /// The first `# ` heading, or the file name.
    public var title: String
    public var blocks: [Block]
    /// The file's lines, for error carets.
    public var lines: [String]

    /// The steps in order.
    public var steps: [Step] {
        blocks.compactMap { if case .step(let step) = $0 { step } else { nil } }
    }

    /// Reads and splits the lab at `path`; a missing file or an unclosed fence is a `LabError`.
    public init(path: String) throws {
        try self.init(path: path, text: Self.readText(path))
    }

    /// The text of the lab file at `path`; a `LabError` when it is missing, not a regular file,
    /// larger than `maximumSize` or not UTF-8.
    public static func readText(_ path: String) throws -> String {
        func failure(_ why: String) -> LabError { LabError(file: path, line: 1, column: 1, message: "cannot read the lab file (\(why))") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw failure("no such file") }
        guard !isFolder.boolValue, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else { throw failure("not a regular file") }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? .max
        guard size <= maximumSize else {
            throw failure("it has \(size) bytes; a lab file may have at most \(maximumSize) (4 MiB)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("not readable") }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("not UTF-8 text") }
        return text
    }

    /// The largest lab file `lab` reads: 4 MiB (the chapter's lab is 9 KB).
    public static let maximumSize = 4 << 20
    /// The most steps a lab may have (the course's labs have up to 17): each step costs a state
    /// fingerprint, a cache entry and a report section: 20,000 one-line steps took `lab run` 43 s
    /// and 88 MB of output, and `maximumSize` holds 260,000.
    public static let maximumSteps = 1_000

    /// Splits `text`, read from `path`. Fences are CommonMark's: three or more backticks or
    /// tildes, indented at most three spaces, closed by a run of the same character at least as
    /// long; a block whose info string starts with `swift` (any case) is a step. Windows line
    /// ends (CRLF) are read as line ends.
    public init(path: String, text: String) throws {
        self.path = path
        // "\r\n" is one Character in Swift: normalise before splitting.
        lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .components(separatedBy: "\n")
        var blocks: [Block] = []
        var prose: [String] = []
        var code: [String]? = nil
        var codeStart = 0, fenceLine = 0, stepCount = 0
        var open: (marker: Character, length: Int, indent: Int)? = nil
        for (index, line) in lines.enumerated() {
            let fence = Self.fence(line)
            if let current = open {
                if let fence, fence.marker == current.marker, fence.length >= current.length, fence.info.isEmpty {
                    open = nil
                    if let finished = code {
                        stepCount += 1
                        guard stepCount <= Self.maximumSteps else {
                            throw LabError(file: path, line: fenceLine, column: 1,
                                           message: "this is step \(groupThousands(stepCount)); a lab may have at most "
                                               + "\(groupThousands(Self.maximumSteps)) steps (split it into several labs)",
                                           sourceLine: lines[fenceLine - 1])
                        }
                        blocks.append(.step(Step(number: stepCount, source: finished.joined(separator: "\n"), firstLine: codeStart)))
                        code = nil
                        continue
                    }
                    prose.append(line)
                } else if code != nil {
                    // Content lines lose up to the fence's own indentation, as in CommonMark.
                    code!.append(String(line.dropFirst(min(current.indent, line.prefix { $0 == " " }.count))))
                } else {
                    prose.append(line)
                }
                continue
            }
            guard let fence else {
                prose.append(line)
                continue
            }
            open = (fence.marker, fence.length, fence.indent)
            if fence.info.split(separator: " ").first?.lowercased() == "swift" {
                if !prose.isEmpty { blocks.append(.prose(prose.joined(separator: "\n"))) }
                prose = []
                code = []
                codeStart = index + 2
                fenceLine = index + 1
            } else {
                prose.append(line)
            }
        }
        if code != nil {
            throw LabError(file: path, line: fenceLine, column: 1, message: "this ```swift block is never closed with ```",
                           sourceLine: lines[fenceLine - 1])
        }
        if !prose.isEmpty { blocks.append(.prose(prose.joined(separator: "\n"))) }
        self.blocks = blocks
        let heading = lines.first { $0.hasPrefix("# ") }
        title = heading.map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
            ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        try checkBracketNesting()
    }

    /// A `LabError` where the steps' `[` together pass `SquareBracketNesting.fileBudget`: each
    /// step within its own budget, a file of thousands of steps could still take hours to parse.
    /// A step past its own limits is never parsed (its run says why) and counts nothing here.
    private func checkBracketNesting() throws {
        var spent = 0
        for step in steps where SquareBracketNesting.check(step.source) == nil {
            let scan = SquareBracketNesting.scan(step.source, spent: spent, budget: SquareBracketNesting.fileBudget, maximumDepth: .max)
            if let finding = scan.finding {
                let (line, byteColumn) = finding.lineAndColumn(in: step.source)
                let fileLine = step.firstLine + line - 1
                let text = lines[fileLine - 1]
                throw LabError(file: path, line: fileLine, column: LabError.characterColumn(byteColumn: byteColumn, in: text),
                               message: finding.message + " in this lab", sourceLine: text)
            }
            spent = scan.cost
        }
    }

    /// A fence line: up to three spaces, then three or more backticks or tildes, then the info
    /// string (which may not hold a backtick after backticks).
    static func fence(_ line: String) -> (marker: Character, length: Int, indent: Int, info: String)? {
        let indent = line.prefix { $0 == " " }.count
        guard indent <= 3 else { return nil }
        let body = line.dropFirst(indent)
        guard let marker = body.first, marker == "`" || marker == "~" else { return nil }
        let length = body.prefix { $0 == marker }.count
        guard length >= 3 else { return nil }
        let info = body.dropFirst(length).trimmingCharacters(in: .whitespaces)
        if marker == "`" && info.contains("`") { return nil }
        return (marker, length, indent, info)
    }

    /// The lab's short name: the file name without `.md`, used for its output folder.
    public var name: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
}

extension String {
    /// Every word of name characters (letters, digits, `_`) in the text, each as a whole: the
    /// maximal runs, so a name is among them exactly when it occurs but not as part of a longer
    /// name. Comments and string literals count too, which only ever adds a dependency. One pass,
    /// so that a step's cache key costs its length and not its length times the lab's parameters
    /// (a 4 MiB lab of 100,000 `let` lines took minutes with a search per parameter).
    var nameWords: Set<Substring> {
        func isNamePart(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        return Set(split(whereSeparator: { !isNamePart($0) }))
    }
}
