import NeuralNet

extension Vocabulary {
    /// The theory chapter's GAN losses, given to `GAN(…, loss:)` in place of `BinaryCrossentropy()`
    /// (the non-saturating game): each is its paper's D and G objective (`GANObjective`).
    static var objectives: VocabularyDomain { VocabularyDomain(functions: [
        "MinimaxLoss": ([.init("fromLogits", .bool, .bool(false))], { args, call, evaluator in
            try wrap(call, evaluator) { .ganLoss(.minimax, try BinaryCrossentropy(fromLogits: args.bool("fromLogits"))) }
        }),
        "LeastSquaresLoss": ([], { _, call, evaluator in
            try wrap(call, evaluator) { .ganLoss(.leastSquares, try BinaryCrossentropy()) }
        }),
        "HingeLoss": ([], { _, call, evaluator in
            try wrap(call, evaluator) { .ganLoss(.hinge, try BinaryCrossentropy()) }
        }),
        "WassersteinLoss": ([.init("clip", .number, .double(0.01))], { args, call, evaluator in
            try wrap(call, evaluator) { .ganLoss(.wasserstein(clip: args.float("clip")), try BinaryCrossentropy()) }
        }),
        "WassersteinGPLoss": ([.init("lambda", .number, .double(10))], { args, call, evaluator in
            try wrap(call, evaluator) { .ganLoss(.wassersteinGP(lambda: args.float("lambda")), try BinaryCrossentropy()) }
        }),
    ]) }
}
