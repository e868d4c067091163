import Foundation
@testable import Lab
import NeuralNet
import Report
import Testing

/// The step cache: hits, misses, invalidation, damaged entries, and that a cached run computes
/// exactly what a fresh one does.
@Suite struct LabCacheTests {
    static let lab = """
        # 캐시 실습

        ```swift
        let EPOCHS = 2   // 에포크
        let SAMPLES = 2  // 마지막에 그릴 이미지 수
        seed(11)
        ```

        ## 데이터

        ```swift
        let digits = HandwrittenDigits(split: .test, count: 96)
        let x = digits.scaled(to: .minusOneToOne).flattened()
        ```

        ## 모델과 학습

        ```swift
        let g = Sequential("G", input: [8]) {
            Dense(16)
            BatchNormalization()
            LeakyReLU(alpha: 0.2)
            Dense(784, activation: .tanh)
        }
        let d = Sequential("D", input: [784]) {
            Dense(16)
            LeakyReLU(alpha: 0.2)
            Dropout(0.3)
            Dense(1, activation: .sigmoid)
        }
        let gan = GAN(generator: g, discriminator: d, generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
                      discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5), loss: BinaryCrossentropy())
        let history = gan.train(x, epochs: EPOCHS, batchSize: 32)
        ```

        ## 확인

        ```swift
        print("epochs: \\(history.completedEpochs)")
        ```

        ## 결과

        ```swift
        let after = g(randomNormal([SAMPLES, 8]), training: false)
        print("after: \\(after.values.first)")
        imageGrid(after, rows: 1, columns: SAMPLES, title: "after")
        ```
        """

    /// Runs `text` as `cache.md` in `folder`; returns the outcome and the console lines.
    func run(_ text: String, in folder: String, overrides: [String: String] = [:], force: Bool = false) throws -> (LabRunner.Outcome, [String]) {
        let (outcome, _, console) = try runLab(text, in: folder, name: "cache.md", overrides: overrides) { $0.settings.force = force }
        return (outcome, console)
    }

    func statuses(_ outcome: LabRunner.Outcome) -> [String] {
        outcome.report.blocks.compactMap { block in
            guard case .step(let step) = block else { return nil }
            switch step.status {
            case .ran(_, let cached): return cached ? "cached" : "ran"
            case .failed: return "failed"
            case .notRun: return "not run"
            }
        }
    }

    func outputs(_ outcome: LabRunner.Outcome) -> [[StepOutput]] {
        outcome.report.blocks.compactMap { if case .step(let step) = $0 { step.outputs } else { nil } }
    }

