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
        return try gan(generator: denseGenerator(random: random), discriminator: denseDiscriminator(random: random), random: random)
    }

    /// Two models paired with the chapter's training settings: Adam(2e-4, β₁ 0.5) for each player
    /// and BCE on probabilities, drawing noise from `random`.
    public static func gan(generator: Sequential, discriminator: Sequential, random: RandomGenerator) throws -> GAN {
        try GAN(
            generator: generator, discriminator: discriminator,
            generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
            discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
            loss: BinaryCrossentropy(), random: random)
    }
}

extension ChapterModels {
    /// The chapter's DCGAN generator: Dense 7·7·256 (no bias) → BN → LeakyReLU 0.2 → Reshape
    /// (7, 7, 256) → Conv2DTranspose 128 k5 s1 → BN → LeakyReLU → Conv2DTranspose 64 k5 s2 → BN →
    /// LeakyReLU → Conv2DTranspose 1 k5 s2 tanh. 2,330,945 parameters, 25,472 non-trainable.
    public static func dcganGenerator(latentDimension: Int = 100, random: RandomGenerator) throws -> Sequential {
        try Sequential("DCGAN_Generator", inputShape: [latentDimension], random: random) {
            Dense(7 * 7 * 256, useBias: false)
            BatchNormalization()
            LeakyReLU(alpha: 0.2)
            Reshape([7, 7, 256])
            Conv2DTranspose(128, kernelSize: 5, strides: 1, padding: .same, useBias: false)
            BatchNormalization()
            LeakyReLU(alpha: 0.2)
            Conv2DTranspose(64, kernelSize: 5, strides: 2, padding: .same, useBias: false)
            BatchNormalization()
            LeakyReLU(alpha: 0.2)
            Conv2DTranspose(1, kernelSize: 5, strides: 2, padding: .same, activation: .tanh)
        }
    }

    /// The chapter's DCGAN discriminator: Conv2D 64 k5 s2 → LeakyReLU 0.2 → Dropout 0.3 → Conv2D 128
    /// k5 s2 → LeakyReLU → Dropout → Flatten → Dense 1 sigmoid. 212,865 parameters. (`dropout` other
    /// than the chapter's 0.3 serves tests that must not depend on random masks.)
    public static func dcganDiscriminator(dropout: Float = 0.3, random: RandomGenerator) throws -> Sequential {
        try Sequential("DCGAN_Discriminator", inputShape: [28, 28, 1], random: random) {
            Conv2D(64, kernelSize: 5, strides: 2, padding: .same)
            LeakyReLU(alpha: 0.2)
            Dropout(dropout)
            Conv2D(128, kernelSize: 5, strides: 2, padding: .same)
            LeakyReLU(alpha: 0.2)
            Dropout(dropout)
            Flatten()
            Dense(1, activation: .sigmoid)
        }
    }

    /// The chapter's DCGAN with Adam(2e-4, β₁ 0.5) for both players and BCE on probabilities.
    public static func dcgan(seed: UInt64 = 2024) throws -> GAN {
        let random = RandomGenerator(seed: seed)
        return try gan(generator: dcganGenerator(random: random), discriminator: dcganDiscriminator(random: random), random: random)
    }
}
