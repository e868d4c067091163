/// A reusable float buffer for a layer's temporary matrices (im2col patches and their gradients),
/// so a training step does not allocate — and the system does not clear — hundreds of megabytes.
struct Scratch {
    private var storage: [Float] = []

    /// Runs `body` with at least `count` floats of uninitialised-looking (stale) memory.
    mutating func with<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        if storage.count < count { storage = [Float](repeating: 0, count: count) }
        return storage.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Takes the buffer out (leaving this one empty), sized to at least `count`: for results that
    /// must outlive the call, such as patches kept for the backward pass.
    mutating func take(count: Int) -> [Float] {
        var buffer = storage
        storage = []
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
        return buffer
    }

    /// Gives a buffer back for reuse.
    mutating func giveBack(_ buffer: [Float]) {
        if buffer.count > storage.count { storage = buffer }
    }
}
