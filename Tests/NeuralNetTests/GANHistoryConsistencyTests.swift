@testable import NeuralNet
import Testing

/// What a training could have written, rule by rule (a cache entry's history is checked so).
@Suite struct GANHistoryConsistencyTests {
    static func evaluation(epoch: Int) -> EpochEvaluation {
        EpochEvaluation(epoch: epoch, samples: 100, fid: 10, inceptionScore: 2, precision: 0.5, recall: 0.5,
                        classesCovered: 10, largestClassShare: 0.1, isCollapsed: false)
    }

    static var trained: GANHistory {
        var history = GANHistory()
        history.generatorLosses = [0.9, 0.8]
        history.discriminatorLosses = [0.7, 0.6]
        history.stepGeneratorLosses = [1, 0.9, 0.8, 0.7]
        history.stepDiscriminatorLosses = [0.8, 0.7, 0.6, 0.5]
        history.epochSeconds = [1.5, 1.4]
        history.epochSamples = [Tensor(shape: [2, 3], scalars: Array(repeating: 0, count: 6)), Tensor(shape: [2, 3], scalars: Array(repeating: 1, count: 6))]
        history.evaluations = [evaluation(epoch: 1), evaluation(epoch: 2)]
        history.evaluationInterval = 1
        return history
    }

    @Test func aTrainingsHistoryIsConsistentAndEachRuleCatchesItsBreach() {
        #expect(Self.trained.inconsistency(sampleShape: [2, 3]) == nil)
        #expect(GANHistory().inconsistency(sampleShape: [2, 3]) == nil)
        let breaches: [(String, (inout GANHistory) -> Void)] = [
            ("per-epoch lists differ", { $0.epochSeconds.removeLast() }),
            ("per-step lists differ", { $0.stepGeneratorLosses.append(1) }),
            ("a loss is not a finite", { $0.stepDiscriminatorLosses[1] = .nan }),
            ("an epoch's time", { $0.epochSeconds[0] = -1 }),
            ("do not have the generator's shape", { $0.epochSamples[1] = Tensor(shape: [3, 2], scalars: Array(repeating: 1, count: 6)) }),
            ("evaluation interval is negative", { $0.evaluationInterval = -1 }),
            ("evaluations are not of its finished epochs", { $0.evaluations = [Self.evaluation(epoch: 3)] }),
            ("evaluations are not of its finished epochs", { $0.evaluations = [Self.evaluation(epoch: 2), Self.evaluation(epoch: 1)] }),
            ("evaluations are not of its finished epochs", { $0 = GANHistory(); $0.evaluations = [Self.evaluation(epoch: 1)] }),
        ]
        for (expected, breach) in breaches {
            var history = Self.trained
            breach(&history)
            let problem = history.inconsistency(sampleShape: [2, 3])
            #expect(problem?.contains(expected) == true, "\(expected): \(String(describing: problem))")
        }
    }
}
