/// A dense, row-major array of `Float` with a shape.
///
/// Images use NHWC layout: `[batch, height, width, channels]`. A `Tensor` is a value: copying it
/// shares storage until one copy is mutated, so layers can hand out their buffers cheaply.
public struct Tensor: Sendable, Equatable {
    /// The size of each axis, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Float]

    /// A tensor with the given shape and elements.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative size in shape \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor whose elements are written by `initializer` before anyone can read them.
    ///
    /// Used by kernels that overwrite every element, so no time is spent zero-filling.
    init(shape: [Int], uninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            initializer(buffer)
            initialized = count
        }
    }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The number of rows when the first axis is the batch: `shape[0]`.
    public var batchSize: Int { shape.first ?? 1 }

    /// Elements per item of the batch: the product of every axis after the first.
    public var itemSize: Int { shape.dropFirst().reduce(1, *) }

    /// The same elements with a new shape of equal element count.
    public func reshaped(to newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Rows `range` of the first axis, as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= batchSize, "rows \(range) outside \(shape)")
        let item = itemSize
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, scalars: Array(scalars[(range.lowerBound * item)..<(range.upperBound * item)]))
    }

    /// Stacks tensors of equal item shape along the first axis.
    public static func concatenatingRows(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "nothing to concatenate")
        let itemShape = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == itemShape }, "item shapes differ")
        var scalars: [Float] = []
        scalars.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { scalars.append(contentsOf: part.scalars) }
        return Tensor(shape: [parts.reduce(0) { $0 + $1.batchSize }] + itemShape, scalars: scalars)
    }

    /// Read access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Write access to the elements (copies first if the storage is shared).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// The smallest and largest element, or `nil` for an empty tensor.
    public var range: (min: Float, max: Float)? {
        guard let first = scalars.first else { return nil }
        return scalars.reduce((first, first)) { (Swift.min($0.0, $1), Swift.max($0.1, $1)) }
    }

    /// The mean of all elements.
    public var mean: Float {
        scalars.isEmpty ? 0 : Float(scalars.reduce(0.0) { $0 + Double($1) } / Double(scalars.count))
    }

    /// True when every element is finite (no NaN or infinity).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }

    /// True when shapes agree and every element is within `tolerance` of the other's,
    /// measured relative to the larger magnitude once that exceeds 1.
    public func isClose(to other: Tensor, tolerance: Float = 1e-5) -> Bool {
        shape == other.shape && zip(scalars, other.scalars).allSatisfy { a, b in
            abs(a - b) <= tolerance * Swift.max(1, abs(a), abs(b))
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// A short description: the shape and up to eight leading elements.
    public var description: String {
        let head = scalars.prefix(8).map { String(format4: $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(scalars.count > 8 ? ", …" : "")])"
    }
}

extension String {
    /// `value` with four decimals, without Foundation.
    init(format4 value: Float) {
        guard value.isFinite else { self = "\(value)"; return }
        let scaled = (Double(value) * 10_000).rounded()
        let sign = scaled < 0 ? "-" : ""
        let magnitude = Int(abs(scaled))
        let fraction = String(magnitude % 10_000)
        self = "\(sign)\(magnitude / 10_000).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
    }
}
