import Datasets
import Foundation
import NeuralNet
import Report

/// The state shared by the steps of one run, as in a notebook: later steps see earlier bindings.
final class Environment {
    /// The DSL's functions, methods, properties and options, merged once per run.
    let vocabulary = Vocabulary()
    var bindings: [String: Value] = [:]
    var constants: Set<String> = []
    /// Names that became bound, and names that became constants, inside the blocks open now
    /// (see `Environment+Scopes.swift`); empty between blocks.
    var scopedNames: [String] = [], scopedConstants: [String] = []
    /// How many loop and `if` blocks are open.
    var openScopes = 0
    /// The run's one random generator: `seed(n)` reseeds it in place, so models, dropout layers
    /// and GANs built before or after share one sequence (and one state for the cache to save).
    let random = RandomGenerator(seed: 0)
    var seed: Int?
    /// The report's folder, where `exportSamples` writes; nil for `lab check`.
    var outputFolder: String?
    /// How deeply the evaluator is nested now (bounded by `Evaluator.maximumDepth`).
    var depth = 0
    /// Loop turns taken by the current step (bounded by `Evaluator.maximumLoopTurns`).
    var loopTurns = 0
    /// What the current step has produced so far.
    var outputs: [StepOutput] = []
    /// The bytes the current step's prints have added, and whether some were left out (see
    /// `Environment+Outputs.swift`).
    var printedBytes = 0, printCut = false
    /// The bytes of the current step's figures and saved files, and whether outputs were left out.
    var outputBytes = 0, outputsCut = false
    /// What the lab's earlier steps showed, in bytes (`bytes(of:)`), and how much it may show in all.
    var labOutputBytes = 0, labOutputLimit = Environment.maximumLabOutputBytes
    /// The step being evaluated (1-based), for figure file names.
    var stepNumber = 0
    /// Figures of the current step so far.
    var stepFigureCount = 0
    /// While a cached step is replayed: the recorded trainings, taken in order instead of training
    /// again. Nil when steps run for real.
    var replayTrainings: [TrainingRecord]?
    /// The trainings of the current step (recorded for the cache when it runs for real).
    var recordedTrainings: [TrainingRecord] = []
    /// The files the current step read or looked for, for the cache to check next time.
    var inputs: [InputFingerprint] = []
    /// `lab check`: trainings run one batch, only to check that the shapes fit.
    var checkOnly = false
    /// The models `lab check` has taken one real `trainOnBatch` step with.
    var checkedModels: Set<ObjectIdentifier> = []
    /// The models `lab check` has run one real `predict` with.
    var predictedModels: Set<ObjectIdentifier> = []
    /// True while replaying: notices are not logged again.
    var isReplaying: Bool { replayTrainings != nil }
    /// What the user asked of this run (`--data`, `--out`, …).
    let settings: RunSettings
    /// Where MNIST is looked for: `--data`, `LAB_DATA`, the usual folders, the user's cache.
    func dataSearch(labPath: String? = nil) -> DataSearch {
        DataSearch(labPath: labPath, option: settings.dataFolder, environment: settings.dataEnvironment)
    }
    /// The folders a lab may read, by real path: the current directory, the lab's own folder, the
    /// data folder the user named and the MNIST cache.
    var readPolicy: ReadPolicy {
        let labFolder = (file.path as NSString).deletingLastPathComponent
        return ReadPolicy(allowing: [".", labFolder.isEmpty ? "." : labFolder] + dataSearch().userFolders)
    }
    /// The evaluator that judges samples, once loaded (or given by the runner).
    var evaluatorSetup: EvaluatorSetup?
    /// The data set actually used, for the report header.
    var datasetDescription: String?
    /// Training progress for the console.
    var progress: ((GANProgress) -> Void)?
    /// Asked after every batch: true stops training (Ctrl-C).
    var interruption: (() -> Bool)?
    /// The resident memory past which a step stops (see `Evaluator.checkInterruption`), and
    /// when it was last measured.
    var residentMemoryLimit = MemoryBudget.processBytes
    var lastMemoryCheck = ContinuousClock.now
    let file: LabFile
    /// Parameter values that replace the file's (`-P NAME=VALUE`), already checked.
    let overrides: [String: Value]

    /// Records `dataset` as the run's data set (for the report header) and returns it as a value.
    func using(_ dataset: ImageDataset) -> Value {
        datasetDescription = dataset.name
        return .dataset(dataset)
    }

    /// Where notices go on the console.
    var log: ((String) -> Void)?

    /// Notices worked out afresh from the step's code and data on every run, replayed from the
    /// cache or not, and never stored in an entry: an entry written before a notice existed cannot
    /// leave it out of the report. Shown above the step's other outputs.
    var advice: [String] = []

    /// Clears the per-step records before step `number` runs or is replayed.
    func beginStep(_ number: Int, replaying trainings: [TrainingRecord]?) {
        stepNumber = number
        stepFigureCount = 0
        loopTurns = 0
        outputs = []
        printedBytes = 0
        printCut = false
        outputBytes = 0
        outputsCut = false
        recordedTrainings = []
        advice = []
        inputs = []
        replayTrainings = trainings
    }

    /// The names of the lab's parameters: their bindings are left out of the state fingerprint,
    /// because each step's cache key names the values of the parameters it mentions instead.
    let parameterNames: Set<String>

    init(file: LabFile, overrides: [String: Value], settings: RunSettings = RunSettings()) {
        self.file = file
        self.overrides = overrides
        self.settings = settings
        parameterNames = Set(file.parameters.map(\.name))
    }
}

/// One `gan.train(…)` call as the cache keeps it: the history and the GAN's state afterwards.
struct TrainingRecord {
    var history: GANHistory
    var checkpoint: GANCheckpoint
}
