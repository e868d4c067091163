extension GAN {
    /// Moves the average of G's weights towards the current ones: avg ← β·avg + (1 − β)·w for
    /// trainable weights; moving statistics (batch normalisation) are copied. The first call
    /// starts the average at the current weights.
    func updateGeneratorAverage(beta: Float) {
        let parameters = generator.parameters
        guard var averaged = averagedGeneratorWeights, averaged.count == parameters.count else {
            averagedGeneratorWeights = parameters.map(\.value)
            return
        }
        for (index, parameter) in parameters.enumerated() {
            guard parameter.isTrainable else {
                averaged[index] = parameter.value
                continue
            }
            parameter.value.withUnsafeBufferPointer { w in
                averaged[index].withUnsafeMutableBufferPointer { a in
                    for i in a.indices { a[i] = beta * a[i] + (1 - beta) * w[i] }
                }
            }
        }
        averagedGeneratorWeights = averaged
    }

    /// Runs `body` with G's weights replaced by their average (when there is one) and puts the
    /// trained weights back afterwards: sampling from the averaged G leaves training untouched.
    public func withAveragedGenerator<R>(_ body: () throws -> R) rethrows -> R {
        guard let averaged = averagedGeneratorWeights else { return try body() }
        let parameters = generator.parameters
        let trained = parameters.map(\.value)
        for (parameter, value) in zip(parameters, averaged) { parameter.value = value }
        defer { for (parameter, value) in zip(parameters, trained) { parameter.value = value } }
        return try body()
    }
}
