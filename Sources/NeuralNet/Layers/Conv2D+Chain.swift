/// A convolution from one image channel followed by a rectifier and dropout (`ElementwiseChain`
/// without normalisation), run a few batch items at a time: the discriminators' first layers,
/// the 004 one's 64×64 grayscale images to 32×32×64 at batch 128, whose output and its gradient
/// are 33.5 MB each, and the chapter DCGAN's 28×28 to 14×14×64 at batch 256 (12.8 MB). Run layer
/// after layer, the convolution wrote its whole output and the chain read it back; the backward
/// pass through the chain wrote the whole gradient and the convolution read it back. Here each
/// part of the batch (one per pool thread) takes a few items at a time (`itemsPerPiece`): the
/// convolution's output goes through the chain while it is in cache, and the chain's gradient
/// straight into the convolution's kernel and image gradients. The convolution's output is not
/// kept (a linear activation never reads it). The same bits as the layers one by one: the same
/// operations on every element, the dropout mask drawn per block as before, the kernel gradient
/// summed in the same order.
extension Conv2D {
    /// Most floats of one piece's output: a piece stays in a core's second-level cache.
    static let largestPiece = 1 << 18

    /// Items a piece of the batch holds (at least two), or nil when no piece fits: every piece
    /// and every part of the batch must start on a dropout mask block, and the items of a batch
    /// part are cut into pieces of this many (the last may be shorter).
    static func itemsPerPiece(itemFloats: Int, batch: Int) -> Int? {
        guard itemFloats > 0 else { return nil }
        let block = DropoutMask.block
        var common = itemFloats, other = block
        while other != 0 { (common, other) = (other, common % other) }
        // Pieces of a multiple of `aligned` items start on mask blocks.
        let aligned = block / common, items = (max(2, aligned) + aligned - 1) / aligned * aligned
        guard items * itemFloats <= largestPiece else { return nil }
        let parts = SingleChannelConvolution.parts(batch: batch)
        return (0..<parts).allSatisfy { (($0 * batch / parts) % aligned) == 0 } ? items : nil
    }

    /// Whether `forward(_:through:training:slot:)` runs this layer and `chain` on a batch of
    /// `batch`: one image channel on the direct one-channel products, a linear activation, a
    /// chain without normalisation, and pieces that start on dropout mask blocks
    /// (`itemsPerPiece`).
    func fuses(_ chain: ElementwiseChain, batch: Int) -> Bool {
        guard let engine, engine.algorithm == .singleChannel, activation == .linear, chain.normalization == nil else { return false }
        return Self.itemsPerPiece(itemFloats: itemFloats, batch: batch) != nil
    }

    /// Floats of one item's output.
    private var itemFloats: Int {
        guard let engine else { return 0 }
        return engine.geometry.gridHeight * engine.geometry.gridWidth * engine.gridChannels
    }

    /// This layer's `forward`, then `chain`'s, in pieces of `itemsPerPiece` items: the chain's
    /// output, with every layer remembering what its `backward` needs (this one its input only).
    func forward(_ input: Tensor, through chain: ElementwiseChain, training: Bool, slot: Int) -> Tensor {
        guard let kernel, let engine else { preconditionFailure("\(name): forward before build") }
        let batch = input.batchSize
        guard fuses(chain, batch: batch), let itemsPerPiece = Self.itemsPerPiece(itemFloats: itemFloats, batch: batch) else {
            preconditionFailure("\(name) does not run with this chain")
        }
        if let old = memory[slot] {
            memory[slot] = nil
            engine.recycle(old.input)
        }
        let prepared = engine.prepare(image: input)
        let g = engine.geometry, itemFloats = itemFloats, count = batch * itemFloats
        let pieces = chain.beginPieces(count: count, training: training, slot: slot)
        let output = Tensor(shape: [batch, g.gridHeight, g.gridWidth, engine.gridChannels]) { z in
            input.withUnsafeBufferPointer { x in
                kernel.value.withUnsafeBufferPointer { w in
                    withOptionalPointer(bias?.value) { b in
                        engine.singleChannel.gridInPieces(from: x.baseAddress!, batch: batch, kernel: w.baseAddress!, bias: b,
                                                          itemsPerPiece: itemsPerPiece) { items, grid in
                            chain.run(pieces, grid, elements: (items.lowerBound * itemFloats)..<(items.upperBound * itemFloats),
                                      count: count, into: z.baseAddress!)
                        }
                    }
                }
            }
        }
        chain.endPieces(pieces, output: output, slot: slot)
        memory[slot] = Memory(input: prepared, output: nil)
        return output
    }

    /// Whether `backward(through:…)` can run the call in `slot`: it ran through `chain`'s
    /// forward in pieces or not, the layer has no bias (whose gradient would need the chain's
    /// whole gradient), and the call dropped something (else the layers go one by one).
    func fusesBackward(_ chain: ElementwiseChain, slot: Int) -> Bool {
        guard let saved = memory[slot] else { return false }
        return fuses(chain, batch: saved.input.batch) && bias == nil && chain.backwardPieces(slot: slot) != nil
    }

    /// `chain`'s backward pass through dropout and the rectifier, then this layer's, in pieces:
    /// the gradient at this layer's input when `needsInputGradient`.
    func backward(through chain: ElementwiseChain, _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool,
                  accumulateParameterGradients: Bool) -> Tensor? {
        guard let kernel, let engine, let saved = memory[slot], let pieces = chain.backwardPieces(slot: slot) else {
            preconditionFailure("\(name): backward before forward")
        }
        let batch = saved.input.batch
        guard fusesBackward(chain, slot: slot), let itemsPerPiece = Self.itemsPerPiece(itemFloats: itemFloats, batch: batch) else {
            preconditionFailure("\(name) does not run back with this chain")
        }
        let g = engine.geometry, itemFloats = itemFloats, count = batch * itemFloats
        func run(image: UnsafePointer<Float>, into imageGradient: UnsafeMutablePointer<Float>?) {
            outputGradient.withUnsafeBufferPointer { dz in
                kernel.value.withUnsafeBufferPointer { w in
                    func products(_ dw: UnsafeMutablePointer<Float>?, overwrite: Bool) {
                        engine.singleChannel.backwardInPieces(
                            image: image, batch: batch, kernel: w.baseAddress!, kernelGradient: dw, overwrite: overwrite,
                            imageGradient: imageGradient, itemsPerPiece: itemsPerPiece
                        ) { items, grid in
                            chain.backward(pieces, gradient: dz.baseAddress!,
                                           elements: (items.lowerBound * itemFloats)..<(items.upperBound * itemFloats), count: count,
                                           into: grid)
                        }
                    }
                    if accumulateParameterGradients {
                        kernel.accumulateGradient { dw, overwrite in products(dw, overwrite: overwrite) }
                    } else {
                        products(nil, overwrite: false)
                    }
                }
            }
        }
        guard needsInputGradient else {
            engine.withImageValues(saved.input) { run(image: $0, into: nil) }
            return nil
        }
        // Every pixel of every item is written by the image direction's products.
        return Tensor(shape: [batch, g.imageHeight, g.imageWidth, 1]) { dx in
            engine.withImageValues(saved.input) { run(image: $0, into: dx.baseAddress!) }
        }
    }
}

/// Runs `body` with the tensor's values, or nil without one.
private func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
}
