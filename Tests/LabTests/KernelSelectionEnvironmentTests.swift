@testable import Lab
import Testing

/// `lab bench --compare`'s children see the user's OpenBLAS setting, not the parent's choice.
@Suite struct KernelSelectionEnvironmentTests {
    @Test func childrenGetTheUsersEnvironmentBack() {
        for user in [["HOME": "/root"], ["HOME": "/root", "OPENBLAS_CORETYPE": "Haswell"],
                     ["LAB_OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_CORETYPE": "SkylakeX"]] {
            let started = user.merging(KernelSelectionEnvironment.selecting("Zen", in: user)) { $1 }
            #expect(started["OPENBLAS_CORETYPE"] == "Zen" && started[KernelSelectionEnvironment.marker] == "1")
            #expect(KernelSelectionEnvironment.forChild(started) == user)
        }
        #expect(KernelSelectionEnvironment.forChild(["HOME": "/root"]) == ["HOME": "/root"], "nothing selected, nothing undone")
    }

    @Test func theWidestKernelsTheCPURunsAreWanted() {
        let avx512: Set = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"]
        let avx2: Set = ["sse2", "avx", "avx2", "fma"]
        // AVX-512 CPUs get SkylakeX whatever the library chose (Haswell on AMD, Prescott on an
        // Intel Xeon it does not know).
        for choice in ["Haswell", "Prescott", "Zen", "SkylakeX"] {
            #expect(KernelSelectionEnvironment.wantedCoreType(pinned: nil, cpuFlags: avx512, libraryChoice: choice) == "SkylakeX")
        }
        // AVX-512 F alone is not what SkylakeX's kernels need.
        #expect(KernelSelectionEnvironment.wantedCoreType(pinned: nil, cpuFlags: avx2.union(["avx512f"]), libraryChoice: "Haswell") == nil)
        // AVX2 CPUs keep an AVX2 family; a fallback to one without AVX2 becomes Haswell.
        for choice in ["Haswell", "Zen", "ZEN"] {
            #expect(KernelSelectionEnvironment.wantedCoreType(pinned: nil, cpuFlags: avx2, libraryChoice: choice) == nil)
        }
        for choice in ["Prescott", "Sandybridge", "Nehalem", "unknown"] {
            #expect(KernelSelectionEnvironment.wantedCoreType(pinned: nil, cpuFlags: avx2, libraryChoice: choice) == "Haswell")
        }
        // Without AVX2 and FMA the library's choice stands; the user's pin always does.
        #expect(KernelSelectionEnvironment.wantedCoreType(pinned: nil, cpuFlags: ["sse2", "avx", "avx2"], libraryChoice: "Sandybridge") == nil)
        #expect(KernelSelectionEnvironment.wantedCoreType(pinned: nil, cpuFlags: ["sse2", "avx"], libraryChoice: "Sandybridge") == nil)
        #expect(KernelSelectionEnvironment.wantedCoreType(pinned: "Prescott", cpuFlags: avx512, libraryChoice: "SkylakeX") == "Prescott")
    }

    @Test func cpuFlagsAreTheFirstProcessorsFlagsLine() {
        let cpuinfo = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            model\t\t: 207
            flags\t\t: fpu sse2 avx2 fma\tavx512f avx512bw
            bugs\t\t: spectre_v1

            processor\t: 1
            flags\t\t: fpu sse2
            """
        #expect(KernelSelectionEnvironment.cpuFlags(cpuinfo: cpuinfo) == ["fpu", "sse2", "avx2", "fma", "avx512f", "avx512bw"])
        #expect(KernelSelectionEnvironment.cpuFlags(cpuinfo: "processor\t: 0\n").isEmpty)
        #expect(KernelSelectionEnvironment.cpuFlags(cpuinfo: "").isEmpty)
    }
}
