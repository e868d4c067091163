/// Batch normalisation, a rectifier (ReLU or LeakyReLU) and dropout that follow each other in a
/// model, run as one pass over the data instead of one pass per layer. Either end may be missing,
/// the rectifier may not: `BatchNormalization → LeakyReLU`, `LeakyReLU → Dropout`, or all three.
///
/// Between the products of a GAN's models these layers read and write whole batches of
/// activations, several times each, and at 64 × 64 those no longer fit in cache. The chain reads
/// the input once after the statistics and writes only the output; the backward pass through
/// dropout and the rectifier reads the gradient and the output once and writes one gradient, and
/// without dropout the rectifier goes back inside the normalisation's own two passes (with
/// dropout too, from its kept-element bits, where those passes run on `ChannelLoops.wide`).
///
/// Every value is computed by the same operations as the layers one by one, so the bits are the
/// same, and every layer remembers what its own `backward` needs: a model can run a chain forward
/// and its layers backward one by one, or the other way round. The one difference is what the
/// rectifier remembers when dropout follows: the output after dropout instead of before. Its
/// derivative comes from the sign of that output, which dropout keeps (it scales by a positive
/// number) or zeroes where the incoming gradient is zero anyway, so its `backward` gives the same
/// bits either way.
struct ElementwiseChain {
    let normalization: BatchNormalization?
    let rectifier: ActivationLayer
    let dropout: Dropout?

    /// The number of layers the chain runs.
    var length: Int { 1 + (normalization == nil ? 0 : 1) + (dropout == nil ? 0 : 1) }

    /// The chain of two or three layers that starts at `index`, if there is one.
    static func starting(at index: Int, in layers: [any Layer]) -> ElementwiseChain? {
        var position = index
        let normalization = layers[position] as? BatchNormalization
        if normalization != nil { position += 1 }
        guard position < layers.count, let rectifier = layers[position] as? ActivationLayer,
              rectifier.activation.isRectifier else { return nil }
        position += 1
        let dropout = position < layers.count ? layers[position] as? Dropout : nil
        guard normalization != nil || dropout != nil else { return nil }
        return ElementwiseChain(normalization: normalization, rectifier: rectifier, dropout: dropout)
    }

    /// The chains of a layer list, by the index of their first layer; chains do not overlap.
    static func all(in layers: [any Layer]) -> [Int: ElementwiseChain] {
        var chains: [Int: ElementwiseChain] = [:]
        var index = 0
        while index < layers.count {
            if let chain = starting(at: index, in: layers) {
                chains[index] = chain
                index += chain.length
            } else {
                index += 1
            }
        }
        return chains
    }

