import NeuralNet

extension LabCommand.Bench {
    /// Prints how long each layer of `model` takes forward (training mode) and backward on a
    /// random batch, and `optimizer`'s update of its weights: the median over `steps` passes
    /// after `warmup` ones. The last line sums what runs between the matrix products: every
    /// layer but Dense and the convolutions, and the update.
    func profileLayers(of model: Sequential, batch: Int? = nil, optimizer: (any Optimizer)? = nil) {
        let batchSize = batch ?? self.batchSize
        let input = RandomGenerator(seed: 1).uniformTensor(shape: [batchSize] + model.inputShape, low: -1, high: 1)
        var forwardTimes = [[Double]](repeating: [], count: model.layers.count)
        var backwardTimes = forwardTimes
        var updateTimes: [Double] = []
        var modelTimes: (forward: [Double], backward: [Double]) = ([], [])
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
            if let optimizer {
                let start = clock.now
                optimizer.update(model.trainableParameters)
                if pass >= warmup { updateTimes.append((clock.now - start).inSeconds) }
            }
            // The same pass as the model runs it in training, with its chained layers.
            model.zeroGradients()
            let start = clock.now
            let output = model.forward(input, training: true, slot: 0)
            let middle = clock.now
            model.backward(Tensor(shape: output.shape, repeating: 1 / Float(output.count)), slot: 0)
            if pass >= warmup {
                modelTimes.forward.append((middle - start).inSeconds)
                modelTimes.backward.append((clock.now - middle).inSeconds)
            }
        }
        func median(_ times: [Double]) -> Double { times.sorted()[times.count / 2] * 1000 }
        print("\(model.name), batch \(batchSize): median ms per layer")
        print("  \("layer".padding(toLength: 28, withPad: " ", startingAt: 0))  forward  backward")
        var totals = (0.0, 0.0), betweenProducts = (0.0, 0.0)
        for (index, layer) in model.layers.enumerated() {
            let (f, b) = (median(forwardTimes[index]), median(backwardTimes[index]))
            totals.0 += f
            totals.1 += b
            if !(layer is Dense || layer is Conv2D || layer is Conv2DTranspose) {
                betweenProducts.0 += f
                betweenProducts.1 += b
            }
            let label = "\(layer.name) (\(layer.typeName))".padding(toLength: 28, withPad: " ", startingAt: 0)
            let algorithm = (layer as? any ConvolutionLayer)?.algorithmDescription.map { "  \($0)" } ?? ""
            print("  \(label)  \(padded(fixed(f, 2), 7))  \(padded(fixed(b, 2), 8))\(algorithm)")
        }
        print("  \("total".padding(toLength: 28, withPad: " ", startingAt: 0))  \(padded(fixed(totals.0, 2), 7))  \(padded(fixed(totals.1, 2), 8))")
        let modelCall = "whole model, chained".padding(toLength: 28, withPad: " ", startingAt: 0)
        print("  \(modelCall)  \(padded(fixed(median(modelTimes.forward), 2), 7))  \(padded(fixed(median(modelTimes.backward), 2), 8))")
        if let optimizer, !updateTimes.isEmpty {
            let update = median(updateTimes)
            print("  \("\(type(of: optimizer)) update".padding(toLength: 28, withPad: " ", startingAt: 0))  \(padded(fixed(update, 2), 7))")
            print("  between products: \(fixed(betweenProducts.0, 2)) ms forward, \(fixed(betweenProducts.1, 2)) ms backward, "
                + "\(fixed(update, 2)) ms update (layers other than Dense and convolutions)")
        }
    }
}

/// `text` right-aligned in `width` characters.
func padded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(width - text.count, 0)) + text
}
