import Foundation
import NeuralNet

/// Ctrl-C during a run: the first press asks training to stop after the current batch so that the
/// report of the work so far is written; a second press ends the program at once.
enum Interruption {
    nonisolated(unsafe) private static var count: sig_atomic_t = 0

    static var requested: Bool { count > 0 }

    static func install() {
        signal(SIGINT) { _ in
            Interruption.count += 1
            if Interruption.count > 1 { _exit(130) }
        }
        // A program that started lab from a thread blocking SIGINT passes that mask on (a test
        // runner does); Ctrl-C must still reach this handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

/// The live training line on a terminal (rewritten in place, between the chapter's epoch lines),
/// nothing more when the output is a file or a pipe (the epoch lines are logged as they end).
enum ProgressLine {
    nonisolated(unsafe) private static var started = ContinuousClock.now
    private static let isTerminal = isatty(STDOUT_FILENO) != 0
    /// True while the terminal's last line is a progress line without its newline.
    nonisolated(unsafe) private static var lineIsOpen = false

    /// Prints a log line; on a terminal it replaces an unfinished progress line, which the next
    /// batch draws again below it. Lines are flushed at once, so a log file or a pipe sees each
    /// step and epoch as it ends, not when lab exits.
    static func log(_ text: String) {
        if isTerminal && lineIsOpen {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
            lineIsOpen = false
        }
        print(text)
        fflush(nil)
    }

    static func report(_ p: GANProgress) {
        if p.epoch == 1 && p.batch == 1 { started = .now }
        let elapsed = ContinuousClock.now - started
        let seconds = elapsed.inSeconds
        let done = Double((p.epoch - 1) * p.batches + p.batch), total = Double(p.epochs * p.batches)
        let eta = seconds / done * (total - done)
        let line = String(format: "  epoch %d/%d · batch %d/%d · G %.4f · D %.4f · ETA %.0f s",
                          p.epoch, p.epochs, p.batch, p.batches, p.losses.generator, p.losses.discriminator, eta)
        // On a terminal the live line; a file or a pipe gets only the epoch lines, which the
        // training logs when each epoch ends.
        // The next log line (the epoch's, or the step's) replaces it.
        guard isTerminal else { return }
        FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K").utf8))
        lineIsOpen = true
    }
}
