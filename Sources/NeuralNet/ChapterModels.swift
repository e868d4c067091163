/// The models of the course's chapter 07-2, built the way its Keras code builds them.
///
/// The lab files build the same models from the DSL; these serve tests and the benchmark.
public enum ChapterModels {
    /// The Dense generator: 100 → 256 → 512 → 1024 (each with BatchNormalization and
    /// LeakyReLU 0.2) → 784 with tanh. 1,493,520 parameters, 3,584 of them non-trainable.
    public static func denseGenerator(latentDimension: Int = 100, random: RandomGenerator) throws -> Sequential {
        try Sequential("Generator", inputShape: [latentDimension], random: random) {
            for units in [256, 512, 1024] {
                Dense(units)
                BatchNormalization()
                LeakyReLU(alpha: 0.2)
            }
            Dense(784, activation: .tanh, name: "image_output")
        }
    }

    /// The Dense discriminator: 784 → 1024 → 512 → 256 (each with LeakyReLU 0.2 and Dropout 0.3)
    /// → 1 with sigmoid. 1,460,225 parameters.
    public static func denseDiscriminator(random: RandomGenerator) throws -> Sequential {
        try Sequential("Discriminator", inputShape: [784], random: random) {
            for units in [1024, 512, 256] {
                Dense(units)
                LeakyReLU(alpha: 0.2)
                Dropout(0.3)
            }
            Dense(1, activation: .sigmoid, name: "real_prob")
        }
    }

    /// The chapter's Dense GAN with Adam(2e-4, β₁ 0.5) for both players and BCE on probabilities.
    public static func denseGAN(seed: UInt64 = 2024) throws -> GAN {
        let random = RandomGenerator(seed: seed)
        return try GAN(
            generator: denseGenerator(random: random),
            discriminator: denseDiscriminator(random: random),
            generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
            discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
            loss: BinaryCrossentropy(), random: random)
    }
}
