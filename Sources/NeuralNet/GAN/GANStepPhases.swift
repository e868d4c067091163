/// Where the time of `GAN.trainStep` goes, part by part, as the step runs them: besides the
/// layers' own work (which `lab bench --layers` also times layer by layer, one model at a time)
/// a step draws noise, computes losses, and may need D's first-layer input gradient or a third
/// pass through D for the G loss.
///
/// Set `GAN.stepPhases` to an instance and every later `trainStep` adds its parts' wall-clock
/// time; `nil` (the default) records nothing, and neither do discriminator-only steps.
public final class GANStepPhases {
    /// The parts of a step, in the order a step runs them.
    public enum Phase: Int, CaseIterable, Sendable {
        /// G's input: noise (and the one-hot classes of a conditional GAN).
        case noise
        /// G's forward pass on the batch's noise.
        case generatorForward
        /// D's forward passes on the real and the fake batch.
        case discriminatorForward
        /// D's loss and its backward passes (D's parameter gradients).
        case discriminatorBackward
        /// The G loss's gradient at the fake batch: a rescaled D gradient, or one more backward
        /// pass through D.
        case generatorGradientThroughDiscriminator
        /// G's backward pass.
        case generatorBackward
        /// D's optimizer step.
        case discriminatorUpdate
        /// G's optimizer step.
        case generatorUpdate

        /// The part's name as `lab bench` prints it.
        public var name: String {
            switch self {
            case .noise: "noise"
            case .generatorForward: "G forward"
            case .discriminatorForward: "D forward (real and fake)"
            case .discriminatorBackward: "D loss and backward"
            case .generatorGradientThroughDiscriminator: "G loss's gradient through D"
            case .generatorBackward: "G backward"
            case .discriminatorUpdate: "D update"
            case .generatorUpdate: "G update"
            }
        }
    }

    /// Seconds spent in each phase (indexed by `Phase.rawValue`) over `steps` steps.
    public private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    /// Steps recorded.
    public private(set) var steps = 0

    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    /// Whether a `trainStep` is running: marks outside one (a discriminator-only step shares
    /// `GAN.discriminatorPass`) are not counted.
    private var inStep = false

    public init() { last = clock.now }

    /// Mean milliseconds per step spent in `phase`.
    public func milliseconds(_ phase: Phase) -> Double {
        steps == 0 ? 0 : 1000 * seconds[phase.rawValue] / Double(steps)
    }

    /// Starts a step's clock.
    func beginStep() {
        last = clock.now
        inStep = true
    }

    /// Adds the time since the last mark (or the step's start) to `phase`.
    func mark(_ phase: Phase) {
        guard inStep else { return }
        let now = clock.now
        seconds[phase.rawValue] += (now - last).inSeconds
        last = now
    }

    /// Counts a finished step.
    func endStep() {
        steps += 1
        inStep = false
    }
}
