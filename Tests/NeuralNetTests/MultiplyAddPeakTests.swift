import CKernels
import Testing
@testable import NeuralNet

/// `lab bench peak`'s chains do every multiply-add they are counted for, on every instruction set
/// this CPU runs. (Their speed is measured by `lab bench`, never asserted here.)
@Suite struct MultiplyAddPeakTests {
    let supported = KernelInstructionSet.allCases.filter(\.isSupported)

    /// Twelve chains of vectors: 4, 8 or 16 lanes each.
    @Test func everySetRunsTwelveChainsOfItsWidestVectors() {
        let lanes: [KernelInstructionSet: Int32] = [.baseline: 48, .avx2: 96, .avx512: 192]
        for set in supported {
            #expect(lab_multiply_add_lanes(Int32(set.rawValue)) == lanes[set], "\(set)")
            #expect(MultiplyAddPeak.chainFLOPs(iterations: 1_000, set: set) == 2 * Double(lanes[set]!) * 1_000, "\(set)")
        }
    }

    /// With sum = sum · 1 + 1 every lane counts its iterations, so the total is exact (below 2²⁴)
    /// and one lane, chain or iteration left out would show; with sum · 0.5 + 1 every lane
    /// tends to 2, so the multiplications are done too (without them the total would grow).
    @Test func theChainsDoEveryMultiplyAdd() {
        for set in supported {
            let lanes = Float(lab_multiply_add_lanes(Int32(set.rawValue)))
            for iterations in [1, 7, 1_000, 60_000] {
                let total = MultiplyAddPeak.chains(iterations: iterations, multiplier: 1, addend: 1, set: set)
                #expect(total == lanes * Float(iterations), "\(set), \(iterations) iterations: \(total)")
            }
            let halving = MultiplyAddPeak.chains(iterations: 200, multiplier: 0.5, addend: 1, set: set)
            #expect(halving == 2 * lanes, "\(set): \(halving)")
            #expect(MultiplyAddPeak.chains(iterations: 0, multiplier: 1, addend: 1, set: set) == 0, "\(set)")
        }
    }

    @Test func theRatesAreMeasured() {
        let rates = MultiplyAddPeak.measure(iterations: 20_000, repetitions: 2)
        let all = [rates.together, rates.oneThread, rates.panelProduct, rates.transposedProduct]
        #expect(all.allSatisfy { $0.isFinite && $0 > 0 }, "\(all)")
        #expect(rates.threads == WorkerPool.shared.threadCount && rates.instructionSet == "\(MultiplyAddPeak.chosenInstructionSet)")
    }
}
