import Foundation
import Lab

/// `lab watch`'s loop: runs the lab, then checks twice a second whether the lab file or a file
/// its steps read changed, and runs it again when one did (unchanged steps come from the cache,
/// so an edit of a late step costs that step). `shouldStop` ends the loop (Ctrl-C).
public struct LabWatcher {
    public var runner: LabRunner
    /// How long to wait between checks.
    public var interval: Duration = .milliseconds(500)

    public init(runner: LabRunner) {
        self.runner = runner
    }

    /// Runs until `shouldStop` answers true; `ran` hears of every run (the first included).
    public func watch(shouldStop: () -> Bool, ran: (LabRunner.Outcome) -> Void) {
        var outcome = runner.run()
        ran(outcome)
        let pause = Double(interval.components.seconds) + Double(interval.components.attoseconds) * 1e-18
        while !shouldStop() {
            Thread.sleep(forTimeInterval: pause)
            guard !shouldStop() else { break }
            if outcome.inputsChanged {
                outcome = runner.run()
                ran(outcome)
            }
        }
    }
}
