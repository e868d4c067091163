import FileOutput
import Foundation
import NeuralNet

/// Where trained evaluators are kept for the user: one file per training set, named by the
/// data's fingerprint, in a folder beside the MNIST cache (`~/.cache/lab/evaluator`). A file that
/// is damaged or was trained on other data is never used: `load` returns nil and the caller trains
/// again.
public struct EvaluatorStore: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// The largest evaluator file read back: 64 MiB (a stored evaluator is about 0.9 MB). A larger
    /// file, a link or anything but a regular file is not read, and a new evaluator is trained.
    public static let maximumFileBytes = 64 << 20

    /// The file for evaluators trained on data with `fingerprint`.
    public func path(for fingerprint: String) -> String {
        (folder as NSString).appendingPathComponent("digits-\(fingerprint.prefix(16)).evaluator")
    }

    /// The stored evaluator for `fingerprint`, or nil (with the reason) when there is none or it
    /// cannot be trusted.
    public func load(fingerprint: String) -> (evaluator: DigitEvaluator?, problem: String?) {
        let file = path(for: fingerprint)
        do {
            let evaluator = try DigitEvaluator.decode(try StoredFile.read(file, maximumSize: Self.maximumFileBytes))
            guard evaluator.dataFingerprint == fingerprint else { return (nil, "\(file) was trained on other data") }
            return (evaluator, nil)
        } catch let error as StoredFileError {
            return (nil, error.problem == .missing ? nil : "\(file): \(error.reason)")
        } catch {
            return (nil, "\(file): \(error)")
        }
    }

    /// Writes `evaluator` through a temporary file and a rename.
    public func save(_ evaluator: DigitEvaluator) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = path(for: evaluator.dataFingerprint)
        do { try AtomicFile.write(evaluator.encoded(), to: file) } catch let failure as AtomicFileError {
            throw NeuralNetError(failure.description)
        }
    }
}
