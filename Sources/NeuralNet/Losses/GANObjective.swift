/// What the two players of a GAN minimise: the losses of the theory chapter, each with its own
/// discriminator (critic) and generator objective as its paper states it. `D(·)` is the
/// discriminator's output: a probability (or a logit, with `BinaryCrossentropy(fromLogits: true)`)
/// for the two cross-entropy objectives, an unbounded score for the others (no sigmoid at the end).
/// Every expectation is a mean over the batch.
public enum GANObjective: Sendable, Equatable {
    /// Goodfellow et al. (2014), the game as written: D maximises E[log D(x)] + E[log(1 − D(G(z)))]
    /// (it minimises the cross-entropy with targets 1 and 0), G *minimises* E[log(1 − D(G(z)))].
    /// Its gradient vanishes when D rejects the samples confidently, as early in training.
    case minimax
    /// The same D; G minimises −E[log D(G(z))], the cross-entropy with target 1 (the paper's
    /// practical advice, the chapter's `train_step`). The default.
    case nonSaturating
    /// LSGAN (Mao et al. 2017, targets a = 0, b = c = 1): D minimises ½E[(D(x) − 1)²] + ½E[D(G(z))²],
    /// G minimises ½E[(D(G(z)) − 1)²].
    case leastSquares
    /// The hinge loss (Lim & Ye 2017; Miyato et al. 2018): D minimises E[max(0, 1 − D(x))] +
    /// E[max(0, 1 + D(G(z)))], G minimises −E[D(G(z))].
    case hinge
    /// WGAN (Arjovsky et al. 2017): the critic minimises E[D(G(z))] − E[D(x)], G minimises
    /// −E[D(G(z))], and every critic weight is clipped to [−clip, clip] after each critic update
    /// (the paper: clip 0.01, RMSprop 5e-5, five critic steps per generator step).
    case wasserstein(clip: Float)
    /// WGAN-GP (Gulrajani et al. 2017): the critic loss of WGAN plus λ·E[(‖∇x̂ D(x̂)‖₂ − 1)²] at
    /// x̂ = εx + (1 − ε)G(z), ε ~ U[0, 1] per sample; no clipping (the paper: λ 10,
    /// Adam(1e-4, β₁ 0, β₂ 0.9), five critic steps).
    case wassersteinGP(lambda: Float)

    /// The name the DSL and reports use.
    public var name: String {
        switch self {
        case .minimax: "minimax"
        case .nonSaturating: "nonSaturating"
        case .leastSquares: "leastSquares"
        case .hinge: "hinge"
        case .wasserstein: "wasserstein"
        case .wassersteinGP: "wassersteinGP"
        }
    }

    /// Whether the objective is one of the two cross-entropy games (targets, label smoothing and
    /// noisy labels apply to these only).
    public var usesCrossEntropy: Bool { self == .minimax || self == .nonSaturating }

    /// A bad setting, said in one sentence.
    func validate() throws {
        switch self {
        case .wasserstein(let clip):
            guard clip.isFinite, clip > 0 else { throw NeuralNetError("the WGAN weight clip must be a positive number, got \(clip)") }
        case .wassersteinGP(let lambda):
            guard lambda.isFinite, lambda >= 0 else { throw NeuralNetError("the gradient penalty weight λ must be ≥ 0, got \(lambda)") }
        default: break
        }
    }

    /// D's loss on its real scores and its gradient there (nil for the cross-entropy objectives,
    /// whose targets the GAN's `BinaryCrossentropy` makes).
    func criticReal(_ scores: Tensor) -> (loss: Float, gradient: Tensor)? {
        switch self {
        case .minimax, .nonSaturating: nil
        case .leastSquares: Self.mean(scores) { s in (0.5 * (s - 1) * (s - 1), s - 1) }
        case .hinge: Self.mean(scores) { s in s < 1 ? (1 - s, -1) : (0, 0) }
        case .wasserstein, .wassersteinGP: Self.mean(scores) { s in (-s, -1) }
        }
    }

    /// D's loss on its fake scores and its gradient there (nil for the cross-entropy objectives).
    func criticFake(_ scores: Tensor) -> (loss: Float, gradient: Tensor)? {
        switch self {
        case .minimax, .nonSaturating: nil
        case .leastSquares: Self.mean(scores) { s in (0.5 * s * s, s) }
        case .hinge: Self.mean(scores) { s in s > -1 ? (1 + s, 1) : (0, 0) }
        case .wasserstein, .wassersteinGP: Self.mean(scores) { s in (s, 1) }
        }
    }

    /// G's loss on D's fake scores and its gradient there.
    func generator(_ scores: Tensor, crossEntropy: BinaryCrossentropy) -> (loss: Float, gradient: Tensor) {
        switch self {
        case .nonSaturating:
            return crossEntropy(predictions: scores, target: 1)
        case .minimax:
            // E[log(1 − D)] = −BCE(0, D): the same clipping (or logits) as the D loss.
            let (loss, gradient) = crossEntropy(predictions: scores, target: 0)
            return (-loss, Tensor(shape: gradient.shape, scalars: gradient.scalars.map { -$0 }))
        case .leastSquares:
            return Self.mean(scores) { s in (0.5 * (s - 1) * (s - 1), s - 1) }
        case .hinge, .wasserstein, .wassersteinGP:
            return Self.mean(scores) { s in (-s, -1) }
        }
    }

    /// The mean of `term(s).value` over the scores and, per score, `term(s).derivative / count`.
    private static func mean(_ scores: Tensor, _ term: (Float) -> (Float, Float)) -> (loss: Float, gradient: Tensor) {
        let count = max(scores.count, 1)
        var total: Double = 0
        var gradient = [Float](repeating: 0, count: scores.count)
        for (i, s) in scores.scalars.enumerated() {
            let (value, derivative) = term(s)
            total += Double(value)
            gradient[i] = derivative / Float(count)
        }
        return (Float(total / Double(count)), Tensor(shape: scores.shape, scalars: gradient))
    }
}
