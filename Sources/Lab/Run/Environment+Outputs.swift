import Foundation
import NeuralNet
import Report

/// What a step shows: printed text, notices, figures, tables and saved files, within limits a
/// loop (or a lab of many steps) cannot outgrow: ten million prints or figures must not make a
/// report of gigabytes, nor a cache entry that large.
extension Environment {
    /// How much text one step's prints may add to the report (and to its cache entry).
    static let maximumPrintedBytes = 1 << 20
    /// How many outputs (text blocks, notices, figures, tables, saved-file lists) one step may
    /// show; the course's steps show a few dozen at most.
    static let maximumOutputs = 1_000
    /// How many bytes one step's figures, saved files and table cells may take in all.
    static let maximumOutputBytes = 256 << 20
    /// How many bytes all the steps of a lab may show together (figures, saved files, tables and
    /// text): 1,000 steps of 256 MiB each would fill a disk twice over (the report and the cache).
    /// The main lab's report takes 17 MB. `LabRunner.labOutputLimit` sets another.
    static let maximumLabOutputBytes = 1 << 30

    /// The bytes `outputs` take in the report: their text, figures, files and table cells.
    static func bytes(of outputs: [StepOutput]) -> Int {
        outputs.reduce(0) { total, output in
            switch output {
            case .text(let text), .notice(let text): total + text.utf8.count
            default: total + bytes(of: output)
            }
        }
    }

    /// The bytes a figure, a list of saved files or a table takes (text is counted by `print`).
    private static func bytes(of output: StepOutput) -> Int {
        switch output {
        case .figure(let figure): figure.data?.count ?? 0
        case .files(let saved): saved.files.reduce(0) { $0 + $1.data.count }
        case .table(let table): table.rows.reduce(0) { sum, row in row.reduce(sum) { $0 + $1.utf8.count } }
        default: 0
        }
    }

    /// What the lab may still show: its limit less the earlier steps' outputs and this step's.
    private var labBudget: Int { labOutputLimit - labOutputBytes - outputBytes - printedBytes }

    private var labCutMessage: String {
        "this lab's steps have made more than \(MemoryBudget.describe(labOutputLimit)) of figures, files, tables and text "
            + "in all; the report leaves the rest out (a lab may show at most that much)"
    }

    /// Adds `output` to the current step, unless the step has reached `maximumOutputs` or
    /// `maximumOutputBytes`, or the lab its `labOutputLimit`: then it is left out, and one notice
    /// says so. Returns whether it was added.
    @discardableResult
    func append(_ output: StepOutput) -> Bool {
        let bytes = Self.bytes(of: output)
        let withinLab = bytes <= labBudget
        guard outputs.count < Self.maximumOutputs, outputBytes + bytes <= Self.maximumOutputBytes, withinLab else {
            if !outputsCut {
                outputsCut = true
                let message = !withinLab ? labCutMessage
                    : "this step made more than \(groupThousands(Self.maximumOutputs)) outputs or 256 MiB of figures, "
                    + "files and tables; the report keeps the first \(groupThousands(outputs.count)) and leaves the rest out"
                outputs.append(.notice(message))
                if !isReplaying { log?("note: " + message) }
            }
            return false
        }
        outputBytes += bytes
        outputs.append(output)
        return true
    }

    /// The bytes the current step may still print: within its own limit and the lab's.
    var printBudget: Int { max(0, min(Self.maximumPrintedBytes - printedBytes, labBudget)) }

    /// Adds printed text to the current step's output, joining consecutive prints into one block
    /// (appended in place: a loop of prints costs its text, not its text squared). The print that
    /// passes `maximumPrintedBytes` in a step is cut there with "…", later ones are left out, and
    /// a notice says so once.
    func print(_ text: String) {
        guard !printCut else { return }
        var line: String? = text
        let labLimited = labBudget < Self.maximumPrintedBytes - printedBytes
        let budget = printBudget
        if text.utf8.count + 1 > budget {
            // The start that fits, and "…" (3 bytes) and the line's end: nothing when even "…" does not.
            line = budget >= 4 ? Self.prefix(of: text, bytes: budget - 4) + "…" : nil
            printCut = true
        }
        if let line {
            printedBytes += line.utf8.count + 1
            if case .text(var joined)? = outputs.last {
                outputs[outputs.count - 1] = .text("")  // so that `joined` is the only reference
                joined += "\n"
                joined += line
                outputs[outputs.count - 1] = .text(joined)
            } else {
                append(.text(line))
            }
        }
        if printCut {
            notice(labLimited ? labCutMessage : "this step printed more than 1 MiB of text; the report keeps the first "
                + "\(groupThousands(printedBytes)) bytes and leaves the rest out")
            // The lab's limit, once said, covers the step's later outputs too.
            if labLimited { outputsCut = true }
        }
    }

    /// The longest start of `text`, in whole characters, that takes at most `bytes` UTF-8 bytes.
    static func prefix(of text: String, bytes: Int) -> String {
        var kept = 0
        var end = text.startIndex
        for index in text.indices {
            kept += text[index].utf8.count
            guard kept <= bytes else { break }
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// Adds a notice (a callout in the report, a line on the console) to the current step.
    func notice(_ text: String) {
        if append(.notice(text)), !isReplaying { log?("note: " + text) }
    }

    /// Adds advice (see `advice`), once, and says it on the console unless the step is replayed.
    func advise(_ text: String) {
        guard !advice.contains(text) else { return }
        advice.append(text)
        if !isReplaying { log?("note: " + text) }
    }

    /// Adds a figure to the current step's output.
    /// Files are named by step, position and content (`figure-03-2-1a2b3c4d5e6f.png`), so a step's
    /// figures keep their names whether or not the steps around it came from the cache.
    func addFigure(bytes: [UInt8], extension fileExtension: String, caption: String) {
        stepFigureCount += 1
        // The content's digest in the name: a new report never overwrites a figure the page it
        // replaces still shows, so an old page never shows new figures.
        let digest = StateHasher.hex(of: bytes).prefix(12)
        let name = String(format: "figure-%02d-%d-%@.%@", stepNumber, stepFigureCount, String(digest), fileExtension)
        append(.figure(FigureOutput(fileName: name, caption: caption, data: bytes)))
    }
}
