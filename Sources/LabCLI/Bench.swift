import ArgumentParser
import Lab
import Quality
import Datasets
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

extension LabCommand {
    /// `lab bench`: times training steps and the BLAS library.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Times a full training step of the chapter's GANs, the machine's sgemm and its multiply-add peak.")

        @Option(help: "Timed steps per benchmark, after the warm-up; the median step is reported, and for the GAN steps the mean too.")
        var steps = 30

        @Option(help: "Untimed warm-up steps.")
        var warmup = 5

        @Option(help: "Batch size of a training step.")
        var batchSize = 256

        @Option(help: ArgumentHelp(
            "Also train the Dense GAN for one epoch on the MNIST files in this folder and report the epoch time and peak memory.",
            valueName: "folder"))
        var mnist: String?

        @Flag(help: "Also print, for the GAN benchmarks that run, where a training step's time goes part by part as the step runs, its matrix products by shape with each one's rate on its thread, and each layer's forward and backward time.")
        var layers = false

        @Option(help: ArgumentHelp("Run the same benchmarks with another lab executable too, in alternating rounds, and compare.",
                                   valueName: "other-lab"))
        var compare: String?

        @Option(help: ArgumentHelp(
            "Time the GAN steps against Keras: run this Keras timing script (../shared/reference/keras_gan_step.py, with TensorFlow installed) right after each of our rounds, and compare.",
            valueName: "script"))
        var keras: String?

        @Option(help: "Rounds of each binary with --compare, or of each side with --keras.")
        var rounds = 3

        @Argument(help: ArgumentHelp(
            "Benchmarks to run, out of \(Self.benchmarkNames.joined(separator: ", ")); all of them when none is named.",
            valueName: "benchmark"))
        var only: [String] = []

        /// The benchmarks in the order they run.
        static let benchmarkNames = ["sgemm", "peak", "memory", "dense-gan-step", "dcgan-step", "dcgan64-step", "classic-iteration", "builtin-digits", "builtin-bricks", "evaluate-10k"]

        func validate() throws {
            guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
            guard compare == nil || keras == nil else { throw ValidationError("--compare and --keras cannot be used together") }
            guard steps > 0, warmup >= 0, batchSize > 0 else {
                throw ValidationError("--steps and --batch-size must be positive and --warmup not negative")
            }
            for name in only where !Self.benchmarkNames.contains(name) {
                throw ValidationError("there is no benchmark '\(name)'; choose from \(Self.benchmarkNames.joined(separator: ", "))")
            }
        }

        func run() throws {
            if let compare { return try self.compare(with: compare) }
            if let keras { return try compareWithKeras(script: keras) }
            func wanted(_ name: String) -> Bool { only.isEmpty || only.contains(name) }
            // Machines differ between sessions: every set of numbers says where it was measured.
            print("machine  \(MachineDescription.current); \(MachineDescription.vectorExtensions); "
                + "\(BLASInfo.threadCount) \(BLASInfo.threadCount == 1 ? "thread" : "threads"), BLAS core \(BLASInfo.coreName), "
                + "Winograd transforms \(BLASInfo.kernelInstructionSet)")
            if wanted("sgemm") {
                let sgemm = BLASInfo.measureSGEMM()
                print("sgemm  \(fixed(sgemm, 1)) GFLOPS  (1024×1024, BLAS core \(BLASInfo.coreName), \(BLASInfo.threadCount) \(BLASInfo.threadCount == 1 ? "thread" : "threads"))")
            }
            if wanted("peak") {
                let peak = MultiplyAddPeak.measure()
                let (product, transposed) = MultiplyAddPeak.panelShapes
                print("peak  \(fixed(peak.together, 1)) GFLOPS  (multiply-adds in independent chains on \(peak.threads) "
                    + "\(peak.threads == 1 ? "thread" : "threads") at once, \(peak.instructionSet); one thread alone \(fixed(peak.oneThread, 1)); "
                    + "our panel products on one thread, operands in the caches: \(product.m) × \(product.n) × \(product.k) "
                    + "\(fixed(peak.panelProduct, 1)) GFLOPS (\(fixed(100 * peak.panelProduct / peak.oneThread, 1)) % of one thread's peak), "
                    + "transposed \(transposed.m) × \(transposed.n) over \(transposed.k) \(fixed(peak.transposedProduct, 1)) "
                    + "(\(fixed(100 * peak.transposedProduct / peak.oneThread, 1)) %))")
            }
            if wanted("memory") {
                let rates = MemoryBandwidth.measure()
                let threads = rates.threads
                print("memory  \(fixed(rates.read, 1)) GB/s read, \(fixed(rates.streamedWrite, 1)) GB/s written past the caches  "
                    + "(\(rates.megabytes) MB, \(threads) \(threads == 1 ? "thread" : "threads"), best of \(rates.repetitions))")
            }
            if wanted("dense-gan-step") { try time("dense-gan-step", ChapterModels.denseGAN(seed: 2024), itemShape: [784]) }
            if wanted("dcgan-step") { try time("dcgan-step", ChapterModels.dcgan(seed: 2024), itemShape: [28, 28, 1]) }
            // The 004 notebook's 64×64 models at its batch of 128 (`--batch-size` does not apply).
            if wanted("dcgan64-step") { try time("dcgan64-step", ChapterModels.dcgan64(seed: 2024), itemShape: [64, 64, 1], batch: 128) }
            if wanted("classic-iteration") { try timeClassicIteration() }
            if let mnist { try trainOneEpoch(onMNISTIn: mnist) }
            if wanted("builtin-digits") { timeBuiltInDigits() }
            if wanted("builtin-bricks") { try timeBuiltInBricks() }
            if wanted("evaluate-10k") { try timeEvaluation() }
        }

