extension ChapterModels {
    /// The `004_…` notebook's 64×64 generator: Reshape (1, 1, 100) → Conv2DTranspose 512 k4 valid →
    /// then 256, 128, 64 with k4 stride 2 same, each without bias and followed by BN (momentum 0.9)
    /// and LeakyReLU 0.2 → Conv2DTranspose 1 k4 s2 same tanh. 3,576,576 parameters (1,920 of them
    /// BN's moving statistics), as Keras counts them.
    public static func dcgan64Generator(latentDimension: Int = 100, random: RandomGenerator) throws -> Sequential {
        var layers: [any Layer] = [
            Reshape([1, 1, latentDimension]),
            Conv2DTranspose(512, kernelSize: 4, strides: 1, padding: .valid, useBias: false),
            BatchNormalization(momentum: 0.9), LeakyReLU(alpha: 0.2),
        ]
        for filters in [256, 128, 64] {
            layers += [Conv2DTranspose(filters, kernelSize: 4, strides: 2, padding: .same, useBias: false),
                       BatchNormalization(momentum: 0.9), LeakyReLU(alpha: 0.2)]
        }
        layers.append(Conv2DTranspose(1, kernelSize: 4, strides: 2, padding: .same, useBias: false, activation: .tanh))
        return try Sequential("DCGAN64_Generator", inputShape: [latentDimension], random: random, layers: layers)
    }

    /// The `004_…` notebook's 64×64 discriminator: Conv2D 64 k4 s2 same → LeakyReLU 0.2 → Dropout
    /// 0.3, then 128, 256, 512 the same way with BN (momentum 0.9) after each convolution, all
    /// without bias → Conv2D 1 k4 valid sigmoid → Flatten. 2,765,312 parameters (1,792 of them BN's
    /// moving statistics).
    public static func dcgan64Discriminator(dropout: Float = 0.3, random: RandomGenerator) throws -> Sequential {
        var layers: [any Layer] = [Conv2D(64, kernelSize: 4, strides: 2, padding: .same, useBias: false), LeakyReLU(alpha: 0.2), Dropout(dropout)]
        for filters in [128, 256, 512] {
            layers += [Conv2D(filters, kernelSize: 4, strides: 2, padding: .same, useBias: false),
                       BatchNormalization(momentum: 0.9), LeakyReLU(alpha: 0.2), Dropout(dropout)]
        }
        layers += [Conv2D(1, kernelSize: 4, strides: 1, padding: .valid, useBias: false, activation: .sigmoid), Flatten()]
        return try Sequential("DCGAN64_Discriminator", inputShape: [64, 64, 1], random: random, layers: layers)
    }

    /// The `004_…` notebook's DCGAN: Adam(2e-4, β₁ 0.4, β₂ 0.999) for both players, BCE.
    public static func dcgan64(seed: UInt64 = 2024) throws -> GAN {
        let random = RandomGenerator(seed: seed)
        return try GAN(generator: dcgan64Generator(random: random), discriminator: dcgan64Discriminator(random: random),
                       generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.4, beta2: 0.999),
                       discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.4, beta2: 0.999),
                       loss: BinaryCrossentropy(), random: random)
    }
}
