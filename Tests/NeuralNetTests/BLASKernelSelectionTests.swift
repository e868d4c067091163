import CKernels
import Foundation
import Testing
@testable import NeuralNet

/// Which OpenBLAS kernels a program runs (`lab_wanted_core_type`), and that this test process
/// runs them: OpenBLAS 0.3.21 chose its generic Prescott kernels on an Intel Xeon of family 6,
/// model 207, whose rounding (no fused multiply-adds) left a Keras parity test 1.7e-5 off where
/// it allows 1e-5. The constructor that applies the choice runs in every program linking the
/// C kernels, the test bundle included.
@Suite struct BLASKernelSelectionTests {
    static func wanted(_ pinned: String?, _ flags: String, _ library: String) -> String? {
        lab_wanted_core_type(pinned, flags, library).map { String(cString: $0) }
    }

    @Test func theWidestKernelsTheCPURunsAreWanted() {
        let avx512 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"
        let avx2 = "fpu sse2 avx avx2 fma"
        // AVX-512 CPUs get SkylakeX whatever the library chose (Haswell on AMD, Prescott on an
        // Intel Xeon it does not know).
        for choice in ["Haswell", "Prescott", "Zen", "SkylakeX"] {
            #expect(Self.wanted(nil, avx512, choice) == "SkylakeX")
        }
        // AVX-512 F alone is not what SkylakeX's kernels need; a flag is a whole word.
        #expect(Self.wanted(nil, avx2 + " avx512f", "Haswell") == nil)
        #expect(Self.wanted(nil, "fpu avx512fx avx512dqx avx512bwx avx512vlx avx2x fmax", "Prescott") == nil)
        // AVX2 CPUs keep an AVX2 family; a fallback to one without AVX2 becomes Haswell.
        for choice in ["Haswell", "Zen", "ZEN", "Cooperlake"] {
            #expect(Self.wanted(nil, avx2, choice) == nil)
        }
        for choice in ["Prescott", "Sandybridge", "Nehalem", "unknown", ""] {
            #expect(Self.wanted(nil, avx2, choice) == "Haswell")
        }
        // Flags at either end of the list and separated by tabs count too.
        #expect(Self.wanted(nil, "avx2\tsse2 fma", "Prescott") == "Haswell")
        #expect(Self.wanted(nil, "fma sse2 avx2\n", "Prescott") == "Haswell")
        // Without AVX2 and FMA the library's choice stands; the user's pin always does.
        #expect(Self.wanted(nil, "sse2 avx avx2", "Sandybridge") == nil)
        #expect(Self.wanted(nil, "sse2 avx", "Sandybridge") == nil)
        #expect(Self.wanted("Prescott", avx512, "SkylakeX") == "Prescott")
    }

    /// The kernels this process runs are the ones the rule wants on this CPU (or the user's
    /// pin): checked on every machine the tests run on.
    @Test func thisProcessRunsTheWantedKernels() throws {
        #if os(Linux)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "") } ?? ""
        let pinned = ProcessInfo.processInfo.environment[LAB_OPENBLAS_PINNED_VARIABLE]
        let running = BLASInfo.coreName
        if let wanted = Self.wanted(pinned, flags, running) {
            #expect(running.lowercased() == wanted.lowercased(), "OpenBLAS runs \(running) kernels where \(wanted) was wanted")
        }
        #endif
    }
}
