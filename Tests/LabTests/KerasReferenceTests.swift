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
}