    /// The layers' `forward` calls in one pass: the same output, and the same memories for
    /// `backward`, as calling them one after the other.
    func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        let step = normalization?.normalizationStep(for: input, training: training)
        let mask = dropout?.drawMask(training: training, slot: slot)
        let activation = rectifier.activation
        let keptZeros = mask.map { _ in KeptZeroBlocks(elements: input.count) }
        let keptElements = step == nil || !ChannelLoops.wide ? nil : mask.map { KeptElements(elements: input.count, kept: $0.kept) }
        let output = Tensor(shape: input.shape) { z in
            input.withUnsafeBufferPointer { x in
                Self.run(x.baseAddress!, count: x.count, step: step, activation: activation, mask: mask, keptZeros: keptZeros,
                         keptElements: keptElements, into: z.baseAddress!)
            }
        }
        if let keptZeros { dropout?.remember(keptZeros: keptZeros, slot: slot) }
        if let keptElements { dropout?.remember(keptElements: keptElements, slot: slot) }
        if let step { normalization?.remember(input: input, of: step, slot: slot) }
        rectifier.remember(output: output, slot: slot)
        return output
    }

    /// The gradient at the rectifier's input from the gradient at the dropout's output, through
    /// the call in `slot`, in one pass: the same bits as the two layers' `backward`. Nil when the
    /// chain has no dropout or the call dropped nothing (the layers then run one by one).
    ///
    /// Where the chained forward call noted no kept zero in a mask block, an element was dropped
    /// exactly where the remembered output is zero, so the block's mask is read off the output
    /// instead of drawn again; the other blocks (and calls that were not chained) draw it again.
    /// Either way the masked gradient is the same, so the bits are.
    func backwardThroughRectifierAndDropout(_ outputGradient: Tensor, slot: Int) -> Tensor? {
        guard let pieces = backwardPieces(slot: slot) else { return nil }
        return Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dz in
                pieces.output.withUnsafeBufferPointer { z in
                    let (gradient, out, result) = (dz.baseAddress!, z.baseAddress!, dx.baseAddress!)
                    pieces.mask.forEachBlock(count: dx.count, drawing: { pieces.keptZeros?[$0] ?? true }) { range, draws in
                        Self.backwardBlock(count: range.count, gradient: gradient + range.lowerBound, output: out + range.lowerBound,
                                           draws: draws, mask: pieces.mask, activation: pieces.activation,
                                           into: result + range.lowerBound)
                    }
                }
            }
        }
    }

    /// What the backward pass through dropout and the rectifier reads of the call in `slot`: nil
    /// when the chain has no dropout or the call dropped nothing.
    struct BackwardPieces {
        let mask: DropoutMask
        let keptZeros: KeptZeroBlocks?
        let output: Tensor
        let activation: Activation
    }

    /// `BackwardPieces` of the call in `slot`, for `backwardThroughRectifierAndDropout` whole or in
    /// pieces (`backward(_:gradient:elements:count:into:)`).
    func backwardPieces(slot: Int) -> BackwardPieces? {
        guard let dropout, let mask = dropout.rememberedMask(slot) else { return nil }
        return BackwardPieces(mask: mask, keptZeros: dropout.rememberedKeptZeros(slot), output: rectifier.rememberedOutput(slot),
                              activation: rectifier.activation)
    }

    /// `backwardThroughRectifierAndDropout` for elements `elements` only (whole mask blocks, the
    /// last one possibly short, of `count`), on the calling thread: `gradient` is the whole
    /// gradient at the dropout's output and `dx` holds the piece (dx[0] is element
    /// `elements.lowerBound`). The same bits as the whole call.
    func backward(_ pieces: BackwardPieces, gradient: UnsafePointer<Float>, elements: Range<Int>, count: Int,
                  into dx: UnsafeMutablePointer<Float>) {
        let block = DropoutMask.block
        precondition(elements.lowerBound % block == 0 && (elements.upperBound % block == 0 || elements.upperBound == count))
        pieces.output.withUnsafeBufferPointer { z in
            let out = z.baseAddress!
            pieces.mask.forEachBlock((elements.lowerBound / block)..<DropoutMask.blocks(count: elements.upperBound), count: count,
                                     drawing: { pieces.keptZeros?[$0] ?? true }) { range, draws in
                Self.backwardBlock(count: range.count, gradient: gradient + range.lowerBound, output: out + range.lowerBound,
                                   draws: draws, mask: pieces.mask, activation: pieces.activation,
                                   into: dx + (range.lowerBound - elements.lowerBound))
            }
        }
    }

    /// One mask block of the backward pass through dropout and the rectifier: its `draws`, or
    /// nil where the block kept no zero and the mask is read off the remembered output.
    @inline(__always) private static func backwardBlock(
        count: Int, gradient g: UnsafePointer<Float>, output y: UnsafePointer<Float>, draws: UnsafePointer<UInt16>?,
        mask: DropoutMask, activation: Activation, into d: UnsafeMutablePointer<Float>
    ) {
        @inline(__always) func masked(_ i: Int) -> FloatVector {
            guard let draws else {
                return (g.vector(at: i) * mask.kept).replacing(with: 0, where: y.vector(at: i) .== 0)
            }
            return mask.masked(g.vector(at: i), draws: draws + i)
        }
        var i = 0
        while i + FloatVector.scalarCount <= count {
            d.setVector(activation.rectifierGradient(masked(i), output: y.vector(at: i)), at: i)
            i += FloatVector.scalarCount
        }
        if i < count {
            var (rest, outputs) = (FloatVector(), FloatVector())
            for j in i..<count {
                if let draws {
                    rest[j - i] = mask.masked(g[j], draw: draws[j])
                } else {
                    rest[j - i] = y[j] == 0 ? 0 : g[j] * mask.kept
                }
                outputs[j - i] = y[j]
            }
            let tail = activation.rectifierGradient(rest, output: outputs)
            for j in i..<count { d[j] = tail[j - i] }
        }
    }

    /// The gradient at the normalisation's input from the gradient at the rectifier's output,
    /// through the call in `slot`, in the normalisation's two passes over the data instead of
    /// three (`BatchNormalization.backward(…throughRectifier:)`): the same bits as the two
    /// layers' `backward`. Nil when the chain has no normalisation or has dropout (its layers
    /// then run as `backwardThroughRectifierAndDropout` and the normalisation's `backward`).
    func backwardThroughNormalizationAndRectifier(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard let normalization, dropout == nil else { return nil }
        return normalization.backward(outputGradient, slot: slot, needsInputGradient: needsInputGradient,
                                      accumulateParameterGradients: accumulateParameterGradients,
                                      throughRectifier: rectifier.activation)
    }

    /// Whether the call in `slot` can go back through all three layers inside the
    /// normalisation's two passes (`backwardThroughAllThree`): a chain of all three whose forward
    /// call was chained and noted the elements its dropout kept.
    func goesBackInTwoPasses(slot: Int) -> Bool {
        normalization != nil && dropout?.rememberedKeptElements(slot) != nil
    }

    /// The gradient at the normalisation's input from the gradient at the dropout's output,
    /// through the call in `slot`, in the normalisation's two passes: dropout's mask comes from
    /// the bits the chained forward call noted (`KeptElements`), the rectifier's derivative from
    /// the normalisation's output, which those passes compute again from its input. The same bits
    /// as the three layers' `backward`. Only where `goesBackInTwoPasses(slot:)`.
    func backwardThroughAllThree(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard let normalization, let kept = dropout?.rememberedKeptElements(slot) else {
            preconditionFailure("the call in slot \(slot) did not note its dropout's kept elements")
        }
        return normalization.backward(outputGradient, slot: slot, needsInputGradient: needsInputGradient,
                                      accumulateParameterGradients: accumulateParameterGradients,
                                      throughRectifier: rectifier.activation, keptBy: kept)
    }

    /// A forward call whose input comes in pieces that are never stored whole (a one-channel
    /// convolution's output, `Conv2D.forward(_:through:training:slot:)`): the mask drawn as
    /// `forward` draws it, and the kept-zero blocks found so far. Only chains without
    /// normalisation, whose statistics would need the whole input first.
    struct ForwardPieces {
        let mask: DropoutMask?
        let keptZeros: KeptZeroBlocks?
        let activation: Activation
    }

    /// Starts a call in pieces over `count` elements: what `forward` draws first.
    func beginPieces(count: Int, training: Bool, slot: Int) -> ForwardPieces {
        precondition(normalization == nil, "a chain with normalisation needs its whole input")
        let mask = dropout?.drawMask(training: training, slot: slot)
        return ForwardPieces(mask: mask, keptZeros: mask.map { _ in KeptZeroBlocks(elements: count) }, activation: rectifier.activation)
    }

    /// The chain's output for elements `elements` (whole mask blocks, the last one possibly short,
    /// of `count`) from `x` (x[0] is element `elements.lowerBound`) into `z`, the whole output,
    /// on the calling thread: the same bits as `forward`.
    func run(_ pieces: ForwardPieces, _ x: UnsafePointer<Float>, elements: Range<Int>, count: Int, into z: UnsafeMutablePointer<Float>) {
        guard let mask = pieces.mask else {
            _ = Self.runPiece(x, count: elements.count, channel: 0, nil, pieces.activation, nil, nil, z + elements.lowerBound)
            return
        }
        let block = DropoutMask.block
        precondition(elements.lowerBound % block == 0 && (elements.upperBound % block == 0 || elements.upperBound == count))
        mask.forEachBlock((elements.lowerBound / block)..<DropoutMask.blocks(count: elements.upperBound), count: count,
                          drawing: { _ in true }) { range, draws in
            if Self.runPiece(x + (range.lowerBound - elements.lowerBound), count: range.count, channel: 0, nil, pieces.activation,
                             mask, draws, z + range.lowerBound) {
                pieces.keptZeros?.mark(range.lowerBound / block)
            }
        }
    }

    /// Ends a call in pieces: the layers remember what `forward` would have them remember.
    func endPieces(_ pieces: ForwardPieces, output: Tensor, slot: Int) {
        if let keptZeros = pieces.keptZeros { dropout?.remember(keptZeros: keptZeros, slot: slot) }
        rectifier.remember(output: output, slot: slot)
    }

    /// Writes the chain's output for `count` elements of `x` into `z`, spread over the
    /// `WorkerPool`: by mask blocks when there is a mask, by ranges of elements otherwise.
    /// With a mask, marks in `keptZeros` the blocks where a kept element came out zero, and in
    /// `keptElements` the elements kept.
    private static func run(
        _ x: UnsafePointer<Float>, count: Int, step: NormalizationStep?, activation: Activation, mask: DropoutMask?,
        keptZeros: KeptZeroBlocks?, keptElements: KeptElements? = nil, into z: UnsafeMutablePointer<Float>
    ) {
        let constants = step.map(ChannelConstants.init)
        defer { constants?.deallocate() }
        if let mask {
            mask.forEachBlock(count: count) { range, draws in
                if runRange(x, range, constants, activation, mask, draws, z) {
                    keptZeros?.mark(range.lowerBound / DropoutMask.block)
                }
                keptElements?.mark(range, draws: draws, threshold: mask.threshold)
            }
        } else {
            ParallelSplit.forEachRange(count: count) { range in
                _ = runRange(x, range, constants, activation, nil, nil, z)
            }
        }
    }

    /// One range of elements: row by row through the channel constants when there are some, so
    /// that each piece of a row meets the constants of its channels. Whether the mask kept an
    /// element that came out zero.
    @inline(__always) private static func runRange(
        _ x: UnsafePointer<Float>, _ range: Range<Int>, _ constants: ChannelConstants?, _ activation: Activation,
        _ mask: DropoutMask?, _ draws: UnsafePointer<UInt16>?, _ z: UnsafeMutablePointer<Float>
    ) -> Bool {
        guard let constants else {
            return runPiece(x + range.lowerBound, count: range.count, channel: 0, nil, activation, mask, draws, z + range.lowerBound)
        }
        var start = range.lowerBound, keptZero = false
        while start < range.upperBound {
            let channel = start % constants.channels
            let length = min(constants.channels - channel, range.upperBound - start)
            keptZero = runPiece(x + start, count: length, channel: channel, constants, activation, mask,
                                draws.map { $0 + (start - range.lowerBound) }, z + start) || keptZero
            start += length
        }
        return keptZero
    }

    /// `count` contiguous elements whose first one is in `channel`, eight at a time; whether the
    /// mask kept an element that came out zero.
    @inline(__always) private static func runPiece(
        _ x: UnsafePointer<Float>, count: Int, channel: Int, _ constants: ChannelConstants?, _ activation: Activation,
        _ mask: DropoutMask?, _ draws: UnsafePointer<UInt16>?, _ z: UnsafeMutablePointer<Float>
    ) -> Bool {
        var keptZeros = SIMDMask<FloatVector.MaskStorage>()
        @inline(__always) func eight(_ value: FloatVector, at i: Int) -> FloatVector {
            var y = value
            if let constants {
                let c = channel + i
                let xhat = y * constants.scale.vector(at: c) + constants.shift.vector(at: c)
                y = xhat * constants.gamma.vector(at: c) + constants.beta.vector(at: c)
            }
            y = activation.rectified(y)
            if let mask, let draws { y = mask.masked(y, draws: draws + i, keptZeros: &keptZeros) }
            return y
        }
        var i = 0
        while i + FloatVector.scalarCount <= count {
            z.setVector(eight(x.vector(at: i), at: i), at: i)
            i += FloatVector.scalarCount
        }
        var keptZero = any(keptZeros)
        guard i < count else { return keptZero }
        // The last few elements, one at a time through the same arithmetic.
        for j in i..<count {
            var y = x[j]
            if let constants {
                let c = channel + j
                let xhat = y * constants.scale[c] + constants.shift[c]
                y = xhat * constants.gamma[c] + constants.beta[c]
            }
            y = activation.rectified(FloatVector(repeating: y))[0]
            if let mask, let draws {
                y = mask.masked(y, draw: draws[j])
                keptZero = keptZero || (y == 0 && draws[j] >= mask.threshold)
            }
            z[j] = y
        }
        return keptZero
    }
}

/// A normalisation step's four per-channel arrays, copied to memory that stays put while threads
/// read it.
private struct ChannelConstants {
    let channels: Int
    let scale, shift, gamma, beta: UnsafeMutablePointer<Float>

    init(_ step: NormalizationStep) {
        channels = step.channels
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: 4 * channels)
        for (k, values) in [step.scale, step.shift, step.gamma, step.beta].enumerated() {
            (storage + k * channels).initialize(from: values, count: channels)
        }
        (scale, shift, gamma, beta) = (storage, storage + channels, storage + 2 * channels, storage + 3 * channels)
    }

    func deallocate() { scale.deallocate() }
}
