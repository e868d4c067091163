import ArgumentParser
import Foundation
import Lab

extension LabCommand.Bench {
    /// `lab bench --compare OTHER`: this build and another `lab` binary, run one after the other in
    /// alternating rounds (this, other, this, other, …) with the same benchmarks and settings, so
    /// that a machine that speeds up or slows down between minutes affects both alike. Prints each
    /// benchmark's numbers per round, the ratio of the medians and in how many rounds this build's
    /// number was the lower (the faster for times; for GFLOPS, the slower).
    func compare(with other: String) throws {
        guard FileManager.default.isExecutableFile(atPath: other) else {
            throw ValidationError("--compare takes the path of another lab executable; \(other) is not one")
        }
        let this = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let ours = FileManager.default.isExecutableFile(atPath: this) ? this : CommandLine.arguments[0]
        var arguments = ["bench", "--steps", String(steps), "--warmup", String(warmup), "--batch-size", String(batchSize)] + only
        if let mnist { arguments += ["--mnist", mnist] }
        var results: [String: (this: [Double], other: [Double], unit: String)] = [:]
        var order: [String] = []
        for round in 1...rounds {
            for (index, binary) in [ours, other].enumerated() {
                print("round \(round)/\(rounds): \(index == 0 ? "this build" : other)")
                for (name, value, unit) in try Self.measurements(running: binary, arguments) {
                    if results[name] == nil { order.append(name); results[name] = ([], [], unit) }
                    if index == 0 { results[name]!.this.append(value) } else { results[name]!.other.append(value) }
                }
            }
        }
        print("\nbenchmark  unit  this build (per round)  other (per round)  this / other (medians)  lower in")
        for name in order {
            let (mine, theirs, unit) = results[name]!
            let comparison = BenchComparison(this: mine, other: theirs)
            let rounds = comparison.roundsLower
            print("\(name)  \(unit)  \(mine.map { fixed($0, 2) }.joined(separator: ", "))  \(theirs.map { fixed($0, 2) }.joined(separator: ", "))  "
                + (comparison.medianRatio.map { fixed($0, 3) } ?? "—") + "  \(rounds.lower) of \(rounds.of) rounds")
        }
    }

    /// Runs `binary` with `arguments` and reads its result lines: a name, two spaces, a number and
    /// its unit ("dcgan-step  312.40 ms/step  …").
    static func measurements(running binary: String, _ arguments: [String]) throws -> [(String, Double, String)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        // Each build chooses its kernels from the user's environment, not from this process's choice.
        process.environment = KernelSelectionEnvironment.forChild(ProcessInfo.processInfo.environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(binary) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[0] != "machine", let value = Double(fields[1]) else { return nil }
            return (String(fields[0]), value, String(fields[2]))
        }
    }
}
