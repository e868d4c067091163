@testable import Lab
import Testing

/// `lab bench` reports a benchmark's timed runs by their upper median, fastest and mean; the mean is
/// what a loop over all the runs measures, as the Keras timing script does.
@Suite struct StepTimesTests {
    @Test func medianFastestAndMeanOfTheRuns() {
        let times = StepTimes(seconds: [0.30, 0.10, 0.20, 1.40])
        #expect(times.median == 0.30, "the upper median of four runs, as lab bench has always taken it")
        #expect(times.best == 0.10)
        #expect(abs(times.mean - 0.50) < 1e-12, "one slow run pulls the mean up and leaves the median")
        let one = StepTimes(seconds: [0.25])
        #expect(one.median == 0.25 && one.best == 0.25 && one.mean == 0.25)
        let odd = StepTimes(seconds: [0.5, 0.1, 0.3])
        #expect(odd.median == 0.3 && abs(odd.mean - 0.3) < 1e-12)
    }

    @Test func theMeanLineIsNamedAfterItsBenchmark() {
        #expect(KerasReference.meanLine(of: "dcgan64-step") == "dcgan64-step-mean")
        #expect(KerasReference.kind(of: KerasReference.meanLine(of: "dcgan-step")) == nil, "the mean line is not a benchmark of its own")
    }
}
