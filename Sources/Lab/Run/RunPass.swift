import Foundation
import NeuralNet
import Report

/// One pass over a lab's steps: each step replayed from the cache when its entry is valid, else
/// evaluated (and stored), then the report. A pass ends early, returning nil, when a cached step
/// fails to replay as recorded: its entry is discarded and the runner starts a new pass.
struct RunPass {
    let runner: LabRunner
    let file: LabFile
    /// How many steps the lab has, counted once (the console names it at every step).
    let stepCount: Int
    let cache: StepCache?
    let checkOnly: Bool
    let clock: ContinuousClock
    /// Entries written by this run (in an earlier pass): their steps count as run, not as cached.
    var storedNow: Set<String>

    let environment: Environment
    /// The parameters' values after `-P`, as `NAME=VALUE` lines for the cache keys.
    let parameterValues: [(name: String, text: String)]
    /// Where each parameter name stands in `parameterValues`.
    let parameterIndices: [String: [Int]]
    /// Where data is looked for, part of every cache key (another `--data` is another run).
    let dataPlaces: String
    private let resolved: [String: Value]
    var firstError: LabError?
    /// The state fingerprint after the last step.
    var digest: String
    /// The cache entries this pass used or wrote; the others are pruned after a clean run.
    var usedKeys: Set<String> = []
    /// What the steps read or looked for, replayed or run, for `lab watch`.
    var inputs: [InputFingerprint] = []
    private var blocks: [ReportBlock] = []
    /// The nearest heading above the current step, for the console.
    var heading: String

    init(runner: LabRunner, file: LabFile, cache: StepCache?, checkOnly: Bool, clock: ContinuousClock, storedNow: Set<String>) {
        self.runner = runner
        self.file = file
        stepCount = file.steps.count
        self.cache = cache
        self.checkOnly = checkOnly
        self.clock = clock
        self.storedNow = storedNow
        var resolved: [String: Value] = [:]
        do {
            resolved = try file.resolveOverrides(runner.settings.overrides)
        } catch {
            firstError = error as? LabError
            runner.log(firstError?.description ?? "\(error)")
        }
        self.resolved = resolved
        let environment = Environment(file: file, overrides: resolved, settings: runner.settings)
        environment.log = runner.log
        environment.interruption = runner.interrupted
        environment.residentMemoryLimit = runner.residentMemoryLimit
        environment.labOutputLimit = runner.labOutputLimit
        environment.progress = runner.progress
        environment.checkOnly = checkOnly
        environment.evaluatorSetup = runner.evaluatorSetup
        environment.outputFolder = checkOnly ? nil : runner.settings.reportFolder(file.name)
        self.environment = environment
        let values = file.parameters.map { (name: $0.name, text: "\($0.name)=\(resolved[$0.name]?.printed ?? $0.literal)") }
        parameterValues = values
        parameterIndices = Dictionary(grouping: values.indices, by: { values[$0].name })
        dataPlaces = environment.dataSearch().candidates.joined(separator: "\n")
        digest = environment.stateDigest()
        heading = file.title
    }

    /// Runs every step and returns the outcome, or nil when a cached step was discarded.
    mutating func run(totalSince start: ContinuousClock.Instant) -> LabRunner.Outcome? {
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
                let key = cacheKey(for: step)
                let report: StepReport
                if let cached = cachedEntry(key, step: step) {
                    guard let replayed = replay(step, from: cached, key: key, code: code) else { return nil }
                    report = replayed
                } else {
                    report = evaluate(step, key: key, code: code)
                }
                blocks.append(.step(report))
                environment.labOutputBytes += Environment.bytes(of: report.outputs)
            }
        }
        if firstError == nil { cache?.prune(keeping: usedKeys) }
        return finish(totalSince: start)
    }

    /// Evaluates a step for real, logs it, and stores it in the cache when it succeeded.
    private mutating func evaluate(_ step: LabFile.Step, key: String, code: [CodeToken]) -> StepReport {
        environment.beginStep(step.number, replaying: nil)
        let stepStart = clock.now
        var status: StepReport.Status
        adviseOnHabits(step)
        do {
            try Evaluator(step: step, environment: environment).run()
            status = .ran(seconds: (clock.now - stepStart).inSeconds, cached: false)
            if runner.interrupted() {
                firstError = LabError(file: file.path, line: step.firstLine, column: 1,
                                      message: "interrupted (Ctrl-C) during step \(step.number); this report shows the work done so far")
            }
        } catch {
            firstError = (error as? LabError).map { explainingPythonHabits($0, in: step) }
                ?? LabError(file: file.path, line: step.firstLine, column: 1, message: "\(error)")
            status = .failed(seconds: (clock.now - stepStart).inSeconds)
        }
        let elapsed = (clock.now - stepStart).inSeconds
        runner.log("Step \(step.number)/\(stepCount) · \(heading) · \(String(format: "%.1f s", elapsed))")
        if case .failed = status, let firstError { runner.log(firstError.description) }
        inputs += environment.inputs
        if firstError == nil { store(step, key: key, seconds: elapsed) }
        return StepReport(number: step.number, code: code, status: status, outputs: environment.advice.map(StepOutput.notice) + environment.outputs,
                          line: step.firstLine)
    }

    /// Advice on Python habits that are valid Swift (`BATCH // 2`), read from the step's code
    /// before it runs or is replayed.
    func adviseOnHabits(_ step: LabFile.Step) {
        let environment = environment
        for notice in PythonHabits.integerDivisionNotices(in: step, isDefined: { environment.bindings[$0] != nil }) {
            environment.advise(notice)
        }
    }

    /// `error` at a Python habit on its line, when it has one (`PythonHabits`).
    private func explainingPythonHabits(_ error: LabError, in step: LabFile.Step) -> LabError {
        let environment = environment
        return PythonHabits.explain(error, in: step, isDefined: { environment.bindings[$0] != nil },
                                    knows: { environment.vocabulary.functions[$0] != nil })
    }

    /// The report of the pass, written unless checking.
    private func finish(totalSince start: ContinuousClock.Instant) -> LabRunner.Outcome {
        let parameters = file.parameters.map { p in
            ReportParameter(name: p.name, value: resolved[p.name]?.printed ?? p.literal, comment: p.comment, overridden: resolved[p.name] != nil)
        }
        let failedStep = blocks.compactMap { block -> Int? in
            if case .step(let s) = block, case .failed = s.status { s.number } else { nil }
        }.first
        var facts = runner.metadata(parameters: parameters, seed: environment.seed, seconds: (clock.now - start).inSeconds)
        facts.dataset = environment.datasetDescription
        if stepCount == 0 {
            let warning = "this lab has no steps: no code block is fenced as ```swift (or ~~~swift), so nothing ran"
            runner.log("\(file.path): warning: \(warning)")
            facts.warnings.append(warning)
        }
        let report = LabReport(title: file.title, sourcePath: file.path, metadata: facts, blocks: blocks,
                               failure: firstError.map { ReportFailure(stepNumber: failedStep, message: $0.description) })
        let written = checkOnly ? nil : runner.write(report, labName: file.name)
        return LabRunner.Outcome(report: report, reportPath: written, error: firstError)
    }
}
