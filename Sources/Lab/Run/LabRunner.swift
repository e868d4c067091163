import Datasets
import FileOutput
import Foundation
import NeuralNet
import Report

/// Runs a lab file step by step and writes its report.
public struct LabRunner {
    /// The lab file.
    public var path: String
    /// `-P NAME=VALUE` overrides.
    public var overrides: [String: String]
    /// Where reports go; each lab gets `<outputRoot>/<lab name>/index.html`.
    public var outputRoot: String
    /// Embed figures in the page instead of writing them beside it.
    public var selfContained: Bool
    /// Receives one line per step (and errors) for the console.
    public var log: (String) -> Void
    /// `--data`: where to look for data first.
    public var dataFolder: String?
    /// The environment variables the data search reads (`LAB_DATA`, `HOME`, `XDG_CACHE_HOME`).
    public var dataEnvironment = ProcessInfo.processInfo.environment
    /// Answers true once the user asked to stop (Ctrl-C); checked after every training batch.
    public var interrupted: () -> Bool = { false }
    /// `--force`: run every step, ignoring cached results (the cache is rewritten).
    public var force = false
    /// Receives training progress (epoch, batch, losses) for a live console line.
    public var progress: ((GANProgress) -> Void)?
    /// The evaluator to judge samples with; nil loads the user's stored one (training it on first
    /// use). Tests give a small one.
    public var evaluatorSetup: EvaluatorSetup?

    public init(path: String, overrides: [String: String] = [:], outputRoot: String = "output",
                selfContained: Bool = false, log: @escaping (String) -> Void = { print($0) }) {
        self.path = path
        self.overrides = overrides
        self.outputRoot = outputRoot
        self.selfContained = selfContained
        self.log = log
    }

    /// What a run produced.
    public struct Outcome {
        public var report: LabReport
        /// The report's path, when it was written.
        public var reportPath: String?
        /// The first error, if the run failed.
        public var error: LabError?
    }

