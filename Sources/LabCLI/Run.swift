import ArgumentParser
import Foundation
import Lab

extension LabCommand {
    /// `lab run FILE`: evaluates a lab and writes its HTML report.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs a lab file and writes its report under output/.")

        @Argument(help: "The lab file, e.g. labs/07-2-simple-gan.md.")
        var file: String

        @Option(name: .customShort("P"), help: ArgumentHelp("Overrides a parameter of the lab, e.g. -P EPOCHS=5.", valueName: "NAME=VALUE"))
        var parameters: [String] = []

        @Option(help: "The folder that receives the reports.")
        var out = "output"

        @Flag(help: "Embed the figures in the page instead of writing them beside it.")
        var selfContained = false

        @Flag(help: "Run every step again, ignoring the results cached under output/<lab>/.cache/.")
        var force = false

        @Option(help: "The folder holding MNIST (train-images-idx3-ubyte.gz, …); else LAB_DATA, data/mnist, ~/.cache/lab/mnist.")
        var data: String?

        func validate() throws { _ = try overrides(parameters) }

        func run() throws {
            Interruption.install()
            let settings = RunSettings(overrides: try overrides(parameters), outputRoot: out, selfContained: selfContained, force: force,
                                       dataFolder: data)
            var runner = LabRunner(path: file, settings: settings, log: ProgressLine.log)
            runner.interrupted = { Interruption.requested }
            runner.progress = ProgressLine.report
            let outcome = runner.run()
            if let path = outcome.reportPath { print("report: \(path)") }
            // A report that could not be written is a failure too (the runner said why).
            if outcome.error != nil || outcome.reportPath == nil { throw ExitCode(1) }
        }
    }

    /// `lab check FILE`: evaluates every step without writing a report.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks every step of a lab (names, labels, types, shapes) without writing a report; training runs one batch only.")

        @Argument(help: "The lab file.")
        var file: String

        @Option(name: .customShort("P"), help: ArgumentHelp("Overrides a parameter of the lab.", valueName: "NAME=VALUE"))
        var parameters: [String] = []

        @Option(help: "The folder holding MNIST, as for lab run.")
        var data: String?

        func run() throws {
            let runner = LabRunner(path: file, settings: RunSettings(overrides: try overrides(parameters), dataFolder: data))
            let outcome = runner.run(writeReport: false)
            if outcome.error != nil { throw ExitCode(1) }
            print("\(file): ok")
        }
    }

    /// `lab params FILE`: the lab's parameters with their defaults and comments.
    struct Params: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists a lab's parameters with their defaults and comments.")

        @Argument(help: "The lab file.")
        var file: String

        func run() throws {
            do {
                let parameters = try LabFile(path: file).parameters
                let width = parameters.map(\.name.count).max() ?? 0
                for p in parameters {
                    let padded = p.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    print("\(padded)  = \(p.literal)  (\(p.type))" + (p.comment.isEmpty ? "" : "  // \(p.comment)"))
                }
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// `lab list`: the labs under `labs/` with their titles.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the labs under labs/ (and its subfolders, such as labs/studies/) with their titles.")

        @Option(help: "The folder of lab files.")
        var folder = "labs"

        func run() throws {
            let fm = FileManager.default
            var labs: [String] = []
            for name in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted() where !name.hasPrefix(".") {
                var isFolder: ObjCBool = false
                _ = fm.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isFolder)
                if isFolder.boolValue {
                    let inner = (try? fm.contentsOfDirectory(atPath: (folder as NSString).appendingPathComponent(name))) ?? []
                    labs += inner.filter { $0.hasSuffix(".md") }.sorted().map { (name as NSString).appendingPathComponent($0) }
                } else if name.hasSuffix(".md") {
                    labs.append(name)
                }
            }
            labs.sort { ($0.contains("/") ? 1 : 0, $0) < ($1.contains("/") ? 1 : 0, $1) }
            guard !labs.isEmpty else {
                print("no labs in \(folder)/")
                return
            }
            for name in labs {
                let path = (folder as NSString).appendingPathComponent(name)
                let title = (try? LabFile(path: path).title) ?? "(unreadable)"
                print("\(path)  \(title)")
            }
        }
    }
}

/// `NAME=VALUE` strings as a dictionary; a malformed one is a usage error.
func overrides(_ items: [String]) throws -> [String: String] {
    var result: [String: String] = [:]
    for item in items {
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw ValidationError("-P expects NAME=VALUE, got '\(item)'")
        }
        result[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
    }
    return result
}
