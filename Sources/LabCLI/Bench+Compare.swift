import ArgumentParser
import Foundation
import Lab

extension LabCommand.Bench {
    /// `lab bench --compare OTHER`: this build and another `lab` binary, run one after the other in
    /// alternating rounds (this, other, this, other, …) with the same benchmarks and settings, so
    /// that a machine that speeds up or slows down between minutes affects both alike. Prints each
    /// benchmark's numbers per round, the ratio of the medians, in how many rounds this build's
    /// number was the lower (the faster for times; for GFLOPS, the slower) and how likely rounds
    /// that lopsided are by chance (a signed-rank test's p-value).
    func compare(with other: String) throws {
        guard FileManager.default.isExecutableFile(atPath: other) else {
            throw ValidationError("--compare takes the path of another lab executable; \(other) is not one")
        }
        let arguments = childArguments(benchmarks: only)
        try alternate(otherLabel: other) { try Self.measurements(running: other, arguments) }
    }

    /// `lab bench --keras SCRIPT`: this build's GAN steps and the Keras script's, in alternating
    /// rounds (ours for every benchmark, then the script once per benchmark), with the ratio
    /// ours / Keras, and then the share of Keras's step that each step's products alone take at
    /// the multiply-add peak (`KerasReference.peakShareSummary`). The script prints the mean of
    /// its steps, so each step's Keras time is set beside our median (the step's own line) and
    /// beside our mean (its `-mean` line), the like-for-like ratio.
    func compareWithKeras(script: String) throws {
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw ValidationError("--keras takes the path of the Keras timing script (keras_gan_step.py); \(script) is not a readable file")
        }
        let benchmarks = only.isEmpty ? KerasReference.kinds.map(\.benchmark) : only
        if let other = benchmarks.first(where: { KerasReference.kind(of: $0) == nil }) {
            throw ValidationError("--keras times the GAN steps only (\(KerasReference.kinds.map(\.benchmark).joined(separator: ", "))), not \(other)")
        }
        // Keras's number is a mean over its steps: it stands beside our median and our mean.
        let results = try alternate(otherLabel: "Keras (\(script))", benchmarks: benchmarks, comparedOnly: true) {
            try benchmarks.flatMap { benchmark in
                let kind = KerasReference.kind(of: benchmark)!
                // TensorFlow's start-up log goes to standard error: not shown.
                let output = try Self.output(of: "/usr/bin/env", ["python3", script, kind, String(steps)], showingErrors: false)
                guard let milliseconds = KerasReference.millisecondsPerStep(in: output, kind: kind) else {
                    throw ValidationError("\(script) \(kind) printed no '\(kind): … ms/step' line; is TensorFlow installed (pip install tensorflow-cpu)?")
                }
                return [(benchmark, milliseconds, "ms/step"), (KerasReference.meanLine(of: benchmark), milliseconds, "ms/step")]
            }
        }
        for benchmark in benchmarks {
            guard let keras = results[benchmark]?.other, let atPeak = results[KerasReference.productsAtPeakLine(of: benchmark)]?.this,
                  let summary = KerasReference.peakShareSummary(benchmark: benchmark, productsAtPeak: atPeak, keras: keras)
            else { continue }
            print(summary)
        }
    }

    /// The arguments that make a child `lab bench` run `benchmarks` with this command's settings.
    private func childArguments(benchmarks: [String]) -> [String] {
        var arguments = ["bench", "--steps", String(steps), "--warmup", String(warmup), "--batch-size", String(batchSize)] + benchmarks
        if let mnist { arguments += ["--mnist", mnist] }
        return arguments
    }

    /// Runs this build and `other` in alternating rounds (this, other, this, other, …), then
    /// prints each benchmark's numbers per round, the ratio of the medians, in how many rounds
    /// this build's number was the lower (the faster for times; for GFLOPS, the slower) and the
    /// signed-rank test's p-value of the rounds (`BenchComparison.signedRankP`).
    /// With `comparedOnly`, lines that only this build printed (the steps' `-floor` lines beside
    /// Keras) are left out of the table.
    /// Returns every line's numbers, this build's and the other's, one per round.
    @discardableResult
    private func alternate(otherLabel: String, benchmarks: [String]? = nil, comparedOnly: Bool = false,
                           _ other: () throws -> [(String, Double, String)]) throws -> [String: (this: [Double], other: [Double], unit: String)] {
        let this = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let ours = FileManager.default.isExecutableFile(atPath: this) ? this : CommandLine.arguments[0]
        let arguments = childArguments(benchmarks: benchmarks ?? only)
        var results: [String: (this: [Double], other: [Double], unit: String)] = [:]
        var order: [String] = []
        for round in 1...rounds {
            for index in 0..<2 {
                print("round \(round)/\(rounds): \(index == 0 ? "this build" : otherLabel)")
                for (name, value, unit) in try index == 0 ? Self.measurements(running: ours, arguments) : other() {
                    if results[name] == nil { order.append(name); results[name] = ([], [], unit) }
                    if index == 0 { results[name]!.this.append(value) } else { results[name]!.other.append(value) }
                }
            }
        }
        print("\nbenchmark  unit  this build (per round)  other (per round)  this / other (medians)  lower in  p (signed-rank)")
        for name in order {
            let (mine, theirs, unit) = results[name]!
            if comparedOnly && theirs.isEmpty { continue }
            let comparison = BenchComparison(this: mine, other: theirs)
            let rounds = comparison.roundsLower
            print("\(name)  \(unit)  \(mine.map { fixed($0, 2) }.joined(separator: ", "))  \(theirs.map { fixed($0, 2) }.joined(separator: ", "))  "
                + (comparison.medianRatio.map { fixed($0, 3) } ?? "—") + "  \(rounds.lower) of \(rounds.of) rounds  "
                + (comparison.signedRankP.map { "p " + fixed($0, 3) } ?? "p —"))
        }
        return results
    }

    /// Runs `binary` with `arguments` and reads its result lines: a name, two spaces, a number and
    /// its unit ("dcgan-step  312.40 ms/step  …").
    static func measurements(running binary: String, _ arguments: [String]) throws -> [(String, Double, String)] {
        try output(of: binary, arguments).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[0] != "machine", let value = Double(fields[1]) else { return nil }
            return (String(fields[0]), value, String(fields[2]))
        }
    }

    /// What `executable` with `arguments` prints on standard output (its errors shown unless
    /// `showingErrors` is false); a thrown error when it fails.
    static func output(of executable: String, _ arguments: [String], showingErrors: Bool = true) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Each build chooses its kernels from the user's environment, not from this process's choice.
        process.environment = KernelSelectionEnvironment.forChild(ProcessInfo.processInfo.environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        if !showingErrors { process.standardError = FileHandle.nullDevice }
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        return output
    }
}