    func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "lab-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func aStepsNameWordsAreWholeWords() {
        #expect("let x = EPOCHS * 2".nameWords.contains("EPOCHS"))
        #expect(!"let x = EPOCHS_D * 2".nameWords.contains("EPOCHS"))
        #expect(!"let x = D_EPOCHS".nameWords.contains("EPOCHS"))
        #expect("f(EPOCHS_D, EPOCHS)".nameWords.contains("EPOCHS"))
        #expect(!"학습EPOCHS".nameWords.contains("EPOCHS"), "Korean letters are name characters too")
    }

    @Test func aSecondRunComesFromTheCacheAndEditsRerunOnlyWhatTheyTouch() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (first, _) = try run(Self.lab, in: folder)
        #expect(first.error == nil && statuses(first) == ["ran", "ran", "ran", "ran", "ran"])
        let cacheFolder = folder + "/output/cache/.cache"
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheFolder).filter { $0.hasSuffix(".step") }.count == 5)

        let (second, console) = try run(Self.lab, in: folder)
        #expect(statuses(second) == ["cached", "cached", "cached", "cached", "cached"])
        #expect(outputs(second) == outputs(first))
        #expect(console.filter { $0.contains("from cache (ran ") }.count == 5)
        let html = try String(contentsOfFile: try #require(second.reportPath), encoding: .utf8)
        #expect(html.contains("5 of 5 steps from the cache") && html.contains("캐시 (cached)"), "the report says which steps came from the cache")

        // Only the last (plotting) step changed: it alone runs, on the trained weights restored
        // from the cache, and prints what a fresh run prints.
        let edited = Self.lab.replacingOccurrences(of: "title: \"after\"", with: "title: \"after training\"")
        let (third, _) = try run(edited, in: folder)
        #expect(statuses(third) == ["cached", "cached", "cached", "cached", "ran"])
        let (fresh, _) = try run(edited, in: folder, force: true)
        #expect(statuses(fresh) == ["ran", "ran", "ran", "ran", "ran"])
        #expect(outputs(third).last?.first == outputs(fresh).last?.first)
        #expect(outputs(third).last?.first == outputs(first).last?.first)

        // A step in the middle that changes no state: later steps stay cached.
        let middle = edited.replacingOccurrences(of: "print(\"epochs: \\(history.completedEpochs)\")",
                                                 with: "print(\"완료한 에포크: \\(history.completedEpochs)\")")
        let (fourth, _) = try run(middle, in: folder)
        #expect(statuses(fourth) == ["cached", "cached", "cached", "ran", "cached"])

        // A parameter re-runs the steps that mention it and those after them whose state changed:
        // the data step neither mentions EPOCHS nor sees a different state.
        let (fifth, _) = try run(middle, in: folder, overrides: ["EPOCHS": "1"])
        #expect(statuses(fifth) == ["ran", "cached", "ran", "ran", "ran"])
        #expect(outputs(fifth)[3] == [.text("완료한 에포크: 1")])

        // A parameter only the last step reads leaves the training alone.
        let (sixth, _) = try run(middle, in: folder, overrides: ["EPOCHS": "1", "SAMPLES": "3"])
        #expect(statuses(sixth) == ["ran", "cached", "cached", "cached", "ran"])
        let (sixthFresh, _) = try run(middle, in: folder, overrides: ["EPOCHS": "1", "SAMPLES": "3"], force: true)
        #expect(outputs(sixth).last == outputs(sixthFresh).last, "the same figures and numbers as a fresh run")
    }

    @Test func aDamagedEntryIsDiscardedAndTheStepRunsAgain() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (first, _) = try run(Self.lab, in: folder)
        let cacheFolder = folder + "/output/cache/.cache"
        let entries = try FileManager.default.contentsOfDirectory(atPath: cacheFolder).filter { $0.hasSuffix(".step") }
        // Damage the training step's entry (the largest) in the middle.
        let largest = try #require(entries.max { a, b in
            (try? Data(contentsOf: URL(fileURLWithPath: cacheFolder + "/" + a)).count) ?? 0
                < (try? Data(contentsOf: URL(fileURLWithPath: cacheFolder + "/" + b)).count) ?? 0
        })
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cacheFolder + "/" + largest)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: cacheFolder + "/" + largest))
        let (second, console) = try run(Self.lab, in: folder)
        #expect(statuses(second) == ["cached", "cached", "ran", "cached", "cached"])
        #expect(console.contains { $0.contains("entry is damaged (checksum mismatch") })
        // The same results (the training log differs only in its wall-clock times).
        #expect(outputs(second).enumerated().filter { $0.offset != 2 }.map(\.element)
            == outputs(first).enumerated().filter { $0.offset != 2 }.map(\.element))

        // A truncated entry is refused too.
        let truncated = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cacheFolder + "/" + largest)))
        try Data(truncated.prefix(100)).write(to: URL(fileURLWithPath: cacheFolder + "/" + largest))
        let (third, _) = try run(Self.lab, in: folder)
        #expect(statuses(third) == ["cached", "cached", "ran", "cached", "cached"])
    }

    @Test func anEntryThatDoesNotReplayAsRecordedIsDiscarded() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (first, _) = try run(Self.lab, in: folder)
        // Rewrite every entry with a wrong recorded state but a valid checksum.
        let cache = StepCache(folder: folder + "/output/cache/.cache")
        for name in try FileManager.default.contentsOfDirectory(atPath: cache.folder) where name.hasSuffix(".step") {
            var entry = try #require(try cache.load(String(name.dropLast(5))))
            entry.digestAfter = String(repeating: "0", count: 32)
            try cache.store(entry)
        }
        let (second, console) = try run(Self.lab, in: folder)
        #expect(console.contains { $0.contains("cache: step 1 discarded (the cached step no longer matches: it leaves a different state)") })
        #expect(second.error == nil && outputs(second)[4] == outputs(first)[4])
        #expect(statuses(second) == ["ran", "ran", "ran", "ran", "ran"], "every step ran again in this run")
    }

    /// A run with other rounding settings (`LAB_CONVOLUTIONS=direct`, another kernel set or BLAS
    /// core) computes other numbers, so it must not replay this run's entries, nor they its.
    @Test func otherNumericSettingsDoNotReplayTheseEntries() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func run(numerics: String) throws -> LabRunner.Outcome {
            try runLab(Self.lab, in: folder, name: "cache.md") { $0.settings.numerics = numerics }.0
        }
        let tiles = "convolutions winograd, kernels avx512, BLAS SkylakeX, 2 threads"
        let direct = "convolutions direct, kernels avx512, BLAS SkylakeX, 2 threads"
        #expect(statuses(try run(numerics: tiles)) == ["ran", "ran", "ran", "ran", "ran"])
        #expect(statuses(try run(numerics: direct)) == ["ran", "ran", "ran", "ran", "ran"])
        // The cache keeps the last run's entries only, so the tiles' entries are gone by now.
        #expect(statuses(try run(numerics: tiles)) == ["ran", "ran", "ran", "ran", "ran"])
        #expect(statuses(try run(numerics: tiles)) == ["cached", "cached", "cached", "cached", "cached"])
        let html = try String(contentsOfFile: folder + "/output/cache/index.html", encoding: .utf8)
        #expect(html.contains("계산 설정 (numerics)</dt><dd>\(tiles)</dd>"), "the report says how it computed")
        #expect(RunSettings().numerics == NumericConfiguration.current)
        #expect(NumericConfiguration.current.hasPrefix("convolutions winograd, kernels "), "tests run with tiles allowed")
    }

    @Test func aChangedInputFileRerunsTheStepThatReadIt() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = ".build/lab-cache-data-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: data) }
        try Data("label,a,b,c,d\n1,0,0,0,0\n".utf8).write(to: URL(fileURLWithPath: data))
        let lab = "# CSV\n\n```swift\nlet csv = CSVDigits(\"\(data)\")\nprint(csv.count)\n```\n"
        let (first, _) = try run(lab, in: folder)
        #expect(outputs(first) == [[.text("1")]])
        #expect(statuses(try run(lab, in: folder).0) == ["cached"])
        try Data("label,a,b,c,d\n1,0,0,0,0\n2,1,1,1,1\n".utf8).write(to: URL(fileURLWithPath: data))
        let (third, _) = try run(lab, in: folder)
        #expect(statuses(third) == ["ran"] && outputs(third) == [[.text("2")]])
    }
}