        /// Times every quality measure on 10,000 real training images against the test set (the
        /// evaluator is trained first if it is not stored yet; that is not timed), and prints
        /// their FID, which is the floor generated digits are measured against.
        func timeEvaluation() throws {
            let search = DataSearch(option: mnist)
            let setup = try EvaluatorSetup.prepare(search: search, log: { print($0) })
            let images = setup.trainingImages.rows(0..<min(10_000, setup.trainingImages.batchSize))
            var measures: QualityMeasures?
            let timing = medianSeconds(of: 3) { measures = try? QualityMeasures.measure(images, evaluator: setup.evaluator, reference: setup.reference) }
            guard let m = measures else { throw ValidationError("the evaluation failed") }
            print("evaluate-10k  \(fixed(timing.median, 2)) s  (real training images vs test: FID \(fixed(m.fid, 3)), "
                + "IS \(fixed(m.inceptionScore, 2)), precision \(fixed(m.precision, 3)), recall \(fixed(m.recall, 3)); "
                + "evaluator \(fixed(Double(100 * setup.evaluator.testAccuracy), 2)) % on \(setup.dataDescription))")
        }

        /// Generates the built-in digits, both splits (70,000 images), and prints the time.
        func timeBuiltInDigits() {
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                _ = HandwrittenDigits.load(split: .train)
                _ = HandwrittenDigits.load(split: .test)
            }
            let seconds = elapsed.inSeconds
            print("builtin-digits  \(fixed(seconds, 2)) s for 70,000 images")
        }

        /// Generates as many built-in bricks as the Kaggle set has (40,000 at 64×64) and prints the time.
        func timeBuiltInBricks() throws {
            let clock = ContinuousClock()
            var failure: (any Error)?
            let elapsed = clock.measure {
                do { _ = try BrickRenders.generate(count: 40_000) } catch { failure = error }
            }
            if let failure { throw failure }
            print("builtin-bricks  \(fixed(elapsed.inSeconds, 2)) s for 40,000 images of 64×64")
        }

        /// Times full training steps of `gan` on a fixed random batch and prints one line.
        func time(_ label: String, _ gan: GAN, itemShape: [Int], batch: Int? = nil) throws {
            let batchSize = batch ?? self.batchSize
            let real = gan.random.uniformTensor(shape: [batchSize] + itemShape, low: -1, high: 1)
            for _ in 0..<warmup { _ = gan.trainStep(real: real) }
            let productsBefore = BLASInfo.productFLOPsOnThisThread
            let times = timedRuns(steps) { _ = gan.trainStep(real: real) }
            let (perStep, best) = (times.median, times.best)
            let performed = Double(BLASInfo.productFLOPsOnThisThread - productsBefore) / Double(steps)
            let kerasCount = gan.stepMatrixFLOPs(batch: batchSize)
            print("\(label)  \(fixed(perStep * 1000, 2)) ms/step  \(fixed(kerasCount / perStep / 1e9, 1)) GFLOPS  (fastest step \(fixed(best * 1000, 2)) ms)")
            print("\(KerasReference.meanLine(of: label))  \(fixed(times.mean * 1000, 2)) ms/step  (the mean of the same \(steps) steps: "
                + "the statistic the Keras timing script prints)")
            printFloor(label, perStep: perStep, performed: performed, kerasCount: kerasCount)
            if layers {
                printStepPhases(label, gan, real: real)
                profileLayers(of: gan.generator, batch: batchSize, optimizer: gan.generatorOptimizer)
                profileLayers(of: gan.discriminator, batch: batchSize, optimizer: gan.discriminatorOptimizer)
            }
        }

        /// Runs `steps` more steps with `GAN.stepPhases` set and `ProductTimes` recording, and
        /// prints the mean time of each part of a step, as the step runs them (the layer tables
        /// below time one model at a time), then the products by shape (`printProductTimes`).
        /// Recording takes two clock readings and a lock a product, 0.27 µs each in a debug build
        /// (a million recorded in a loop): at most about 2 ms of the 64×64 step's 630 (7,700
        /// products a step) and 0.02 ms of the Dense step's (62); the timed steps before pay none.
        func printStepPhases(_ label: String, _ gan: GAN, real: Tensor) {
            let phases = GANStepPhases()
            gan.stepPhases = phases
            defer { gan.stepPhases = nil }
            ProductTimes.start()
            for _ in 0..<steps { _ = gan.trainStep(real: real) }
            let products = ProductTimes.stop()
            let parts = GANStepPhases.Phase.allCases.map { "\($0.name) \(fixed(phases.milliseconds($0), 2))" }
            let total = GANStepPhases.Phase.allCases.reduce(0) { $0 + phases.milliseconds($1) }
            print("\(label) in the step, mean ms of \(phases.steps) steps: " + parts.joined(separator: " · ") + " · total \(fixed(total, 2))")
            printProductTimes(label, products, steps: steps)
        }

        /// Prints how the step compares with the time of its products at the machine's sgemm rate
        /// and at its multiply-add peak (`MultiplyAddPeak`), both measured right after the steps
        /// (the VM's speed drifts between minutes): the products
        /// the step really computes (`BLASInfo.productFLOPsOnThisThread`), and those of Keras's
        /// count (`GAN.stepMatrixFLOPs`), which is what the Dense step's target is stated in.
        func printFloor(_ label: String, perStep: Double, performed: Double, kerasCount: Double) {
            let sgemm = BLASInfo.measureSGEMM() * 1e9
            let peak = MultiplyAddPeak.together(repetitions: 3) * 1e9
            let floor = performed / sgemm, kerasFloor = kerasCount / sgemm, peakFloor = performed / peak
            print("\(label)-floor  \(fixed(perStep / floor, 2)) ×  the time of its products at the sgemm rate "
                + "(\(fixed(performed / 1e9, 1)) GFLOP a step as run, \(fixed(floor * 1000, 1)) ms at \(fixed(sgemm / 1e9, 1)) GFLOPS "
                + "measured right after the steps; at the multiply-add peak measured then, \(fixed(peak / 1e9, 1)) GFLOPS, "
                + "\(fixed(peakFloor * 1000, 1)) ms: the step is \(fixed(perStep / peakFloor, 2))× that; "
                + "Keras's count \(fixed(kerasCount / 1e9, 1)) GFLOP, \(fixed(kerasFloor * 1000, 1)) ms: "
                + "the step is \(fixed(perStep / kerasFloor, 2))× that)")
            print("\(KerasReference.productsAtPeakLine(of: label))  \(fixed(peakFloor * 1000, 2)) ms  (the step's products at the "
                + "multiply-add peak above: the least time these multiplications take on this machine)")
        }

        /// One epoch of the chapter's training on all 60,000 training images, as the lab runs it.
        func trainOneEpoch(onMNISTIn folder: String) throws {
            let clock = ContinuousClock()
            let start = clock.now
            let data = try MNIST.load(from: folder, split: .train).scaled(to: .minusOneToOne).flattenedImages
            let loaded = clock.now
            let gan = try ChapterModels.denseGAN(seed: 2024)
            let history = try gan.train(on: data, epochs: 1, batchSize: batchSize)
            let seconds = history.epochSeconds[0]
            print("dense-gan-mnist-epoch  \(fixed(seconds, 2)) s/epoch  \(fixed(seconds * 1000 / Double(data.batchSize / batchSize), 2)) ms/step  "
                + "load \(fixed((loaded - start).inSeconds, 2)) s  "
                + "peak memory \(peakResidentMegabytes()) MiB")
        }
    }
}

/// The median and the fastest wall-clock time of `runs` calls of `body`, in seconds: the median is
/// steadier than the mean when another process briefly takes a core.
func medianSeconds(of runs: Int, _ body: () -> Void) -> (median: Double, best: Double) {
    let times = timedRuns(runs, body)
    return (times.median, times.best)
}

/// The wall-clock times of `runs` calls of `body`: median, fastest and mean.
func timedRuns(_ runs: Int, _ body: () -> Void) -> StepTimes {
    let clock = ContinuousClock()
    return StepTimes(seconds: (0..<runs).map { _ in clock.measure(body).inSeconds })
}

/// The process's peak resident memory so far, in MiB (0 where the system does not tell).
func peakResidentMegabytes() -> Int {
    #if canImport(Glibc)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024  // kilobytes on Linux
    #else
    return 0
    #endif
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale), fraction = String(abs(scaled) % Int(scale))
    return digits == 0 ? "\(whole)" : "\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
}
