@testable import NeuralNet
import Testing

/// A one-channel convolution and the rectifier and dropout after it run a few items at a time
/// (`Conv2D.forward(_:through:training:slot:)` and its `backward`): the same output, input
/// gradient and weight gradients, bit for bit, as the layers called one by one, whichever way
/// each direction runs.
@Suite struct ConvolutionChainTests {
    /// A discriminator's start: 16×16 grayscale items through a 4×4 stride-2 convolution to 8×8×16
    /// (1,024 floats an item, one dropout mask block), LeakyReLU and dropout, then more layers.
    func model(channels: Int = 16, bias: Bool = false, seed: UInt64 = 5) throws -> Sequential {
        try Sequential("start", inputShape: [16, 16, 1], random: RandomGenerator(seed: seed), layers: [
            Conv2D(channels, kernelSize: 4, strides: 2, padding: .same, useBias: bias), LeakyReLU(alpha: 0.2), Dropout(0.3),
            Conv2D(8, kernelSize: 3, padding: .same), Flatten(), Dense(3),
        ])
    }

    /// With 16 channels (1,024 floats an item), five items: two parts of the batch, pieces of two
    /// items and a last one of one. With 13 (832 floats), 32 items: pieces of 16 items, mask
    /// blocks that straddle items.
    @Test(arguments: [(false, 16, 5), (true, 16, 5), (false, 13, 32)])
    func piecesGiveTheBitsOfTheLayersOneByOne(bias: Bool, channels: Int, batch: Int) throws {
        let input = RandomGenerator(seed: 9).uniformTensor(shape: [batch, 16, 16, 1], low: -1, high: 1)
        func model() throws -> Sequential { try self.model(channels: channels, bias: bias) }
        for training in [true, false] {
            for needsInputGradient in [true, false] {
                let expected = ElementwiseChainTests().pass(try model(), input, oneByOne: (true, true), training: training,
                                    needsInputGradient: needsInputGradient)
                for mix in [(false, false), (false, true), (true, false)] {
                    let fused = try model()
                    let got = ElementwiseChainTests().pass(fused, input, oneByOne: mix, training: training, needsInputGradient: needsInputGradient)
                    #expect(got.count == expected.count)
                    for (index, (a, b)) in zip(got, expected).enumerated() {
                        #expect(a.map(\.bitPattern) == b.map(\.bitPattern),
                                "bias \(bias), training \(training), input gradient \(needsInputGradient), one by one \(mix), array \(index)")
                    }
                    // The pieces really ran: the convolution kept no output of its own.
                    let convolution = fused.layers[0] as! Conv2D
                    #expect((convolution.memory[1]?.output == nil) == !mix.0)
                }
            }
        }
    }

    @Test func piecesStartOnMaskBlocks() throws {
        // (floats an item, batch) → items a piece: at least two, a multiple of what puts a piece
        // on a block boundary, and every part of the batch (two here) starting on one.
        #expect(Conv2D.itemsPerPiece(itemFloats: 1024, batch: 5) == 2)
        #expect(Conv2D.itemsPerPiece(itemFloats: 65_536, batch: 128) == 2, "the 004 discriminator")
        #expect(Conv2D.itemsPerPiece(itemFloats: 12_544, batch: 256) == 4, "the chapter DCGAN's")
        #expect(Conv2D.itemsPerPiece(itemFloats: 12_544, batch: 96) == 4, "an epoch's last batch of 96")
        #expect(Conv2D.itemsPerPiece(itemFloats: 12_544, batch: 255) == nil, "the second part starts inside a block")
        #expect(Conv2D.itemsPerPiece(itemFloats: 832, batch: 32) == 16)
        #expect(Conv2D.itemsPerPiece(itemFloats: 832, batch: 5) == nil)
        #expect(Conv2D.itemsPerPiece(itemFloats: 200_000, batch: 128) == nil, "two items would leave the cache")
    }

    @Test func onlyOneChannelAndNoNormalizationRunInPieces() throws {
        let fusing = try model()
        #expect((fusing.layers[0] as! Conv2D).fuses(ElementwiseChain.starting(at: 1, in: fusing.layers)!, batch: 5))
        let uneven = try model(channels: 13)
        #expect((uneven.layers[0] as! Conv2D).fuses(ElementwiseChain.starting(at: 1, in: uneven.layers)!, batch: 32))
        #expect(!(uneven.layers[0] as! Conv2D).fuses(ElementwiseChain.starting(at: 1, in: uneven.layers)!, batch: 5),
                "832 floats an item: the second part starts inside a block")
        // A normalisation in the chain needs the whole output first; a second convolution has 16
        // image channels.
        let normalized = try Sequential("n", inputShape: [16, 16, 1], random: RandomGenerator(seed: 1), layers: [
            Conv2D(16, kernelSize: 4, strides: 2, padding: .same), BatchNormalization(), LeakyReLU(alpha: 0.2), Dropout(0.3),
            Conv2D(16, kernelSize: 4, strides: 2, padding: .same), LeakyReLU(alpha: 0.2), Dropout(0.3),
        ])
        #expect(!(normalized.layers[0] as! Conv2D).fuses(ElementwiseChain.starting(at: 1, in: normalized.layers)!, batch: 4))
        #expect(!(normalized.layers[4] as! Conv2D).fuses(ElementwiseChain.starting(at: 5, in: normalized.layers)!, batch: 4))
    }
}
