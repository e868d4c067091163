@testable import NeuralNet
import Testing

/// A model runs batch normalisation, a rectifier and dropout that follow each other as one pass
/// (`ElementwiseChain`). That must change nothing but the time: the same output, input gradient,
/// weight gradients and moving statistics, bit for bit, as the layers called one by one, and
/// memories that either way of running `backward` can use.
@Suite struct ElementwiseChainTests {
    /// The kinds of chain, each after a Dense layer (so `backward` goes through it to a layer
    /// with weights) and before another: a label and new layers.
    static func kind(_ index: Int) -> (String, [any Layer]) {
        switch index {
        case 0: ("normalization, LeakyReLU", [BatchNormalization(momentum: 0.9), LeakyReLU(alpha: 0.2)])
        case 1: ("LeakyReLU, dropout", [LeakyReLU(alpha: 0.2), Dropout(0.3)])
        case 2: ("normalization, LeakyReLU, dropout", [BatchNormalization(momentum: 0.9), LeakyReLU(alpha: 0.2), Dropout(0.3)])
        default: ("normalization, ReLU, dropout", [BatchNormalization(), ReLU(), Dropout(0.5)])
        }
    }

    /// A model with `middle` between a convolution with 13 channels (so that rows do not start
    /// on a vector and a batch is not whole mask blocks) and a Dense layer, on items of `shape`.
    func model(_ middle: [any Layer], shape: [Int], seed: UInt64) throws -> Sequential {
        try Sequential("chain", inputShape: shape, random: RandomGenerator(seed: seed),
                       layers: [Conv2D(13, kernelSize: 3, padding: .same)] + middle + [Flatten(), Dense(5)])
    }

    /// Everything a training pass produces: output, input gradient (empty unless
    /// `needsInputGradient`), then every parameter's value and gradient (moving statistics
    /// included).
    func pass(_ model: Sequential, _ input: Tensor, oneByOne: (forward: Bool, backward: Bool), training: Bool,
              needsInputGradient: Bool = true) -> [[Float]] {
        model.zeroGradients()
        var output = input
        if oneByOne.forward {
            for layer in model.layers { output = layer.forward(output, training: training, slot: 1) }
        } else {
            output = model.forward(input, training: training, slot: 1)
        }
        let seed = Tensor(shape: output.shape, scalars: (0..<output.count).map { Float($0 % 7) - 3 })
        var gradient: Tensor? = seed
        if oneByOne.backward {
            for (index, layer) in model.layers.enumerated().reversed() {
                gradient = layer.backward(gradient!, slot: 1, needsInputGradient: index > 0 || needsInputGradient,
                                          accumulateParameterGradients: true)
            }
        } else {
            gradient = model.backward(seed, slot: 1, needsInputGradient: needsInputGradient)
        }
        return [output.scalars, gradient?.scalars ?? []]
            + model.parameters.flatMap { [$0.value.scalars, $0.isTrainable ? $0.gradient.scalars : []] }
    }

