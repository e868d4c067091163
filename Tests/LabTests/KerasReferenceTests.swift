@testable import Lab
import Testing

/// `lab bench --keras` reads the Keras script's result line for the benchmark's model kind and
/// nothing else (TensorFlow's own log lines, another kind's line, a broken number).
@Suite struct KerasReferenceTests {
    @Test func readsTheResultLineOfItsKind() {
        let output = """
            I0000 00:00:1796354723.720943    5202 port.cc:153] oneDNN custom operations are on.
            G params 2330944 D params 212865
            dcgan: 292.7 ms/step, 68.5 s/epoch (234 steps)
            """
        #expect(KerasReference.millisecondsPerStep(in: output, kind: "dcgan") == 292.7)
        #expect(KerasReference.millisecondsPerStep(in: output, kind: "dcgan64") == nil, "dcgan's line is not dcgan64's")
        #expect(KerasReference.millisecondsPerStep(in: "dense: nan ms/step", kind: "dense") == nil)
        #expect(KerasReference.millisecondsPerStep(in: "dense: 26.5 s/epoch", kind: "dense") == nil)
        #expect(KerasReference.millisecondsPerStep(in: "dense: 26.5 ms/step, 6.2 s/epoch (234 steps)", kind: "dense") == 26.5)
        #expect(KerasReference.kind(of: "dcgan64-step") == "dcgan64")
        #expect(KerasReference.kind(of: "sgemm") == nil)
    }

    /// The share of Keras's step a step's products take at the peak: each of our rounds over
    /// Keras's round of the same number, in order; rounds without a Keras time or with a broken
    /// one left out; nothing to say without a round on both sides.
    @Test func peakSharesPairTheRoundsInOrder() throws {
        let summary = try #require(KerasReference.peakShareSummary(benchmark: "dense-gan-step", productsAtPeak: [26.9, 27.0, 26.8],
                                                                   keras: [53.8, 50.0]))
        #expect(summary.hasPrefix("dense-gan-step: "))
        #expect(summary.contains(" 0.50, 0.54 of Keras's step"), "26.9/53.8 and 27.0/50.0, the third round has no Keras time")
        #expect(summary.contains("(0.50–0.54×)"))
        let one = try #require(KerasReference.peakShareSummary(benchmark: "dcgan64-step", productsAtPeak: [430, 427], keras: [0, 1525]))
        #expect(one.contains(" 0.28 of Keras's step") && one.contains("(0.28×)"), "a Keras time of 0 is no round")
        let alike = try #require(KerasReference.peakShareSummary(benchmark: "dcgan-step", productsAtPeak: [120, 121], keras: [500, 500]))
        #expect(alike.contains(" 0.24, 0.24 of Keras's step") && alike.contains("(0.24×)"), "shares that print alike are one number")
        #expect(KerasReference.peakShareSummary(benchmark: "dcgan-step", productsAtPeak: [], keras: [500]) == nil)
        #expect(KerasReference.productsAtPeakLine(of: "dcgan-step") == "dcgan-step-products-at-peak")
    }
}
