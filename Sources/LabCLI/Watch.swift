import ArgumentParser
import Foundation
import Lab
import LabWatch

extension LabCommand {
    /// `lab watch FILE`: the edit-and-see loop.
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs a lab, serves its report on http://127.0.0.1:PORT/ and runs it again whenever the lab file or its data change; the open page reloads itself.")

        @Argument(help: "The lab file.")
        var file: String

        @Option(name: .customShort("P"), help: ArgumentHelp("Overrides a parameter of the lab, e.g. -P EPOCHS=5.", valueName: "NAME=VALUE"))
        var parameters: [String] = []

        @Option(help: "The folder that receives the reports.")
        var out = "output"

        @Option(help: "The folder holding MNIST, as for lab run.")
        var data: String?

        @Option(help: "The port on 127.0.0.1 (0 picks a free one).")
        var port: UInt16 = 8765

        func validate() throws { _ = try overrides(parameters) }

        func run() throws {
            Interruption.install()
            let settings = RunSettings(overrides: try overrides(parameters), outputRoot: out, dataFolder: data)
            var runner = LabRunner(path: file, settings: settings, log: ProgressLine.log)
            runner.interrupted = { Interruption.requested }
            runner.progress = ProgressLine.report
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            let server = try ReportServer(folder: settings.reportFolder(name), port: port)
            let listening: UInt16
            switch waitFor({ try await server.start() }) {
            case .success(let port): listening = port
            case .failure(let error):
                FileHandle.standardError.write(Data("error: cannot listen on 127.0.0.1:\(port) (\(error)); try another --port, or --port 0\n".utf8))
                throw ExitCode(1)
            }
            ProgressLine.log("watching \(file): the report is at http://127.0.0.1:\(listening)/ and reloads itself after each run; Ctrl-C stops")
            LabWatcher(runner: runner).watch(shouldStop: { Interruption.requested }) { outcome in
                server.reportChanged()
                ProgressLine.log(outcome.error == nil ? "report updated; waiting for changes …" : "the report shows the error; waiting for changes …")
            }
            _ = waitFor { await server.stop() }
            ProgressLine.log("stopped watching \(file)")
        }
    }
}
