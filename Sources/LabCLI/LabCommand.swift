import ArgumentParser

/// The `lab` executable: runs course labs and measures the library.
@main
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Runs GAN course labs on the CPU and writes HTML reports.",
        subcommands: [Run.self, Check.self, Watch.self, Params.self, List.self, DataCommand.self, EvaluatorCommand.self, Evaluate.self, Bench.self])

    /// OpenBLAS's kernels were chosen before this runs (`lab_wanted_core_type`, applied by a
    /// constructor of the CKernels library, which executes the program again when needed).
    static func main() {
        MemoryPolicy.keepFreedMemoryForReuse()
        main(nil)
    }
}
