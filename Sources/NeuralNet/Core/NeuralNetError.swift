/// A mistake in how the library was asked to do something, caused by user input such as a lab
/// file: the message names the offending value. Bugs inside the library are preconditions instead.
public struct NeuralNetError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, in one sentence that names the value.
    public var message: String
    /// The position (0-based) of the layer that failed, when a model was being built.
    public var layerIndex: Int?

    /// An error with the given message.
    public init(_ message: String, layerIndex: Int? = nil) {
        self.message = message
        self.layerIndex = layerIndex
    }

    public var description: String { message }
}

/// Training stopped because a loss became NaN or infinite.
public struct DivergenceError: Error, CustomStringConvertible, Equatable {
    /// The 1-based epoch in which the loss diverged.
    public var epoch: Int
    /// The 1-based step within that epoch.
    public var step: Int
    /// Which loss diverged, e.g. `discriminator`.
    public var loss: String
    /// The value it took.
    public var value: Float

    public var description: String {
        "training diverged: the \(loss) loss became \(value) at epoch \(epoch), step \(step); "
            + "try a smaller learning rate"
    }
}

/// Formats a shape the way Keras prints it, with `None` for the batch axis: `(None, 28, 28, 1)`.
public func kerasShape(_ itemShape: [Int]) -> String {
    "(" + (["None"] + itemShape.map(String.init)).joined(separator: ", ") + ")"
}
