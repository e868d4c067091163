import NeuralNet

extension LabCommand.Bench {
    /// Prints how long each layer of `model` takes forward (training mode) and backward on a
    /// random batch: the median over `steps` passes after `warmup` ones.
    func profileLayers(of model: Sequential, batch: Int? = nil) {
        let batchSize = batch ?? self.batchSize
        let input = RandomGenerator(seed: 1).uniformTensor(shape: [batchSize] + model.inputShape, low: -1, high: 1)
        var forwardTimes = [[Double]](repeating: [], count: model.layers.count)
        var backwardTimes = forwardTimes
        let clock = ContinuousClock()
        for pass in 0..<(warmup + steps) {
            var activation = input
            for (index, layer) in model.layers.enumerated() {
                let start = clock.now
                activation = layer.forward(activation, training: true, slot: 0)
                if pass >= warmup { forwardTimes[index].append((clock.now - start).inSeconds) }
            }
            model.zeroGradients()
            var gradient: Tensor? = Tensor(shape: activation.shape, repeating: 1 / Float(activation.count))
            for (index, layer) in model.layers.enumerated().reversed() {
                guard let incoming = gradient else { break }
                let start = clock.now
                gradient = layer.backward(incoming, slot: 0, needsInputGradient: index > 0, accumulateParameterGradients: true)
                if pass >= warmup { backwardTimes[index].append((clock.now - start).inSeconds) }
            }
        }
        func median(_ times: [Double]) -> Double { times.sorted()[times.count / 2] * 1000 }
        print("\(model.name), batch \(batchSize): median ms per layer")
        print("  \("layer".padding(toLength: 28, withPad: " ", startingAt: 0))  forward  backward")
        var totals = (0.0, 0.0)
        for (index, layer) in model.layers.enumerated() {
            let (f, b) = (median(forwardTimes[index]), median(backwardTimes[index]))
            totals.0 += f
            totals.1 += b
            let label = "\(layer.name) (\(layer.typeName))".padding(toLength: 28, withPad: " ", startingAt: 0)
            print("  \(label)  \(padded(fixed(f, 2), 7))  \(padded(fixed(b, 2), 8))")
        }
        print("  \("total".padding(toLength: 28, withPad: " ", startingAt: 0))  \(padded(fixed(totals.0, 2), 7))  \(padded(fixed(totals.1, 2), 8))")
    }
}

/// `text` right-aligned in `width` characters.
private func padded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(width - text.count, 0)) + text
}
