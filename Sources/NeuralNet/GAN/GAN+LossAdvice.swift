extension GAN {
    /// Advice when the discriminator's last activation does not fit the loss that scores it:
    /// the lab is legal and trains, but badly, and nothing else would say why.
    ///
    /// - A sigmoid before a loss that takes logits (`fromLogits: true`) applies the sigmoid twice:
    ///   every score lands in [0.5, 0.73] (Keras warns of the same).
    /// - No sigmoid before a loss that takes probabilities: scores are clipped to
    ///   [1e-7, 1 − 1e-7], and wherever clipping acts the gradient is zero.
    /// - A bounded activation (sigmoid, tanh) before the least-squares, hinge or Wasserstein
    ///   losses, which score D's outputs as they are: their critics end without one.
    ///
    /// Nil when they fit, or when D's last layer bounds nothing it can read (see
    /// `Sequential.outputActivation`).
    public static func lossAdvice(discriminator: Sequential, objective: GANObjective, loss: BinaryCrossentropy) -> String? {
        guard let activation = discriminator.outputActivation else { return nil }
        let name = discriminator.name
        if objective.usesCrossEntropy {
            if loss.fromLogits, activation == .sigmoid {
                return "\(name) ends with sigmoid, but the loss takes logits (fromLogits: true) and applies a sigmoid again, so every "
                    + "score lands in [0.5, 0.73] and \(name) learns slowly; drop one of the two: end \(name) without an activation, "
                    + "or use BinaryCrossentropy()"
            }
            if !loss.fromLogits, activation.boundedRange != 0...1 {
                return "\(name) ends with \(activation.kerasName), so its outputs are not probabilities, but the loss takes them as "
                    + "such and clips them to [1e-7, 1 − 1e-7], where their gradient is zero; end \(name) with sigmoid, "
                    + "or use BinaryCrossentropy(fromLogits: true)"
            }
            return nil
        }
        guard let range = activation.boundedRange else { return nil }
        let why = switch objective {
        case .hinge: "its margins, 1 − D(x) and 1 + D(G(z)), want scores beyond ±1"
        case .leastSquares: "Mao et al.'s D ends without one"
        default: "a critic's scores must be free to grow"
        }
        return "the \(objective.name) loss scores \(name)'s outputs as they are, but \(name) ends with \(activation.kerasName), which "
            + "keeps every score in [\(Int(range.lowerBound)), \(Int(range.upperBound))]: \(why); end \(name) without an activation"
    }
}
