import Foundation
import NeuralNet

/// What the user asked of one run, as the command line says it. One value travels from
/// `lab run` through `LabRunner` into the `Environment` the steps read, so a new option is added
/// in one place and keeps its name all the way (docs/ARCHITECTURE.md follows `-P` through it).
public struct RunSettings: Sendable {
    /// `-P NAME=VALUE`: parameter values that replace the lab file's, as typed.
    public var overrides: [String: String]
    /// `--out`: where reports go; each lab gets `<outputRoot>/<lab name>/index.html`.
    public var outputRoot: String
    /// `--self-contained`: embed figures in the page instead of writing them beside it.
    public var selfContained: Bool
    /// `--force`: run every step, ignoring cached results (the cache is rewritten).
    public var force: Bool
    /// `--data`: where to look for MNIST first.
    public var dataFolder: String?
    /// The environment variables the data search reads (`LAB_DATA`, `HOME`, `XDG_CACHE_HOME`).
    public var dataEnvironment: [String: String]
    /// The settings that change rounding (`NumericConfiguration.current`: convolution algorithms,
    /// kernel instruction set, BLAS kernels, threads). Part of every cache key: a step computed
    /// with `LAB_CONVOLUTIONS=direct` is not replayed for a run on Winograd tiles, or the reverse.
    public var numerics: String

    public init(overrides: [String: String] = [:], outputRoot: String = "output", selfContained: Bool = false, force: Bool = false,
                dataFolder: String? = nil, dataEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                numerics: String = NumericConfiguration.current) {
        self.overrides = overrides
        self.outputRoot = outputRoot
        self.selfContained = selfContained
        self.force = force
        self.dataFolder = dataFolder
        self.dataEnvironment = dataEnvironment
        self.numerics = numerics
    }

    /// The report folder of the lab named `labName`.
    public func reportFolder(_ labName: String) -> String { (outputRoot as NSString).appendingPathComponent(labName) }
}