    @Test(arguments: 0..<4)
    func chainedPassesGiveTheBitsOfTheLayersOneByOne(kind: Int) throws {
        let label = Self.kind(kind).0
        func layers() -> [any Layer] { Self.kind(kind).1 }
        let input = RandomGenerator(seed: 3).uniformTensor(shape: [37, 6, 5, 4], low: -2, high: 2)
        for training in [true, false] {
            let reference = try model(layers(), shape: [6, 5, 4], seed: 11)
            let expected = pass(reference, input, oneByOne: (true, true), training: training)
            let referenceZeros = Self.zerosRemembered(by: reference)
            for mix in [(false, false), (false, true), (true, false)] {
                let chained = try model(layers(), shape: [6, 5, 4], seed: 11)
                let got = pass(chained, input, oneByOne: mix, training: training)
                #expect(got.count == expected.count)
                for (a, b) in zip(got, expected) {
                    #expect(a.map(\.bitPattern) == b.map(\.bitPattern),
                            "\(label), training \(training), one by one \(mix): \(a.prefix(4)) against \(b.prefix(4))")
                }
                // The chain really ran: behind dropout, the rectifier remembers the dropped output.
                let dropsInTraining = training && chained.layers.contains { $0 is Dropout }
                #expect((Self.zerosRemembered(by: chained) > referenceZeros) == (dropsInTraining && !mix.0), "\(label), \(mix)")
            }
            if training, chained(layers()).dropout != nil {
                try fusedBackwardMatchesTheLayers(layers())
            }
        }
    }

    /// Exact zeros in what the model's rectifier remembers of the call in slot 1.
    static func zerosRemembered(by model: Sequential) -> Int {
        let rectifier = model.layers.compactMap { $0 as? ActivationLayer }.first!
        return rectifier.rememberedOutput(1).scalars.filter { $0 == 0 }.count
    }

    /// The chain that `middle` makes.
    func chained(_ middle: [any Layer]) -> ElementwiseChain {
        ElementwiseChain.starting(at: 0, in: middle)!
    }

    /// The fused backward pass through dropout and its rectifier, called directly, against the two
    /// layers' own `backward` after the same chained forward.
    func fusedBackwardMatchesTheLayers(_ middle: [any Layer]) throws {
        let model = try model(middle, shape: [6, 5, 4], seed: 12)
        let chain = ElementwiseChain.starting(at: 1, in: model.layers)!
        let input = RandomGenerator(seed: 4).uniformTensor(shape: [9, 6, 5, 4], low: -2, high: 2)
        _ = model.forward(input, training: true, slot: 0)
        let gradient = RandomGenerator(seed: 5).uniformTensor(shape: [9, 6, 5, 13], low: -1, high: 1)
        let fused = chain.backwardThroughRectifierAndDropout(gradient, slot: 0)
        let dropped = chain.dropout!.backward(gradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: false)!
        let layers = chain.rectifier.backward(dropped, slot: 0, needsInputGradient: true, accumulateParameterGradients: false)!
        #expect(fused?.scalars.map(\.bitPattern) == layers.scalars.map(\.bitPattern))
    }

    /// The backward pass through a normalisation and its rectifier inside the normalisation's
    /// passes, called directly, against the two layers' own `backward` after the same forward
    /// pass: the same input gradient and parameter gradients, with inputs where the
    /// normalisation's output is exactly zero (the rectifier's kink) among them. A chain with
    /// dropout is left to `backwardThroughRectifierAndDropout`.
    @Test(arguments: [true, false])
    func normalizationAndRectifierGoBackInTwoPasses(leaky: Bool) throws {
        let rectifier = leaky ? LeakyReLU(alpha: 0.2) : ReLU()
        let normalization = BatchNormalization(momentum: 0.9)
        let model = try Sequential("kink", inputShape: [3, 16], random: RandomGenerator(seed: 13),
                                   layers: [normalization, rectifier, Flatten(), Dense(2)])
        let chain = ElementwiseChain.starting(at: 0, in: model.layers)!
        // Scales of both signs: the derivative follows the sign of the normalisation's output, not
        // of x̂.
        normalization.gamma!.value = Tensor(shape: [16], scalars: (0..<16).map { (0.5 + Float($0) / 16) * ($0 % 2 == 0 ? 1 : -1) })
        // Whole numbers in ± pairs: every column's mean is exactly zero, so where x is zero the
        // normalisation's output is exactly zero too.
        let input = Tensor(shape: [8, 3, 16], scalars: (0..<(24 * 16)).map { index in
            let (row, column) = (index / 16, index % 16)
            return Float((row / 2 + column) % 3) * (row % 2 == 0 ? 1 : -1)
        })
        _ = model.forward(input, training: true, slot: 0)
        #expect(rectifier.rememberedOutput(0).scalars.filter { $0 == 0 }.count >= 24 * 16 / 3, "the kink is reached")
        let gradient = RandomGenerator(seed: 7).uniformTensor(shape: [8, 3, 16], low: -1, high: 1)
        func gradients() -> [[UInt32]] { normalization.parameters.filter(\.isTrainable).map { $0.gradient.scalars.map(\.bitPattern) } }
        model.zeroGradients()
        let fused = chain.backwardThroughNormalizationAndRectifier(gradient, slot: 0, needsInputGradient: true,
                                                                   accumulateParameterGradients: true)
        let fusedGradients = gradients()
        model.zeroGradients()
        let rectified = rectifier.backward(gradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)!
        let layers = normalization.backward(rectified, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)!
        #expect(fused?.scalars.map(\.bitPattern) == layers.scalars.map(\.bitPattern))
        #expect(fusedGradients == gradients() && !fusedGradients.isEmpty)
        let withDropout = ElementwiseChain.starting(at: 0, in: [BatchNormalization(), LeakyReLU(alpha: 0.2), Dropout(0.3)])!
        #expect(withDropout.backwardThroughNormalizationAndRectifier(gradient, slot: 0, needsInputGradient: true,
                                                                    accumulateParameterGradients: false) == nil)
    }

    /// With AVX-512 (`ChannelLoops.wide`), a chained forward call through all three layers notes
    /// the elements its dropout kept, and the backward pass goes through dropout and the rectifier
    /// inside the normalisation's two passes: the same input gradient and parameter gradients as
    /// the three layers' own `backward`, with the kink (normalised outputs exactly zero) and kept
    /// zeros among the elements, and 13 channels, so that rows start at every bit of a byte.
    @Test func allThreeGoBackInTwoPasses() throws {
        let normalization = BatchNormalization(momentum: 0.9), rectifier = LeakyReLU(alpha: 0.2), dropout = Dropout(0.3)
        let model = try Sequential("three", inputShape: [7, 13], random: RandomGenerator(seed: 14),
                                   layers: [normalization, rectifier, dropout, Flatten(), Dense(2)])
        let chain = ElementwiseChain.starting(at: 0, in: model.layers)!
        let input = Tensor(shape: [40, 7, 13], scalars: (0..<(280 * 13)).map { index in
            let (row, column) = (index / 13, index % 13)
            return Float((row / 2 + column) % 3) * (row % 2 == 0 ? 1 : -1)
        })
        _ = model.forward(input, training: true, slot: 0)
        #expect(chain.goesBackInTwoPasses(slot: 0) == ChannelLoops.wide)
        guard ChannelLoops.wide else { return }
        let kept = dropout.rememberedKeptElements(0)!
        let mask = dropout.rememberedMask(0)!
        var drawn = [Bool](repeating: false, count: input.count)
        mask.forEachBlock(count: input.count) { range, draws in
            for i in range { drawn[i] = draws[i - range.lowerBound] >= mask.threshold }
        }
        #expect((0..<input.count).map { kept[$0] } == drawn, "the bits are the mask's")
        #expect((0..<input.count).contains { input.scalars[$0] == 0 && kept[$0] }, "kept elements at the kink")
        let gradient = RandomGenerator(seed: 15).uniformTensor(shape: [40, 7, 13], low: -1, high: 1)
        func gradients() -> [[UInt32]] { normalization.parameters.filter(\.isTrainable).map { $0.gradient.scalars.map(\.bitPattern) } }
        model.zeroGradients()
        let fused = chain.backwardThroughAllThree(gradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)
        let fusedGradients = gradients()
        model.zeroGradients()
        let dropped = dropout.backward(gradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)!
        let rectified = rectifier.backward(dropped, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)!
        let layers = normalization.backward(rectified, slot: 0, needsInputGradient: true, accumulateParameterGradients: true)!
        #expect(fused?.scalars.map(\.bitPattern) == layers.scalars.map(\.bitPattern))
        #expect(fusedGradients == gradients() && !fusedGradients.isEmpty)
        // A forward call one layer at a time forgets the bits: the chain goes back the old way.
        _ = dropout.forward(rectifier.forward(normalization.forward(input, training: true, slot: 0), training: true, slot: 0),
                            training: true, slot: 0)
        #expect(!chain.goesBackInTwoPasses(slot: 0))
    }

    /// Where the rectifier's output is exactly zero and dropout kept the element, the gradient is
    /// the rectifier's slope times dropout's scale, not zero. The chained forward pass marks the
    /// mask blocks where that happened, and the fused backward pass draws only their masks again
    /// (elsewhere it reads the mask off the output): the same bits as the layers one by one.
    @Test func keptZerosGetTheGradientOfAKeptElement() throws {
        let model = try Sequential("zeros", inputShape: [3000], random: RandomGenerator(seed: 8),
                                   layers: [LeakyReLU(alpha: 0.2), Dropout(0.5)])
        let block = DropoutMask.block
        var scalars = RandomGenerator(seed: 9).uniformTensor(shape: [4, 3000], low: -1, high: 1).scalars
        let zeros = Array(0..<40) + Array((5 * block + 100)..<(5 * block + 140))
        for i in zeros { scalars[i] = 0 }
        let input = Tensor(shape: [4, 3000], scalars: scalars)
        let chain = ElementwiseChain.starting(at: 0, in: model.layers)!
        _ = model.forward(input, training: true, slot: 0)
        let marked = chain.dropout!.rememberedKeptZeros(0)!
        #expect(marked.count == 12)
        #expect((0..<marked.count).filter { marked[$0] } == [0, 5])

        let gradient = RandomGenerator(seed: 10).uniformTensor(shape: [4, 3000], low: 0.5, high: 1)
        let fused = chain.backwardThroughRectifierAndDropout(gradient, slot: 0)!
        let dropped = chain.dropout!.backward(gradient, slot: 0, needsInputGradient: true, accumulateParameterGradients: false)!
        let layers = chain.rectifier.backward(dropped, slot: 0, needsInputGradient: true, accumulateParameterGradients: false)!
        #expect(fused.scalars.map(\.bitPattern) == layers.scalars.map(\.bitPattern))
        let keptZeros = zeros.filter { dropped.scalars[$0] != 0 }
        #expect(keptZeros.count > 10)
        #expect(keptZeros.allSatisfy { fused.scalars[$0] == gradient.scalars[$0] * 2 * 0.2 })
    }

    @Test func chainsAreFoundWhereTheLayersFollowEachOther() {
        let layers: [any Layer] = [
            Dense(4), BatchNormalization(), LeakyReLU(), Dropout(0.1),  // 1...3
            Dense(4), LeakyReLU(), Dropout(0.2),  // 5...6
            BatchNormalization(), Tanh(),  // not a rectifier
            BatchNormalization(), ReLU(), Dense(4),  // 9...10
            LeakyReLU(), Dense(1),  // a rectifier alone is no chain
        ]
        let chains = ElementwiseChain.all(in: layers)
        #expect(chains.keys.sorted() == [1, 5, 9])
        #expect(chains.sorted { $0.key < $1.key }.map(\.value.length) == [3, 2, 2])
    }

    /// Dropout chained behind a rectifier drops about its rate, scales what it keeps, and the
    /// gradient is the rectifier's slope times that scale where an element was kept, zero where
    /// it was dropped.
    @Test func chainedDropoutDropsAtItsRateAndScalesTheGradient() throws {
        let model = try Sequential("drop", inputShape: [4096], random: RandomGenerator(seed: 5),
                                   layers: [LeakyReLU(alpha: 0.2), Dropout(0.3)])
        let input = RandomGenerator(seed: 6).uniformTensor(shape: [8, 4096], low: -1, high: 1)
        let output = model.forward(input, training: true, slot: 0)
        let kept: Float = 1 / (1 - 0.3)
        let dropped = output.scalars.indices.filter { output.scalars[$0] == 0 }
        #expect(abs(Double(dropped.count) / Double(output.count) - 0.3) < 0.01)
        let gradient = model.backward(Tensor(shape: output.shape, repeating: 1), slot: 0, needsInputGradient: true)!
        var mismatches = 0
        for i in 0..<input.count {
            let x = input.scalars[i], isDropped = output.scalars[i] == 0
            let expectedOutput: Float = isDropped ? 0 : (x < 0 ? x * 0.2 : x) * kept
            let expectedGradient: Float = isDropped ? 0 : (x > 0 ? kept : kept * 0.2)
            if output.scalars[i] != expectedOutput || gradient.scalars[i] != expectedGradient { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