    /// Evaluates the steps in order. A failing step still yields a report, with a banner linking to
    /// it and the later steps marked as not run. With `writeReport` false (`lab check`) nothing is
    /// written, the cache is not used, and training runs on one batch only, to check shapes.
    public func run(writeReport: Bool = true) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let file: LabFile
        do {
            file = try LabFile(path: path, text: try LabFile.readText(path))
        } catch {
            let failure = error as? LabError ?? LabError(file: path, line: 1, column: 1, message: "\(error)")
            log(failure.description)
            let report = LabReport(title: URL(fileURLWithPath: path).lastPathComponent, sourcePath: path,
                                   metadata: metadata(parameters: [], seed: nil, seconds: 0), blocks: [],
                                   failure: ReportFailure(stepNumber: nil, message: failure.description))
            // A missing or unreadable lab file (a typo such as `lab run ok` for `ok.md`) writes and
            // touches no report: there is no lab to report on. A file that reads but does not
            // split (an unclosed fence) gets a report with the error.
            let readable = (try? LabFile.readText(path)) != nil
            let written = writeReport && readable ? write(report, labName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent) : nil
            return Outcome(report: report, reportPath: written, error: failure)
        }
        let cache = writeReport ? StepCache(folder: ((outputRoot as NSString).appendingPathComponent(file.name) as NSString).appendingPathComponent(".cache")) : nil
        // A cached step that does not replay as recorded is discarded and the run starts over;
        // each restart removes an entry, so this ends.
        var storedNow: Set<String> = []
        while true {
            if let outcome = attempt(file, cache: cache, checkOnly: !writeReport, clock: clock, start: start, storedNow: &storedNow) {
                return outcome
            }
            log("cache: starting again without the discarded entry")
        }
    }

    /// One pass over the steps; nil when a cached step failed to replay and was discarded.
    /// `storedNow` holds the entries written by this run (in an earlier pass): their steps count as
    /// run, not as cached.
    private func attempt(_ file: LabFile, cache: StepCache?, checkOnly: Bool, clock: ContinuousClock,
                         start: ContinuousClock.Instant, storedNow: inout Set<String>) -> Outcome? {
        var firstError: LabError?
        var resolved: [String: Value] = [:]
        do {
            resolved = try file.resolveOverrides(overrides)
        } catch {
            firstError = error as? LabError
            log(firstError?.description ?? "\(error)")
        }
        let environment = Environment(file: file, overrides: resolved)
        environment.dataFolder = dataFolder
        environment.log = log
        environment.processEnvironment = dataEnvironment
        environment.interruption = interrupted
        environment.progress = progress
        environment.checkOnly = checkOnly
        environment.evaluatorSetup = evaluatorSetup
        environment.outputFolder = checkOnly ? nil : (outputRoot as NSString).appendingPathComponent(file.name)
        let steps = file.steps
        let parameterValues = file.parameters.map { (name: $0.name, text: "\($0.name)=\(resolved[$0.name]?.printed ?? $0.literal)") }
        let dataPlaces = DataSearch(option: dataFolder, environment: dataEnvironment).candidates.joined(separator: "\n")
        var digest = environment.stateDigest()
        var usedKeys: Set<String> = []
        var blocks: [ReportBlock] = []
        var heading = file.title
        for block in file.blocks {
            switch block {
            case .prose(let text):
                blocks.append(.prose(text))
                if let last = text.components(separatedBy: "\n").last(where: { $0.hasPrefix("#") }) {
                    heading = last.drop(while: { $0 == "#" || $0 == " " }).trimmingCharacters(in: .whitespaces)
                }
            case .step(let step):
                let code = Highlighter.tokens(step.source)
                guard firstError == nil else {
                    blocks.append(.step(StepReport(number: step.number, code: code, status: .notRun, outputs: [], line: step.firstLine)))
                    continue
                }
                // Only the parameters this step mentions: one that only a later step reads does
                // not re-run this one (its bindings are not in the state fingerprint either).
                let parameterText = parameterValues.filter { step.source.mentions(identifier: $0.name) }.map(\.text).joined(separator: "\n")
                let key = StateHasher.hex(of: Array(["lab-step-cache-5", step.source, parameterText, digest, dataPlaces].joined(separator: "\u{1}").utf8))
                if let cached = cachedEntry(key, step: step, cache: cache, policy: environment.readPolicy) {
                    // Replay: the step's code runs again to rebuild its bindings, but trainings are
                    // taken from the entry; the resulting state must be the recorded one.
                    environment.beginStep(step.number, replaying: cached.trainings)
                    do {
                        try Evaluator(step: step, environment: environment).run()
                        guard environment.replayTrainings?.isEmpty == true else {
                            throw CacheReplayMismatch(reason: "the step trains less often than when it was cached")
                        }
                        digest = environment.stateDigest()
                        guard digest == cached.digestAfter else { throw CacheReplayMismatch(reason: "it leaves a different state") }
                    } catch {
                        log("cache: step \(step.number) discarded (\(error))")
                        cache?.discard(key)
                        return nil
                    }
                    environment.replayTrainings = nil
                    usedKeys.insert(key)
                    let ranNow = storedNow.contains(key)
                    log("Step \(step.number)/\(steps.count) · \(heading) · "
                        + (ranNow ? String(format: "%.1f s", cached.seconds) : "from cache (ran \(String(format: "%.1f s", cached.seconds)))"))
                    blocks.append(.step(StepReport(number: step.number, code: code, status: .ran(seconds: cached.seconds, cached: !ranNow),
                                                   outputs: cached.outputs, line: step.firstLine)))
                    continue
                }
                environment.beginStep(step.number, replaying: nil)
                let stepStart = clock.now
                var status: StepReport.Status
                do {
                    try Evaluator(step: step, environment: environment).run()
                    status = .ran(seconds: (clock.now - stepStart).inSeconds, cached: false)
                    if interrupted() {
                        firstError = LabError(file: path, line: step.firstLine, column: 1,
                                              message: "interrupted (Ctrl-C) during step \(step.number); this report shows the work done so far")
                    }
                } catch {
                    let failure = error as? LabError ?? LabError(file: path, line: step.firstLine, column: 1, message: "\(error)")
                    firstError = failure
                    status = .failed(seconds: (clock.now - stepStart).inSeconds)
                }
                let elapsed = (clock.now - stepStart).inSeconds
                log("Step \(step.number)/\(steps.count) · \(heading) · \(String(format: "%.1f s", elapsed))")
                if case .failed = status, let firstError { log(firstError.description) }
                blocks.append(.step(StepReport(number: step.number, code: code, status: status, outputs: environment.outputs, line: step.firstLine)))
                if firstError == nil, let cache {
                    digest = environment.stateDigest()
                    let entry = CachedStep(key: key, seconds: elapsed, digestAfter: digest, datasetDescription: environment.datasetDescription,
                                           outputs: environment.outputs, inputs: environment.inputs, trainings: environment.recordedTrainings)
                    do {
                        try cache.store(entry)
                        usedKeys.insert(key)
                        storedNow.insert(key)
                    } catch {
                        log("cache: cannot save step \(step.number) (\(error))")
                    }
                }
            }
        }
        if firstError == nil { cache?.prune(keeping: usedKeys) }
        let parameters = file.parameters.map { p in
            ReportParameter(name: p.name, value: resolved[p.name]?.printed ?? p.literal, comment: p.comment, overridden: resolved[p.name] != nil)
        }
        let failedStep = blocks.compactMap { block -> Int? in
            if case .step(let s) = block, case .failed = s.status { s.number } else { nil }
        }.first
        var facts = metadata(parameters: parameters, seed: environment.seed, seconds: (clock.now - start).inSeconds)
        facts.dataset = environment.datasetDescription
        if steps.isEmpty {
            let warning = "this lab has no steps: no code block is fenced as ```swift (or ~~~swift), so nothing ran"
            log("\(path): warning: \(warning)")
            facts.warnings.append(warning)
        }
        let report = LabReport(
            title: file.title, sourcePath: path,
            metadata: facts,
            blocks: blocks, failure: firstError.map { ReportFailure(stepNumber: failedStep, message: $0.description) })
        let written = checkOnly ? nil : write(report, labName: file.name)
        return Outcome(report: report, reportPath: written, error: firstError)
    }

    /// The usable cache entry for `key`, if any: a damaged one is deleted (and said so); one whose
    /// input files changed is ignored.
    /// An entry naming an input the lab may not read is ignored too: entries are data from disk.
    private func cachedEntry(_ key: String, step: LabFile.Step, cache: StepCache?, policy: ReadPolicy) -> CachedStep? {
        guard let cache, !force else { return nil }
        do {
            guard let entry = try cache.load(key) else { return nil }
            let safe = entry.inputs.allSatisfy { ReadPolicy.realPath($0.path) == nil || policy.allows($0.path) }
            return safe && entry.inputs.allSatisfy(\.isCurrent) ? entry : nil
        } catch {
            log("cache: step \(step.number)'s entry is damaged (\(error)); running the step again")
            cache.discard(key)
            return nil
        }
    }

    private func metadata(parameters: [ReportParameter], seed: Int?, seconds: Double) -> RunMetadata {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return RunMetadata(date: formatter.string(from: Date()), machine: MachineDescription.current,
                           seed: seed, parameters: parameters, totalSeconds: seconds)
    }

    /// Writes `index.html` through a temporary file and a rename, so an earlier good report is
    /// never replaced by half a page. Returns the path, or nil (after logging) when writing failed.
    private func write(_ report: LabReport, labName: String) -> String? {
        let folder = (outputRoot as NSString).appendingPathComponent(labName)
        let target = (folder as NSString).appendingPathComponent("index.html")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if !selfContained {
                for case .step(let step) in report.blocks {
                    for case .figure(let figure) in step.outputs {
                        guard let data = figure.data else { continue }
                        guard FigureOutput.isValidFileName(figure.fileName) else { throw CocoaError(.fileWriteInvalidFileName) }
                        let figurePath = (folder as NSString).appendingPathComponent(figure.fileName)
                        try AtomicFile.write(data, to: figurePath)
                    }
                }
            }
            try AtomicFile.write(Array(report.html(selfContained: selfContained).utf8), to: target)
            removeStaleFigures(in: folder, keeping: selfContained ? [] : Set(report.figureFileNames))
            return target
        } catch {
            log("\(target): cannot write the report (\((error as? AtomicFileError)?.problem ?? error.localizedDescription))")
            return nil
        }
    }

    /// Deletes figure files of earlier runs that the new report no longer shows.
    private func removeStaleFigures(in folder: String, keeping names: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix("figure-") && !names.contains(name) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }

}

/// A one-line description of this computer for report headers.
enum MachineDescription {
    static var current: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        var model = "CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            model = name.trimmingCharacters(in: .whitespaces)
        }
        return "\(model), \(cores) cores, \(String(format: "%.0f", memory)) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }
}
