#if canImport(Glibc)
import Foundation
import Glibc
import Lab

/// Gives OpenBLAS its AVX-512 kernels on CPUs that have AVX-512.
///
/// OpenBLAS 0.3.21 picks its Haswell kernels on AVX-512 AMD CPUs, about half as fast as its
/// SkylakeX ones there, and some environments pin `OPENBLAS_CORETYPE=Haswell` as well. The library
/// reads the variable once, when it loads, which is before `main`; so when the CPU has AVX-512
/// (F, DQ, BW and VL) and the variable says otherwise, the program sets it to `SkylakeX` and
/// executes itself again. `LAB_OPENBLAS_CORETYPE` pins a kernel family of the user's choosing
/// instead; on CPUs without AVX-512 nothing is changed.
enum BLASKernelSelection {
    private static let marker = KernelSelectionEnvironment.marker

    static func preferAVX512Kernels() {
        guard getenv(marker) == nil else { return }
        let wanted: String
        if let pinned = getenv("LAB_OPENBLAS_CORETYPE") {
            wanted = String(cString: pinned)
        } else if cpuHasAVX512() {
            wanted = "SkylakeX"
        } else {
            return
        }
        if let current = getenv("OPENBLAS_CORETYPE"), String(cString: current) == wanted { return }
        for (name, value) in KernelSelectionEnvironment.selecting(wanted, in: ProcessInfo.processInfo.environment) {
            setenv(name, value, 1)
        }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: carry on with the kernels already loaded.
    }

    /// True when the kernel reports the AVX-512 subsets SkylakeX kernels use.
    static func cpuHasAVX512() -> Bool {
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
            return ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy { flags.contains(Substring($0)) }
        }
        return false
    }
}
#else
/// On other systems the BLAS library's own choice stands.
enum BLASKernelSelection {
    static func preferAVX512Kernels() {}
}
#endif
