import Foundation
import NeuralNet
import Report

/// Runs a lab file step by step and writes its report.
public struct LabRunner {
    /// The lab file.
    public var path: String
    /// What the user asked of this run (`-P`, `--out`, `--force`, `--data`, …).
    public var settings: RunSettings
    /// Receives one line per step (and errors) for the console.
    public var log: (String) -> Void
    /// Answers true once the user asked to stop (Ctrl-C); checked after every training batch.
    public var interrupted: () -> Bool = { false }
    /// The resident memory past which a step stops with an error (checked every 0.1 s at the
    /// step's statements and loop turns); `MemoryBudget.processBytes` unless a test sets less.
    public var residentMemoryLimit = MemoryBudget.processBytes
    /// How many bytes the lab's steps may show in all (`Environment.maximumLabOutputBytes`).
    public var labOutputLimit = Environment.maximumLabOutputBytes
    /// Receives training progress (epoch, batch, losses) for a live console line.
    public var progress: ((GANProgress) -> Void)?
    /// The evaluator to judge samples with; nil loads the user's stored one (training it on first
    /// use). Tests give a small one.
    public var evaluatorSetup: EvaluatorSetup?

    public init(path: String, settings: RunSettings = RunSettings(), log: @escaping (String) -> Void = { print($0) }) {
        self.path = path
        self.settings = settings
        self.log = log
    }

    /// What a run produced.
    public struct Outcome {
        public var report: LabReport
        /// The report's path, when it was written.
        public var reportPath: String?
        /// The first error, if the run failed.
        public var error: LabError?
        /// The lab file and every file or folder its steps read or looked for, as they were.
        var watched: [InputFingerprint] = []

        /// True once the lab file or a file its steps read has changed (or appeared, or gone)
        /// since this run: what `lab watch` checks to run the lab again.
        public var inputsChanged: Bool { watched.contains { !$0.isCurrent } }

        /// The paths `inputsChanged` looks at.
        public var watchedPaths: [String] { watched.map(\.path) }
    }

    /// Evaluates the steps in order. A failing step still yields a report, with a banner linking to
    /// it and the later steps marked as not run. With `writeReport` false (`lab check`) nothing is
    /// written, the cache is not used, and training runs on one batch only, to check shapes.
    public func run(writeReport: Bool = true) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        // Taken before reading, so that a save during the run counts as a change.
        let labFile = InputFingerprint.file(path)
        let file: LabFile
        do {
            file = try LabFile(path: path, text: try LabFile.readText(path))
        } catch {
            var outcome = unreadable(error, writeReport: writeReport)
            outcome.watched = [labFile]
            return outcome
        }
        let cache = writeReport ? StepCache(folder: (settings.reportFolder(file.name) as NSString).appendingPathComponent(".cache")) : nil
        // A cached step that does not replay as recorded is discarded and the run starts over;
        // each restart removes an entry, so this ends.
        var storedNow: Set<String> = []
        while true {
            var pass = RunPass(runner: self, file: file, cache: cache, checkOnly: !writeReport, clock: clock, storedNow: storedNow)
            if var outcome = pass.run(totalSince: start) {
                outcome.watched = [labFile] + pass.inputs
                return outcome
            }
            storedNow = pass.storedNow
            log("cache: starting again without the discarded entry")
        }
    }

    /// The outcome for a lab file that cannot be read or split. A missing or unreadable file (a
    /// typo such as `lab run ok` for `ok.md`) writes and touches no report: there is no lab to
    /// report on. A file that reads but does not split (an unclosed fence) gets one with the error.
    private func unreadable(_ error: any Error, writeReport: Bool) -> Outcome {
        let failure = error as? LabError ?? LabError(file: path, line: 1, column: 1, message: "\(error)")
        log(failure.description)
        let report = LabReport(title: URL(fileURLWithPath: path).lastPathComponent, sourcePath: path,
                               metadata: metadata(parameters: [], seed: nil, seconds: 0), blocks: [],
                               failure: ReportFailure(stepNumber: nil, message: failure.description))
        let readable = (try? LabFile.readText(path)) != nil
        let written = writeReport && readable ? write(report, labName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent) : nil
        return Outcome(report: report, reportPath: written, error: failure)
    }

    /// The report header's facts about this run.
    func metadata(parameters: [ReportParameter], seed: Int?, seconds: Double) -> RunMetadata {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var metadata = RunMetadata(date: formatter.string(from: Date()), machine: MachineDescription.current,
                                   seed: seed, parameters: parameters, totalSeconds: seconds)
        metadata.numerics = settings.numerics
        return metadata
    }
}
