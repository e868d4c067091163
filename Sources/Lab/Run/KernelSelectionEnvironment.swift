import CKernels

/// The environment variables `lab` sets when it executes itself again to choose OpenBLAS's
/// kernels (`OPENBLAS_CORETYPE`, read by the library as it loads; the choice is
/// `lab_wanted_core_type` in the CKernels library, whose constructor sets these same names),
/// and how to undo them for a program `lab` starts: `lab bench --compare` runs another build,
/// which must make its own choice from the user's environment (a wrapper's
/// `LAB_OPENBLAS_CORETYPE=Haswell` was ignored before, because the child inherited the marker
/// and the parent's choice).
public enum KernelSelectionEnvironment {
    /// Set in the process executed again, so that it does not do so once more (the name the C
    /// constructor sets).
    public static let marker = LAB_OPENBLAS_SELECTED_VARIABLE
    /// `OPENBLAS_CORETYPE` as the user gave it (empty when it was not set).
    public static let original = LAB_OPENBLAS_ORIGINAL_VARIABLE

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
}
