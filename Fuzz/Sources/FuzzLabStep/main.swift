import FuzzSupport
import Lab

/// One lab evaluated as `lab check` does (nothing written, training on one batch), with a
/// small memory budget and a two-second stop: every input must end in a result or a located
/// error, never a crash, a hang or a stack overflow.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabStep(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    limitMemoryForFuzzing()
    withInputFile(data, count, suffix: ".md") { path in
        let settings = RunSettings(outputRoot: "/tmp/lab-fuzz-output", dataEnvironment: ["HOME": "/nonexistent"])
        var runner = LabRunner(path: path, settings: settings, log: { _ in })
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(2)
        runner.interrupted = { clock.now > deadline }
        // The fuzzer itself holds about 1.2 GB; a lab that keeps memory stops at 3 GiB, below
        // libFuzzer's 4 GB limit (`run.sh`), with its located error.
        runner.residentMemoryLimit = 3 << 30
        _ = runner.run(writeReport: false)
    }
    return 0
}
