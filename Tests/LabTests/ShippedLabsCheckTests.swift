import Foundation
import Lab
import Testing

/// `lab check` on a shipped lab with its own defaults, what a teacher runs first before handing
/// a lab out. `labs/gan-losses-and-tricks.md` failed it: `lab check` trained on one batch, and
/// its WGAN's five D steps a generator step need five (`128 items make no full batch of 128 × 5
/// D steps`). Every shipped lab passes `./lab check` (seconds each in a release build); this
/// debug-built test takes 44 s for this one lab, so it checks only the one that failed.
@Suite struct ShippedLabsCheckTests {
    @Test func theStudyOfLossesAndTricksPassesLabCheck() throws {
        var runner = LabRunner(path: MainLabTests.root.appendingPathComponent("labs/gan-losses-and-tricks.md").path,
                               settings: RunSettings(overrides: [:], outputRoot: NSTemporaryDirectory() + "lab-check-\(UUID().uuidString)",
                                                     dataFolder: ClassicLabTests.mnist), log: { _ in })
        runner.evaluatorSetup = try TestEvaluator.setup()
        let outcome = runner.run(writeReport: false)
        #expect(outcome.error == nil, "\(outcome.error?.description ?? "")")
    }
}
