#if canImport(Glibc)
import Foundation
import Glibc
import Lab
import NeuralNet

/// Gives OpenBLAS the widest kernels the CPU runs (`KernelSelectionEnvironment.wantedCoreType`).
///
/// OpenBLAS 0.3.21 picks its Haswell kernels on AVX-512 AMD CPUs, about half as fast as its
/// SkylakeX ones there, and its generic Prescott ones on CPUs newer than its table (an Intel Xeon
/// of family 6, model 207: a ninth of SkylakeX's speed); some environments pin
/// `OPENBLAS_CORETYPE=Haswell` as well. The library reads the variable once, when it loads, which
/// is before `main`; so when the family wanted differs, the program sets the variable and
/// executes itself again. `LAB_OPENBLAS_CORETYPE` pins a kernel family of the user's choosing.
enum BLASKernelSelection {
    private static let marker = KernelSelectionEnvironment.marker

    static func preferWidestKernels() {
        guard getenv(marker) == nil else { return }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let wanted = KernelSelectionEnvironment.wantedCoreType(
            pinned: getenv("LAB_OPENBLAS_CORETYPE").map { String(cString: $0) },
            cpuFlags: KernelSelectionEnvironment.cpuFlags(cpuinfo: cpuinfo), libraryChoice: BLASInfo.coreName)
        else { return }
        if let current = getenv("OPENBLAS_CORETYPE"), String(cString: current) == wanted { return }
        for (name, value) in KernelSelectionEnvironment.selecting(wanted, in: ProcessInfo.processInfo.environment) {
            setenv(name, value, 1)
        }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: carry on with the kernels already loaded.
    }
}
#else
/// On other systems the BLAS library's own choice stands.
enum BLASKernelSelection {
    static func preferWidestKernels() {}
}
#endif
