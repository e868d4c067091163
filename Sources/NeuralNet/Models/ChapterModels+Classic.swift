extension ChapterModels {
    /// The `002_…` notebook's generator from a vector of `vectorSize` uniform numbers: Dense 3136
    /// ReLU → BN → Reshape (7, 7, 64) → UpSampling2D 2 → Conv2D 32 k3 same ReLU → BN →
    /// UpSampling2D 2 → Conv2D 16 k3 same ReLU → BN → Conv2D 1 k3 same sigmoid (images 0…1).
    public static func classicGenerator(vectorSize: Int = 10, random: RandomGenerator) throws -> Sequential {
        try Sequential("Classic_Generator", inputShape: [vectorSize], random: random) {
            Dense(3136, activation: .relu)
            BatchNormalization()
            Reshape([7, 7, 64])
            UpSampling2D(size: 2)
            Conv2D(32, kernelSize: 3, padding: .same, activation: .relu)
            BatchNormalization()
            UpSampling2D(size: 2)
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            BatchNormalization()
            Conv2D(1, kernelSize: 3, padding: .same, activation: .sigmoid)
        }
    }

    /// The `002_…` notebook's discriminator: Conv2D 16 k3 same ReLU twice → MaxPooling2D 3 s2 →
    /// Conv2D 16 twice → MaxPooling2D 3 s2 → Flatten → Dense 1 sigmoid.
    public static func classicDiscriminator(random: RandomGenerator) throws -> Sequential {
        try Sequential("Classic_Discriminator", inputShape: [28, 28, 1], random: random) {
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(poolSize: 3, strides: 2)
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(poolSize: 3, strides: 2)
            Flatten()
            Dense(1, activation: .sigmoid)
        }
    }
}
