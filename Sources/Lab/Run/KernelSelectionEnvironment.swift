/// The environment variables `lab` sets when it executes itself again to choose OpenBLAS's
/// kernels (`OPENBLAS_CORETYPE`, read by the library as it loads), and how to undo them for a
/// program `lab` starts: `lab bench --compare` runs another build, which must make its own
/// choice from the user's environment (a wrapper's `LAB_OPENBLAS_CORETYPE=Haswell` was ignored
/// before, because the child inherited the marker and the parent's choice).
public enum KernelSelectionEnvironment {
    /// Set in the process executed again, so that it does not do so once more.
    public static let marker = "LAB_OPENBLAS_SELECTED"
    /// `OPENBLAS_CORETYPE` as the user gave it (empty when it was not set).
    public static let original = "LAB_OPENBLAS_ORIGINAL_CORETYPE"

    /// The variables to set before executing again with `coreType`.
    public static func selecting(_ coreType: String, in environment: [String: String]) -> [String: String] {
        ["OPENBLAS_CORETYPE": coreType, marker: "1", original: environment["OPENBLAS_CORETYPE"] ?? ""]
    }

    /// `environment` with the selection undone: what a started program should see.
    public static func forChild(_ environment: [String: String]) -> [String: String] {
        guard environment[marker] != nil else { return environment }
        var child = environment
        let given = environment[original] ?? ""
        child["OPENBLAS_CORETYPE"] = given.isEmpty ? nil : given
        child[marker] = nil
        child[original] = nil
        return child
    }

    /// The kernel family to ask OpenBLAS for, or nil to leave the library's own choice:
    /// - the user's `LAB_OPENBLAS_CORETYPE` (`pinned`) when given;
    /// - `SkylakeX` when the CPU has the AVX-512 subsets those kernels use (F, DQ, BW and VL):
    ///   OpenBLAS 0.3.21 picks Haswell kernels on AVX-512 AMD CPUs, and on an Intel Xeon it does
    ///   not know (family 6, model 207) the generic Prescott ones, 32.5 GFLOPS against SkylakeX's
    ///   292–300 on 1024 × 1024 × 1024 with two threads;
    /// - `Haswell` when the CPU has AVX2 and FMA but the library chose a family that uses
    ///   neither (`libraryChoice` not among `avx2Families`): a CPU newer than the library's
    ///   table falls back to Prescott in the same way, and Haswell's are the AVX2 kernels
    ///   (OpenBLAS's Zen family runs them too).
    public static func wantedCoreType(pinned: String?, cpuFlags: Set<String>, libraryChoice: String) -> String? {
        if let pinned { return pinned }
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if cpuFlags.contains("avx2"), cpuFlags.contains("fma"),
           !avx2Families.contains(libraryChoice.lowercased()) {
            return "Haswell"
        }
        return nil
    }

    /// OpenBLAS's kernel families (as `openblas_get_corename` names them, lowercased) whose
    /// single-precision products use AVX2 and FMA or wider.
    static let avx2Families: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// The flags of the first processor in /proc/cpuinfo's text (empty when it has none).
    public static func cpuFlags(cpuinfo: String) -> Set<String> {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let list = line.split(separator: ":", maxSplits: 1).dropFirst().first
        else { return [] }
        return Set(list.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
    }
}
