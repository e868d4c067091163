import FileOutput
import Foundation
import NeuralNet
import Report

/// What the cache keeps of one step that ran to the end: its outputs and time, the fingerprint
/// of the state it left, the files it read, and its trainings (history and trained GAN).
struct CachedStep {
    var key: String
    var seconds: Double
    var digestAfter: String
    var datasetDescription: String?
    var outputs: [StepOutput]
    var inputs: [InputFingerprint]
    var trainings: [TrainingRecord]
}

/// The step cache of one lab: `output/<lab>/.cache/<key>.step`, one file per step.
///
/// A file is a magic line, the entry, and a checksum of the entry. One that is truncated, altered
/// or from another version fails to load, is deleted and its step runs again: an entry is never
/// trusted without its checksum. Entries are untrusted input even so (anyone can compute a
/// checksum): only a regular file, not a link, is read, and one larger than
/// `maximumEntryBytes` is refused from its size before a byte is read. Files are written to a
/// temporary name and renamed.
struct StepCache {
    let folder: String

    static let magic = Array("LABSTEP6".utf8)

    /// The largest entry the cache writes or reads back: 1 GiB, or the memory budget when that
    /// is smaller. The course's largest, each of the 64×64 lab's two trainings with its defaults
    /// (both models, their Adam moments, the averaged generator, the epochs' samples), are 77 MB;
    /// a step past the limit is not cached and runs again each time.
    static var maximumEntryBytes: Int { min(1 << 30, MemoryBudget.bytes) }

    func path(_ key: String) -> String { (folder as NSString).appendingPathComponent(key + ".step") }

    /// The entry for `key`: nil when there is none; a thrown `CacheFormatError` when there is one
    /// that cannot be trusted (the caller discards it).
    func load(_ key: String) throws -> CachedStep? {
        let bytes: [UInt8]
        do {
            bytes = try StoredFile.read(path(key), maximumSize: Self.maximumEntryBytes)
        } catch let error as StoredFileError {
            if error.problem == .missing { return nil }
            throw CacheFormatError(error.reason)
        }
        guard bytes.count >= Self.magic.count + 64, bytes.prefix(Self.magic.count).elementsEqual(Self.magic) else {
            throw CacheFormatError("not a cache entry of this version")
        }
        let payload = Self.magic.count..<(bytes.count - 64)
        let checksum = String(decoding: bytes.suffix(64), as: UTF8.self)
        guard bytes.withUnsafeBytes({ StateHasher.hex(of: UnsafeRawBufferPointer(rebasing: $0[payload])) }) == checksum else {
            throw CacheFormatError("checksum mismatch (the file was damaged)")
        }
        var reader = BinaryReader(bytes, range: payload)
        let entry = try reader.cachedStep()
        guard reader.isAtEnd, entry.key == key else { throw CacheFormatError("entry for another step") }
        return entry
    }

    func store(_ entry: CachedStep) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var writer = BinaryWriter()
        writer.write(entry)
        let size = Self.magic.count + writer.bytes.count + 64
        guard size <= Self.maximumEntryBytes else {
            throw CacheFormatError("its entry would hold \(ByteCount.describe(size)), more than the \(ByteCount.describe(Self.maximumEntryBytes)) "
                + "the cache reads back; the step will run again next time")
        }
        let file = path(entry.key)
        try AtomicFile.write(Self.magic + writer.bytes + Array(StateHasher.hex(of: writer.bytes).utf8), to: file)
    }

    func discard(_ key: String) { try? FileManager.default.removeItem(atPath: path(key)) }

    /// Deletes every entry except `keys` (the ones the latest run used), so the cache holds one
    /// run's steps and does not grow without bound.
    func prune(keeping keys: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".step") || AtomicFile.isTemporary(name) {
            if AtomicFile.isTemporary(name) || !keys.contains(String(name.dropLast(5))) {
                try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
            }
        }
    }
}

// MARK: Encoding