extension LabCacheTests {
    @Test func selfContainedReportsEmbedTheirFiguresAndStaleFilesGo() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = "# 그림\n\n```swift\nimageGrid(randomNormal([2, 4, 4, 1]), rows: 1, columns: 2, title: \"noise\")\n```\n"
        let (first, _) = try run(lab, in: folder)
        let reportFolder = folder + "/output/cache"
        let name = try #require(first.report.figureFileNames.first)
        #expect(name.hasPrefix("figure-01-1-") && name.hasSuffix(".png") && FigureOutput.isValidFileName(name))
        #expect(try FileManager.default.contentsOfDirectory(atPath: reportFolder).contains(name))
        #expect(try String(contentsOfFile: try #require(first.reportPath), encoding: .utf8).contains("src=\"\(name)\""))

        let (embedded, _, _) = try runLab(lab, in: folder, name: "cache.md") { runner in
            runner.settings.selfContained = true
            runner.settings.force = true
        }
        let html = try String(contentsOfFile: try #require(embedded.reportPath), encoding: .utf8)
        #expect(html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo"))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: reportFolder)).contains { $0.hasPrefix("figure-") })
    }
}

extension LabCacheTests {
    /// Layers as wide as the chapter's, on the kernels that keep packed operands (a Dense layer
    /// of 64 units on 784 inputs, a stride-2 convolution): a trained GAN's step replays from
    /// the cache. The packed weights a forward pass leaves were fingerprinted as state, so this
    /// step was discarded as "a different state" on every run and trained again.
    @Test(arguments: ["dense", "convolutional"])
    func aTrainingOfWideLayersComesFromTheCache(_ kind: String) throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let models = kind == "dense" ? """
            let g = Sequential("G", input: [16]) {
                Dense(256)
                LeakyReLU(alpha: 0.2)
                Dense(784, activation: .tanh)
            }
            let d = Sequential("D", input: [784]) {
                Dense(64)
                LeakyReLU(alpha: 0.2)
                Dense(1, activation: .sigmoid)
            }
            let x = HandwrittenDigits(split: .test, count: 128).scaled(to: .minusOneToOne).flattened()
            """ : """
            let g = Sequential("G", input: [16]) {
                Dense(7 * 7 * 32)
                Reshape([7, 7, 32])
                Conv2DTranspose(16, kernelSize: 5, strides: 2, padding: .same)
                LeakyReLU(alpha: 0.2)
                Conv2DTranspose(1, kernelSize: 5, strides: 2, padding: .same, activation: .tanh)
            }
            let d = Sequential("D", input: [28, 28, 1]) {
                Conv2D(32, kernelSize: 5, strides: 2, padding: .same)
                LeakyReLU(alpha: 0.2)
                Flatten()
                Dense(1, activation: .sigmoid)
            }
            let x = HandwrittenDigits(split: .test, count: 128).scaled(to: .minusOneToOne).images
            """
        let lab = "# 넓은 층\n\n```swift\nseed(3)\n\(models)\n```\n\n```swift\n"
            + "let gan = GAN(generator: g, discriminator: d, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())\n"
            + "let history = gan.train(x, epochs: 1, batchSize: 64)\nprint(history.generatorLosses)\n```\n"
        let (first, _) = try run(lab, in: folder)
        let (second, console) = try run(lab, in: folder)
        #expect(first.error == nil && statuses(first) == ["ran", "ran"])
        #expect(statuses(second) == ["cached", "cached"], "\(console)")
        #expect(!console.contains { $0.contains("discarded") })
        #expect(outputs(second) == outputs(first))
    }

    @Test func aStepThatTrainsInALoopComesFromTheCacheWithItsEndState() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = """
            # 반복 학습

            ```swift
            seed(5)
            let x = HandwrittenDigits(split: .test, count: 64).scaled(to: .minusOneToOne).flattened()
            let g = Sequential("G", input: [4]) { Dense(784, activation: .tanh) }
            let d = Sequential("D", input: [784]) { Dense(1, activation: .sigmoid) }
            let gan = GAN(generator: g, discriminator: d, generatorOptimizer: Adam(), discriminatorOptimizer: Adam(), loss: BinaryCrossentropy())
            for round in 1...3 {
                let h = gan.train(x, epochs: 1, batchSize: 32)
                print("round \\(round): \\(h.generatorLosses.last)")
            }
            ```

            ```swift
            print(g(randomNormal([1, 4])).values.first)
            ```
            """
        let (first, _) = try run(lab, in: folder)
        let (second, _) = try run(lab, in: folder)
        #expect(statuses(first) == ["ran", "ran"] && statuses(second) == ["cached", "cached"])
        #expect(outputs(first) == outputs(second))
        // Training again gives the same losses and end state (the printed epoch times differ).
        let (forced, _) = try run(lab, in: folder, force: true)
        func rounds(_ outcome: LabRunner.Outcome) -> [String] {
            outputs(outcome).flatMap { $0 }.flatMap { output -> [String] in
                guard case .text(let text) = output else { return [] }
                return text.split(separator: "\n").map(String.init).filter { !$0.contains("초") }
            }
        }
        #expect(rounds(forced) == rounds(first) && rounds(first).count == 4)
    }
}
