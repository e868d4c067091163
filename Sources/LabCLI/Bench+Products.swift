import NeuralNet

extension LabCommand.Bench {
    /// Most product shapes `printProductTimes` lists; the rest go in one line.
    static let listedProductShapes = 12

    /// Prints what `ProductTimes` recorded over `steps` training steps: every product as one
    /// thread ran it, by kernel and shape, the shapes that took the most time first, with each
    /// shape's rate on its thread (compare it with the multiply-add peak per thread, the peak the
    /// floor line gives divided by the threads).
    func printProductTimes(_ label: String, _ recorded: [(shape: ProductTimes.Shape, totals: ProductTimes.Totals)], steps: Int) {
        let perStep = 1 / Double(max(steps, 1))
        var all = ProductTimes.Totals()
        for (_, totals) in recorded {
            all.calls += totals.calls
            all.seconds += totals.seconds
            all.flops += totals.flops
        }
        print("\(label) products in the step, each as one thread ran it (\(steps) steps): \(fixed(Double(all.calls) * perStep, 1)) a step, "
            + "\(fixed(all.seconds * 1000 * perStep, 2)) thread-ms a step at \(fixed(all.gflopsPerThread, 1)) GFLOPS a thread")
        print("  kernel      m × n × k               a step  thread-ms a step  GFLOPS a thread")
        for (shape, totals) in recorded.prefix(Self.listedProductShapes) {
            let size = "\(shape.m) × \(shape.n) × \(shape.k)"
            print("  \(shape.kernel.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  "
                + "\(size.padding(toLength: 22, withPad: " ", startingAt: 0))  \(padded(fixed(Double(totals.calls) * perStep, 1), 6))  "
                + "\(padded(fixed(totals.seconds * 1000 * perStep, 2), 16))  \(padded(fixed(totals.gflopsPerThread, 1), 15))")
        }
        let rest = recorded.dropFirst(Self.listedProductShapes)
        if !rest.isEmpty {
            let seconds = rest.reduce(0) { $0 + $1.totals.seconds }
            print("  and \(rest.count) more shapes: \(fixed(seconds * 1000 * perStep, 2)) thread-ms a step")
        }
    }
}