extension BinaryWriter {
    mutating func write(_ entry: CachedStep) {
        write(entry.key)
        write(entry.seconds)
        write(entry.digestAfter)
        write(entry.datasetDescription != nil)
        write(entry.datasetDescription ?? "")
        write(entry.outputs.count)
        for output in entry.outputs { write(output) }
        write(entry.inputs.count)
        for input in entry.inputs {
            write(input.kind.rawValue)
            write(input.path)
            write(input.signature)
        }
        write(entry.trainings.count)
        for training in entry.trainings {
            write(training.history)
            write(training.checkpoint)
        }
    }

    mutating func write(_ output: StepOutput) {
        switch output {
        case .text(let text): write(UInt8(1)); write(text)
        case .notice(let text): write(UInt8(2)); write(text)
        case .table(let table):
            write(UInt8(3))
            write(table.caption)
            write(table.headers.count)
            for header in table.headers { write(header) }
            write(table.rows.count)
            for row in table.rows {
                write(row.count)
                for cell in row { write(cell) }
            }
            write(table.numericColumns.sorted())
            write(table.footer.count)
            for line in table.footer { write(line) }
        case .figure(let figure):
            write(UInt8(4))
            write(figure.fileName)
            write(figure.caption)
            write(figure.data ?? [])
        case .files(let saved):
            write(UInt8(5))
            write(saved.caption)
            write(saved.files.count)
            for file in saved.files {
                write(file.name)
                write(file.data)
            }
        }
    }

    mutating func write(_ tensor: Tensor) {
        write(tensor.shape)
        write(tensor.scalars)
    }

    mutating func write(_ history: GANHistory) {
        write(history.generatorLosses)
        write(history.discriminatorLosses)
        write(history.stepGeneratorLosses)
        write(history.stepDiscriminatorLosses)
        write(history.epochSeconds.count)
        for seconds in history.epochSeconds { write(seconds) }
        write(history.epochSamples.count)
        for sample in history.epochSamples { write(sample) }
        write(history.evaluations.count)
        for e in history.evaluations {
            write(e.epoch)
            write(e.samples)
            for value in [e.fid, e.inceptionScore, e.precision, e.recall, e.largestClassShare] { write(value) }
            write(e.classesCovered)
            write(e.isCollapsed)
        }
        write(history.evaluationInterval)
        write(history.wasInterrupted)
    }

    mutating func write(_ checkpoint: GANCheckpoint) {
        for weights in [checkpoint.generatorWeights, checkpoint.discriminatorWeights, checkpoint.averagedGeneratorWeights] {
            write(weights.count)
            for tensor in weights { write(tensor) }
        }
        for snapshot in [checkpoint.generatorOptimizer, checkpoint.discriminatorOptimizer] {
            write(snapshot.iterations)
            write(snapshot.arrays.count)
            for array in snapshot.arrays { write(array) }
        }
        write(checkpoint.random.words.count)
        for word in checkpoint.random.words { write(word) }
        write(checkpoint.random.spareNormal != nil)
        write(UInt64(checkpoint.random.spareNormal ?? 0))
    }
}

// MARK: Decoding

extension BinaryReader {
    mutating func cachedStep() throws -> CachedStep {
        let key = try string()
        let seconds = try double()
        let digest = try string()
        let hasDataset = try bool()
        let dataset = try string()
        let outputs = try (0..<count()).map { _ in try stepOutput() }
        let inputs = try (0..<count()).map { _ in
            guard let kind = InputFingerprint.Kind(rawValue: try byte()) else { throw CacheFormatError("unknown input kind") }
            return InputFingerprint(kind: kind, path: try string(), signature: try string())
        }
        let trainings = try (0..<count()).map { _ in TrainingRecord(history: try history(), checkpoint: try checkpoint()) }
        return CachedStep(key: key, seconds: seconds, digestAfter: digest, datasetDescription: hasDataset ? dataset : nil,
                          outputs: outputs, inputs: inputs, trainings: trainings)
    }

