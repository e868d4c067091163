import Foundation
import Testing
@testable import NeuralNet

/// The C kernels (`TileTransform`) against the same sums in double precision, with every
/// instruction set this CPU runs (AVX-512, AVX2 with FMA, the baseline), so that the narrower
/// kernels are checked on a wide CPU too.
@Suite struct CKernelTests {
    static let sets = KernelInstructionSet.allCases.filter(\.isSupported)

    /// Every transform of every tile size up to α = 8 (the image, grid, output and kernel
    /// transforms and their adjoints are such two-sided products), on 8 + 16 + 3 channels so that
    /// every vector width runs, with inputs and outputs strided as in the convolutions.
    @Test func tileTransformsMatchDoublePrecision() {
        #expect(Self.sets.contains(.baseline))
        let random = RandomGenerator(seed: 77)
        for (outRows, inRows, outColumns, inColumns) in [(8, 8, 8, 8), (4, 8, 4, 8), (8, 4, 8, 4), (6, 3, 5, 2), (2, 7, 3, 6), (1, 1, 1, 1)] {
            let left = random.uniformTensor(shape: [outRows * inRows], low: -2, high: 2).scalars
            let right = random.uniformTensor(shape: [outColumns * inColumns], low: -2, high: 2).scalars
            let channels = 27, inputStride = 32, outputStride = 40
            let input = random.uniformTensor(shape: [inRows * inColumns * inputStride], low: -1, high: 1).scalars
            let transform = TileTransform(left: left, outputRows: outRows, inputRows: inRows, right: right,
                                          outputColumns: outColumns, inputColumns: inColumns)
            for set in Self.sets {
                var output = [Float](repeating: .nan, count: outRows * outColumns * outputStride)
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        transform.withCoefficients { coefficients in
                            transform.apply(x.baseAddress!, inputStride: inputStride, to: y.baseAddress!, outputStride: outputStride,
                                            channels: channels, coefficients: coefficients, instructionSet: set)
                        }
                    }
                }
                var worst = 0.0
                for a in 0..<outRows {
                    for b in 0..<outColumns {
                        for c in 0..<channels {
                            var sum = 0.0
                            for i in 0..<inRows {
                                for j in 0..<inColumns {
                                    sum += Double(left[a * inRows + i]) * Double(input[(i * inColumns + j) * inputStride + c])
                                        * Double(right[b * inColumns + j])
                                }
                            }
                            worst = max(worst, abs(Double(output[(a * outColumns + b) * outputStride + c]) - sum))
                        }
                        #expect(output[(a * outColumns + b) * outputStride + channels].isNaN, "\(set): nothing written past the channels")
                    }
                }
                #expect(worst < 1e-5, "\(set): \(outRows)×\(inRows) · tile · (\(outColumns)×\(inColumns))ᵀ, worst \(worst)")
            }
        }
    }
}
