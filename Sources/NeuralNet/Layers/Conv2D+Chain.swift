/// A convolution from one image channel followed by a rectifier and dropout (`ElementwiseChain`
/// without normalisation), run a few batch items at a time: the 004 discriminator's first layer,
/// 64×64 grayscale images to 32×32×64 at batch 128, whose output and its gradient are 33.5 MB
/// each. Run layer after layer, the convolution wrote its whole output and the chain read it
/// back; the backward pass through the chain wrote the whole gradient and the convolution read
/// it back. Here each part of the batch (one per pool thread) takes two items at a time: the
/// convolution's output goes through the chain while it is in cache, and the chain's gradient
/// straight into the convolution's kernel and image gradients. The convolution's output is not
/// kept (a linear activation never reads it). The same bits as the layers one by one: the same
/// operations on every element, the dropout mask drawn per block as before, the kernel gradient
/// summed in the same order.
extension Conv2D {
    /// Batch items each part of the batch takes at a time.
    static let itemsPerPiece = 2

    /// Whether `forward(_:through:training:slot:)` runs this layer and `chain`: one image
    /// channel on the direct one-channel products, a linear activation, a chain without
    /// normalisation, and items of whole dropout mask blocks.
    func fuses(_ chain: ElementwiseChain) -> Bool {
        guard let engine, engine.algorithm == .singleChannel, activation == .linear, chain.normalization == nil else { return false }
        let itemFloats = engine.geometry.gridHeight * engine.geometry.gridWidth * engine.gridChannels
        return itemFloats % DropoutMask.block == 0
    }

    /// This layer's `forward`, then `chain`'s, in pieces of `itemsPerPiece` items: the chain's
    /// output, with every layer remembering what its `backward` needs (this one its input only).
    func forward(_ input: Tensor, through chain: ElementwiseChain, training: Bool, slot: Int) -> Tensor {
        guard let kernel, let engine else { preconditionFailure("\(name): forward before build") }
        precondition(fuses(chain), "\(name) does not run with this chain")
        if let old = memory[slot] {
            memory[slot] = nil
            engine.recycle(old.input)
        }
        let prepared = engine.prepare(image: input)
        let g = engine.geometry, batch = input.batchSize
        let itemFloats = g.gridHeight * g.gridWidth * engine.gridChannels, count = batch * itemFloats
        let pieces = chain.beginPieces(count: count, training: training, slot: slot)
        let output = Tensor(shape: [batch, g.gridHeight, g.gridWidth, engine.gridChannels]) { z in
            input.withUnsafeBufferPointer { x in
                kernel.value.withUnsafeBufferPointer { w in
                    withOptionalPointer(bias?.value) { b in
                        engine.singleChannel.gridInPieces(from: x.baseAddress!, batch: batch, kernel: w.baseAddress!, bias: b,
                                                          itemsPerPiece: Self.itemsPerPiece) { items, grid in
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
        fuses(chain) && bias == nil && memory[slot] != nil && chain.backwardPieces(slot: slot) != nil
    }

    /// `chain`'s backward pass through dropout and the rectifier, then this layer's, in pieces:
    /// the gradient at this layer's input when `needsInputGradient`.
    func backward(through chain: ElementwiseChain, _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool,
                  accumulateParameterGradients: Bool) -> Tensor? {
        guard let kernel, let engine, let saved = memory[slot], let pieces = chain.backwardPieces(slot: slot) else {
            preconditionFailure("\(name): backward before forward")
        }
        precondition(fusesBackward(chain, slot: slot), "\(name) does not run back with this chain")
        let g = engine.geometry, batch = saved.input.batch
        let itemFloats = g.gridHeight * g.gridWidth * engine.gridChannels, count = batch * itemFloats
        let inputShape = [batch, g.imageHeight, g.imageWidth, 1]
        var inputGradient = needsInputGradient ? Tensor(shape: inputShape) : nil
        func run(image: UnsafePointer<Float>, into imageGradient: UnsafeMutablePointer<Float>?) {
            outputGradient.withUnsafeBufferPointer { dz in
                kernel.value.withUnsafeBufferPointer { w in
                    func products(_ dw: UnsafeMutablePointer<Float>?, overwrite: Bool) {
                        engine.singleChannel.backwardInPieces(
                            image: image, batch: batch, kernel: w.baseAddress!, kernelGradient: dw, overwrite: overwrite,
                            imageGradient: imageGradient, itemsPerPiece: Self.itemsPerPiece
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
        engine.withImageValues(saved.input) { image in
            if inputGradient != nil {
                inputGradient!.withUnsafeMutableBufferPointer { dx in run(image: image, into: dx.baseAddress!) }
            } else {
                run(image: image, into: nil)
            }
        }
        return inputGradient
    }
}

/// Runs `body` with the tensor's values, or nil without one.
private func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
}
