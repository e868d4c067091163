import Foundation
@testable import Lab
import NeuralNet
import Testing

/// A cache entry's training history is drawn from before the replay can check the state it
/// leaves: a doctored one (valid checksum, absurd numbers or shapes) must be drawn, or refused
/// with the entry discarded and the step trained again; never a crash.
@Suite struct DoctoredHistoryTests {
    static let lab = "# 기록\n\n```swift\n" + CacheCoverageTests.history + """

        print(history.generatorLosses, history.discriminatorLosses, history.epochSeconds, history.completedEpochs)
        lossChart(history, title: "손실")
        lineChart([history.stepGeneratorLosses, history.stepDiscriminatorLosses], names: ["G", "D"], title: "단계", smoothing: 2)
        imageGrid(history.samples(epoch: 1), rows: 4, columns: 4)
        animation(history, title: "학습")
        saveEpochImages(history, prefix: "epoch_")
        """ + "\n```\n"

    static let doctorings: [String: @Sendable (inout GANHistory) -> Void] = [
        "NaN and infinite losses": {
            $0.generatorLosses = [.nan, .infinity]
            $0.discriminatorLosses = [-.infinity, .nan]
            $0.stepGeneratorLosses = [.nan, .infinity, -.infinity, 1]
            $0.stepDiscriminatorLosses = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        },
        "no epochs at all": { $0 = GANHistory() },
        "lists of different lengths": {
            $0.generatorLosses = [1, 2, 3, 4, 5]
            $0.discriminatorLosses = [1]
            $0.epochSeconds = []
            $0.stepGeneratorLosses = Array(repeating: 0.5, count: 100_000)
        },
        "samples of other shapes": {
            $0.epochSamples = [Tensor(shape: [0, 784], scalars: []), Tensor(shape: [3], scalars: [1, 2, 3]),
                               Tensor(shape: [1, 1, 1, 1, 1], scalars: [0.5])]
        },
        "samples with NaN and huge values": {
            $0.epochSamples = $0.epochSamples.map { Tensor(shape: $0.shape, scalars: $0.scalars.enumerated().map { $0.offset % 3 == 0 ? .nan : 1e30 }) }
        },
        "absurd seconds": { $0.epochSeconds = [.nan, -1, .greatestFiniteMagnitude] },
    ]

    @Test(arguments: doctorings.keys.sorted())
    func aDoctoredHistoryIsDrawnOrTheEntryDiscarded(_ name: String) throws {
        let folder = NSTemporaryDirectory() + "lab-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (first, _, _) = try runLab(Self.lab, in: folder, name: "h.md")
        #expect(first.error == nil, "\(String(describing: first.error))")
        let cache = StepCache(folder: folder + "/output/h/.cache")
        let names = try FileManager.default.contentsOfDirectory(atPath: cache.folder).filter { $0.hasSuffix(".step") }
        let key = String(try #require(names.first).dropLast(5))
        #expect(names.count == 1)
        var entry = try #require(try cache.load(key))
        try #require(entry.trainings.count == 1)
        Self.doctorings[name]!(&entry.trainings[0].history)
        try cache.store(entry)  // with a valid checksum, as anyone could write it

        let (second, _, console) = try runLab(Self.lab, in: folder, name: "h.md")
        #expect(second.error == nil, "\(String(describing: second.error))")
        #expect(second.reportPath != nil)
        // The state it leaves differs from the recorded one, so the replay is discarded after
        // drawing (or at the first drawing that refuses the history), and the step trains again.
        #expect(console.contains { $0.hasPrefix("cache: step 1 discarded") }, "\(console)")
        #expect(try cache.load(key) != nil, "the step's fresh entry")
    }
}
