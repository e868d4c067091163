/// Keras `UpSampling2D` with nearest-neighbour interpolation: each pixel becomes a size × size block.
public final class UpSampling2D: Layer {
    public let size: (y: Int, x: Int)
    public var name: String
    public let typeName = "UpSampling2D"
    private var inputShapes = SlotStore<[Int]>()

    /// Upsampling by `size` in both directions.
    public init(size: Int = 2, name: String = "") {
        self.size = (size, size)
        self.name = name
    }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard size.y > 0, size.x > 0 else { throw NeuralNetError("UpSampling2D expects a positive size, got \(size.y)") }
        guard inputShape.count == 3 else {
            throw NeuralNetError("\(name) (UpSampling2D) takes images (height, width, channels), got \(kerasShape(inputShape))")
        }
        let (height, tall) = inputShape[0].multipliedReportingOverflow(by: size.y)
        let (width, wide) = inputShape[1].multipliedReportingOverflow(by: size.x)
        guard !tall, !wide else { throw NeuralNetError("\(name) (UpSampling2D): size \(size.y) makes images too large to count") }
        return [height, width, inputShape[2]]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        inputShapes[slot] = input.shape
        let (batch, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        return Tensor(shape: [batch, height * size.y, width * size.x, channels]) { y in
            input.withUnsafeBufferPointer { x in
                for n in 0..<batch {
                    for row in 0..<(height * size.y) {
                        for column in 0..<(width * size.x) {
                            let source = x.baseAddress! + ((n * height + row / size.y) * width + column / size.x) * channels
                            (y.baseAddress! + ((n * height * size.y + row) * width * size.x + column) * channels)
                                .update(from: source, count: channels)
                        }
                    }
                }
            }
        }
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient, let shape = inputShapes[slot] else { return nil }
        let (batch, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        return Tensor(shape: shape) { dx in
            dx.update(repeating: 0)
            outputGradient.withUnsafeBufferPointer { dy in
                for n in 0..<batch {
                    for row in 0..<(height * size.y) {
                        for column in 0..<(width * size.x) {
                            VectorMath.add(
                                dy.baseAddress! + ((n * height * size.y + row) * width * size.x + column) * channels,
                                into: dx.baseAddress! + ((n * height + row / size.y) * width + column / size.x) * channels,
                                count: channels)
                        }
                    }
                }
            }
        }
    }
}

/// Keras `MaxPooling2D`: the largest value of each pool × pool window, windows `strides` apart
/// (`strides` defaults to the pool size); `same` pads with −∞ so every input pixel is covered.
public final class MaxPooling2D: Layer {
    public let poolSize: Int
    public let strides: Int
    public let padding: Padding
    public var name: String
    public let typeName = "MaxPooling2D"
    private var geometry: ConvolutionGeometry?
    /// Per slot: the input shape and, for each output element, the flat input index of its maximum.
    private var winners = SlotStore<([Int], [Int32])>()

    public func releaseWorkingMemory() { winners = SlotStore() }

    /// Max pooling over `poolSize` × `poolSize` windows.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, name: String = "") {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.name = name
    }

    public func build(inputShape: [Int], random: RandomGenerator) throws -> [Int] {
        guard poolSize > 0, strides > 0 else {
            throw NeuralNetError("MaxPooling2D expects a positive pool size and strides, got \(poolSize) and \(strides)")
        }
        guard inputShape.count == 3 else {
            throw NeuralNetError("\(name) (MaxPooling2D) takes images (height, width, channels), got \(kerasShape(inputShape))")
        }
        if padding == .valid, inputShape[0] < poolSize || inputShape[1] < poolSize {
            throw NeuralNetError("\(name) (MaxPooling2D): a \(poolSize)×\(poolSize) pool with 'valid' padding does not fit input \(kerasShape(inputShape))")
        }
        let rows = ConvolutionGeometry.convolutionOutput(input: inputShape[0], kernel: poolSize, stride: strides, same: padding == .same)
        let columns = ConvolutionGeometry.convolutionOutput(input: inputShape[1], kernel: poolSize, stride: strides, same: padding == .same)
        geometry = ConvolutionGeometry(
            imageHeight: inputShape[0], imageWidth: inputShape[1], channels: inputShape[2],
            gridHeight: rows.size, gridWidth: columns.size, kernelHeight: poolSize, kernelWidth: poolSize,
            strideY: strides, strideX: strides, padTop: rows.padBefore, padLeft: columns.padBefore)
        return [rows.size, columns.size, inputShape[2]]
    }

    public func forward(_ input: Tensor, training: Bool, slot: Int) -> Tensor {
        guard let g = geometry else { preconditionFailure("\(name): forward before build") }
        let batch = input.batchSize, channels = g.channels
        let (pool, stride) = (poolSize, strides)
        var argmax = [Int32](repeating: -1, count: batch * g.gridHeight * g.gridWidth * channels)
        // Window by window, all channels of a pixel at once (they are adjacent in NHWC); taps in
        // the same order as before, so the first of equal values wins as it did. Output rows
        // (one image row of windows) are split over the worker pool.
        let output = Tensor(shape: [batch, g.gridHeight, g.gridWidth, channels]) { y in
            input.withUnsafeBufferPointer { xb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    let (x, a, out) = (xb.baseAddress!, ab.baseAddress!, y.baseAddress!)
                    ParallelSplit.forEachRowRange(rows: batch * g.gridHeight, width: g.gridWidth * channels * pool * pool) { rows in
                        for outputRow in rows {
                            let (n, i) = (outputRow / g.gridHeight, outputRow % g.gridHeight)
                            for j in 0..<g.gridWidth {
                                let o = ((n * g.gridHeight + i) * g.gridWidth + j) * channels
                                for c in 0..<channels { out[o + c] = -.infinity }
                                for ky in 0..<pool {
                                    let row = i * stride - g.padTop + ky
                                    guard row >= 0 && row < g.imageHeight else { continue }
                                    for kx in 0..<pool {
                                        let column = j * stride - g.padLeft + kx
                                        guard column >= 0 && column < g.imageWidth else { continue }
                                        let base = ((n * g.imageHeight + row) * g.imageWidth + column) * channels
                                        for c in 0..<channels {
                                            let value = x[base + c]
                                            if value > out[o + c] || a[o + c] < 0 {
                                                out[o + c] = value
                                                a[o + c] = Int32(base + c)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        winners[slot] = (input.shape, argmax)
        return output
    }

    public func backward(
        _ outputGradient: Tensor, slot: Int, needsInputGradient: Bool, accumulateParameterGradients: Bool
    ) -> Tensor? {
        guard needsInputGradient, let (shape, argmax) = winners[slot] else { return nil }
        return Tensor(shape: shape) { dx in
            dx.update(repeating: 0)
            outputGradient.withUnsafeBufferPointer { dy in
                for (o, index) in argmax.enumerated() { dx[Int(index)] += dy[o] }
            }
        }
    }
}
