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
    }
}

/// The live training line on a terminal (rewritten in place), or one plain line per epoch when
/// the output is a file or a pipe.
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
        if isTerminal {
            let finished = p.epoch == p.epochs && p.batch == p.batches
            FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K" + (finished ? "\n" : "")).utf8))
            lineIsOpen = !finished
        } else if p.batch == p.batches {
            print(line)
            fflush(nil)
        }
    }
}
