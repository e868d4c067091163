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
}
