import ArgumentParser
import Datasets
import Foundation
import NeuralNet

extension LabCommand {
    /// `lab data …`: getting and finding data sets.
    struct DataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data", abstract: "Downloads data sets and shows where labs find them.",
            subcommands: [Fetch.self, Where.self, CSV.self])
    }
}

extension LabCommand.DataCommand {
    /// `lab data fetch mnist`: the four MNIST files into the per-user cache, MD5-checked.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Downloads MNIST over HTTPS into the per-user cache and checks its MD5 sums.")

        @Argument(help: "The data set; only 'mnist' is known.")
        var name: String

        @Option(help: "The folder to download into (default: the per-user cache that labs search).")
        var into: String?

        @Option(help: "A base URL to try before the standard mirrors (HTTPS).")
        var mirror: [String] = []

        func validate() throws {
            guard name.lowercased() == "mnist" else { throw ValidationError("unknown data set '\(name)'; known: mnist") }
        }

        func run() throws {
            let destination = into ?? DataSearch().cacheFolder
            let download = MNISTDownload(destination: destination, mirrors: mirror + MNISTDownload.standardMirrors)
            let outcome = waitFor { try await download.run(log: { print($0) }) }
            switch outcome {
            case .success(let results):
                print("MNIST is in \(destination) (\(results.count) files checked); labs find it there.")
            case .failure(let error):
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// `lab data where`: the places MNIST is looked for, in order, and which one holds it.
    struct Where: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows where labs look for MNIST and what they find.")

        @Option(help: "A folder given with --data to lab run.")
        var data: String?

        func run() throws {
            let search = DataSearch(option: data)
            var found = false
            for folder in search.candidates {
                let present = MNIST.files(in: folder, split: .train) != nil && MNIST.files(in: folder, split: .test) != nil
                print("\(present && !found ? "→" : " ") \(folder)\(present ? "  (MNIST here)" : "")")
                found = found || present
            }
            if !found {
                print("MNIST was not found: labs use the built-in generated digits. Run `lab data fetch mnist` to download it.")
            }
        }
    }
}

extension LabCommand.DataCommand {
    /// `lab data csv`: MNIST as the common CSV file (`mnist_test.csv`), from the IDX files, so a
    /// student can make the `002_…` notebook's own file.
    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csv", abstract: "Writes MNIST from its IDX files as CSV (label,1x1,…,28x28), the form of mnist_test.csv.")

        @Option(help: "Which split: test (10,000 images, the notebook's mnist_test.csv) or train (60,000).")
        var split = "test"

        @Option(help: "The file to write (default: data/mnist_test.csv or data/mnist_train.csv, where the lab looks).")
        var out: String?

        @Option(help: "The folder holding MNIST, as for lab run.")
        var data: String?

        func validate() throws {
            guard MNIST.Split(rawValue: split) != nil else { throw ValidationError("--split takes test or train, got '\(split)'") }
        }

        func run() throws {
            let chosen = MNIST.Split(rawValue: split)!
            let search = DataSearch(option: data)
            guard let folder = search.firstFolder(holding: chosen) else {
                FileHandle.standardError.write(Data(("error: MNIST was not found (looked in \(search.candidates.joined(separator: ", "))); "
                    + "run `lab data fetch mnist` or pass --data FOLDER\n").utf8))
                throw ExitCode(1)
            }
            let target = out ?? "data/mnist_\(split).csv"
            do {
                let dataset = try MNIST.load(from: folder, split: chosen)
                let directory = (target as NSString).deletingLastPathComponent
                if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
                try CSVDigits.write(dataset, to: target)
                print("\(target): \(groupThousands(dataset.count)) images of MNIST's \(split) split from \(folder), as CSV (label,1x1,…,28x28)")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

/// Runs async work from a synchronous command and waits for its result.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return box.result!
}

/// A result handed from a task to the waiting thread; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
