import Crypto
import Foundation
import FuzzSupport
import Lab

/// A doctored step-cache entry, as anyone who can write to `output/` could leave one: every input
/// becomes the entry of a lab step that trains a small GAN and draws from its history (losses,
/// samples, the animation, saved epoch images), given a valid checksum and the step's own key so
/// that it reaches the decoder and the replay. Each run must end in a replayed step or a
/// discarded entry (the step then trains again), never a crash or a hang.
///
/// The input is the entry without its leading key. `FUZZ_STEP_CACHE_SEED=FILE` writes a valid
/// one (this machine's training of the lab below) to FILE: `Corpus/FuzzStepCache/` holds one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStepCache(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let setup = CacheFuzzSetup.shared
    var payload = setup.keyField
    payload += UnsafeRawBufferPointer(start: data, count: count)
    let checksum = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
    _ = FileManager.default.createFile(atPath: setup.entryPath, contents: Data(setup.magic + payload + Array(checksum.utf8)))
    var runner = setup.runner()
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(2)
    runner.interrupted = { clock.now > deadline }
    _ = runner.run(writeReport: true)
    return 0
}

/// The lab, its folder and its training step's entry, made once per process.
struct CacheFuzzSetup: @unchecked Sendable {
    static let shared = CacheFuzzSetup()

    static let lab = """
        # 캐시

        ```swift
        let g = Sequential("G", input: [2]) {
            Dense(2)
            Dense(784, activation: .tanh)
        }
        let d = Sequential("D", input: [784]) {
            Dense(2)
            Dense(1, activation: .sigmoid)
        }
        let gan = GAN(generator: g, discriminator: d, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())
        let x = HandwrittenDigits(split: .test, count: 32).scaled(to: .minusOneToOne).flattened()
        ```

        ```swift
        let history = gan.train(x, epochs: 1, batchSize: 32)
        print(history.generatorLosses, history.discriminatorLosses, history.epochSeconds, history.completedEpochs)
        print(history.stepGeneratorLosses)
        lossChart(history, title: "손실")
        imageGrid(history.samples(epoch: 1), rows: 4, columns: 4)
        animation(history, title: "학습")
        saveEpochImages(history, prefix: "epoch_")
        ```
        """

    let folder: String
    let labPath: String
    let entryPath: String
    let magic: [UInt8]
    /// The key as the entry writes it: its length (8 bytes, little-endian), then its UTF-8.
    let keyField: [UInt8]

    init() {
        limitMemoryForFuzzing()
        folder = NSTemporaryDirectory() + "lab-fuzz-cache-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        labPath = folder + "/cache.md"
        try! Data(Self.lab.utf8).write(to: URL(fileURLWithPath: labPath))
        let first = LabRunner(path: labPath, settings: Self.settings(folder), log: { _ in })
        let outcome = first.run(writeReport: true)
        if let error = outcome.error { fatalError("the fuzzed lab must run: \(error.message)") }
        // The training step's entry is the largest: it holds the trained GAN.
        let cache = folder + "/output/cache/.cache"
        let entries = try! FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".step") }
        let size = { (name: String) in (try? FileManager.default.attributesOfItem(atPath: cache + "/" + name)[.size] as? Int) ?? 0 }
        let training = entries.max { size($0) < size($1) }!
        entryPath = cache + "/" + training
        let key = Array(training.dropLast(5).utf8)
        keyField = withUnsafeBytes(of: UInt64(key.count).littleEndian, Array.init) + key
        let bytes = [UInt8](FileManager.default.contents(atPath: entryPath)!)
        magic = Array(bytes.prefix(8))
        if let seed = ProcessInfo.processInfo.environment["FUZZ_STEP_CACHE_SEED"] {
            // The payload between the magic and the checksum, less the key.
            let payload = bytes[(magic.count + keyField.count)..<(bytes.count - 64)]
            try! Data(payload).write(to: URL(fileURLWithPath: seed))
        }
    }

    static func settings(_ folder: String) -> RunSettings {
        RunSettings(outputRoot: folder + "/output", dataEnvironment: ["HOME": "/nonexistent"])
    }

    func runner() -> LabRunner {
        var runner = LabRunner(path: labPath, settings: Self.settings(folder), log: { _ in })
        runner.residentMemoryLimit = 3 << 30
        return runner
    }
}