    /// A non-negative count, bounded by what is left to read.
    mutating func count() throws -> Int {
        let value = try int()
        guard value >= 0, value <= remaining else { throw CacheFormatError("bad count \(value)") }
        return value
    }

    mutating func stepOutput() throws -> StepOutput {
        switch try byte() {
        case 1: return .text(try string())
        case 2: return .notice(try string())
        case 3:
            let caption = try string()
            let headers = try (0..<count()).map { _ in try string() }
            let rows = try (0..<count()).map { _ in try (0..<count()).map { _ in try string() } }
            let numeric = Set(try ints())
            let footer = try (0..<count()).map { _ in try string() }
            return .table(TableOutput(caption: caption, headers: headers, rows: rows, numericColumns: numeric, footer: footer))
        case 4:
            let name = try string(), caption = try string()
            // The name becomes a file in the report's folder: only names lab itself gives.
            guard FigureOutput.isValidFileName(name) else { throw CacheFormatError("bad figure name") }
            return .figure(FigureOutput(fileName: name, caption: caption, data: try byteArray()))
        case 5:
            let caption = try string()
            let files = try (0..<count()).map { _ in
                let name = try string()
                // As for figures: only the plain names `SavedFilesOutput` allows become files.
                guard SavedFilesOutput.isValidFileName(name) else { throw CacheFormatError("bad saved file name") }
                return SavedFilesOutput.SavedFile(name: name, data: try byteArray())
            }
            return .files(SavedFilesOutput(caption: caption, files: files))
        case let tag:
            throw CacheFormatError("unknown output kind \(tag)")
        }
    }

    mutating func tensor() throws -> Tensor {
        let shape = try ints()
        let scalars = try floats()
        guard MemoryBudget.elementCount(shape) == scalars.count else { throw CacheFormatError("bad tensor") }
        return Tensor(shape: shape, scalars: scalars)
    }

    mutating func history() throws -> GANHistory {
        var history = GANHistory()
        history.generatorLosses = try floats()
        history.discriminatorLosses = try floats()
        history.stepGeneratorLosses = try floats()
        history.stepDiscriminatorLosses = try floats()
        history.epochSeconds = try (0..<count()).map { _ in try double() }
        history.epochSamples = try (0..<count()).map { _ in try tensor() }
        history.evaluations = try (0..<count()).map { _ in
            let epoch = try int(), samples = try int()
            let measures = try (0..<5).map { _ in try double() }
            return EpochEvaluation(epoch: epoch, samples: samples, fid: measures[0], inceptionScore: measures[1], precision: measures[2],
                                   recall: measures[3], classesCovered: try int(), largestClassShare: measures[4], isCollapsed: try bool())
        }
        history.evaluationInterval = try int()
        history.wasInterrupted = try bool()
        return history
    }

    mutating func checkpoint() throws -> GANCheckpoint {
        let generatorWeights = try (0..<count()).map { _ in try tensor() }
        let discriminatorWeights = try (0..<count()).map { _ in try tensor() }
        let averagedGeneratorWeights = try (0..<count()).map { _ in try tensor() }
        let optimizers = try (0..<2).map { _ in
            OptimizerSnapshot(iterations: try int(), arrays: try (0..<count()).map { _ in try floats() })
        }
        let words = try (0..<count()).map { _ in try uint64() }
        guard words.count == 4 else { throw CacheFormatError("bad random state") }
        let hasSpare = try bool()
        let spare = try uint64()
        return GANCheckpoint(generatorWeights: generatorWeights, discriminatorWeights: discriminatorWeights,
                             generatorOptimizer: optimizers[0], discriminatorOptimizer: optimizers[1],
                             random: .init(words: words, spareNormal: hasSpare ? UInt32(truncatingIfNeeded: spare) : nil),
                             averagedGeneratorWeights: averagedGeneratorWeights)
    }
}
