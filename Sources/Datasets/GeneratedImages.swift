import Dispatch

/// The built-in data sets' generation loop: `count` images made in parallel, image `i` by
/// `draw(i)`, which must depend on `i` (and fixed settings) only, so that a set is the same on
/// every machine whatever the number of cores.
enum GeneratedImages {
    /// The images one after the other (`pixelsPerImage` values each) and their labels.
    static func make(count: Int, pixelsPerImage: Int, chunk: Int,
                     _ draw: @Sendable (_ index: Int) -> (label: Int, pixels: [Float])) -> (pixels: [Float], labels: [Int]) {
        var pixels = [Float](repeating: 0, count: count * pixelsPerImage)
        var labels = [Int](repeating: 0, count: count)
        pixels.withUnsafeMutableBufferPointer { pixelBuffer in
            labels.withUnsafeMutableBufferPointer { labelBuffer in
                nonisolated(unsafe) let pixelOut = pixelBuffer
                nonisolated(unsafe) let labelOut = labelBuffer
                DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
                    for index in (part * chunk)..<min(count, (part + 1) * chunk) {
                        let (label, image) = draw(index)
                        labelOut[index] = label
                        for offset in 0..<pixelsPerImage { pixelOut[index * pixelsPerImage + offset] = image[offset] }
                    }
                }
            }
        }
        return (pixels, labels)
    }
}
