import CKernels
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

    /// Streamed stores (`streaming`, for whole-batch Winograd transforms) change where the values
    /// go, not the values: the same bits as cached stores with every instruction set, on an output
    /// aligned to a cache line (`BufferPool.takeLineAligned`) with strides that let the 16- and
    /// 8-float runs stream, and one float off that line (nothing streams).
    @Test func streamedTileTransformsGiveTheSameBits() {
        let random = RandomGenerator(seed: 79)
        let (rows, columns, channels) = (6, 6, 27)
        let left = random.uniformTensor(shape: [rows * rows], low: -2, high: 2).scalars
        let right = random.uniformTensor(shape: [columns * columns], low: -2, high: 2).scalars
        let transform = TileTransform(left: left, outputRows: rows, inputRows: rows, right: right,
                                      outputColumns: columns, inputColumns: columns)
        let input = random.uniformTensor(shape: [rows * columns * 32], low: -1, high: 1).scalars
        let pool = BufferPool()
        for set in Self.sets {
            for (outputStride, offset) in [(48, 0), (40, 0), (48, 1)] {
                func transformed(streaming: Bool) -> [Float] {
                    let count = rows * columns * outputStride + offset
                    var (buffer, start) = pool.takeLineAligned(count: count)
                    defer { pool.giveBack(buffer) }
                    return buffer.withUnsafeMutableBufferPointer { y in
                        let output = y.baseAddress! + start + offset
                        #expect(Int(bitPattern: y.baseAddress! + start) % 64 == 0, "a line-aligned start")
                        output.update(repeating: .nan, count: count - offset)
                        input.withUnsafeBufferPointer { x in
                            transform.withCoefficients { coefficients in
                                transform.apply(x.baseAddress!, inputStride: 32, to: output, outputStride: outputStride,
                                                channels: channels, coefficients: coefficients, streaming: streaming,
                                                instructionSet: set)
                            }
                        }
                        return Array(UnsafeBufferPointer(start: output, count: count - offset))
                    }
                }
                let cached = transformed(streaming: false), streamed = transformed(streaming: true)
                let same = zip(cached, streamed).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "\(set), stride \(outputStride), offset \(offset): streamed stores changed a value")
                #expect(cached.filter(\.isNaN).count == rows * columns * (outputStride - channels), "only the channels written")
            }
        }
    }

    /// Adam's update (`lab_adam_step`) with every instruction set gives the very bits of the same
    /// formula evaluated one element at a time in Swift (m, then v, then w, no fused
    /// multiply-adds), on 16 + 8 + 4 + 3 elements so that every vector width and the scalar tail
    /// run; and the moments and weights move as Adam's definition says. `swift test` builds the C
    /// kernels without optimisation, where clang never fuses a multiply and an add, so this cannot
    /// see fusion in a release build: that is ruled out by the kernel's `clang fp contract(off)`
    /// (checked once in its -O2 assembly: no FMA instructions).
    @Test func adamStepsGiveTheSameBitsWithEveryInstructionSet() {
        let random = RandomGenerator(seed: 78)
        let count = 31
        let g0 = random.uniformTensor(shape: [count], low: -2, high: 2).scalars
        let m0 = random.uniformTensor(shape: [count], low: -1, high: 1).scalars
        let v0 = random.uniformTensor(shape: [count], low: 0, high: 1).scalars
        let w0 = random.uniformTensor(shape: [count], low: -1, high: 1).scalars
        let (b1, b2, alpha, eps): (Float, Float, Float, Float) = (0.5, 0.001, 3e-4, 1e-7)
        var (w, m, v) = (w0, m0, v0)
        for i in 0..<count {
            m[i] = m[i] + (g0[i] - m[i]) * b1
            v[i] = v[i] + (g0[i] * g0[i] - v[i]) * b2
            w[i] = w[i] - m[i] * alpha / (v[i].squareRoot() + eps)
        }
        #expect(zip(w, w0).allSatisfy { $0 != $1 } || g0.contains(0), "every weight moved")
        for set in Self.sets {
            var (ws, ms, vs) = (w0, m0, v0)
            ws.withUnsafeMutableBufferPointer { wp in
                ms.withUnsafeMutableBufferPointer { mp in
                    vs.withUnsafeMutableBufferPointer { vp in
                        lab_adam_step_using(Int32(set.rawValue), wp.baseAddress!, g0, mp.baseAddress!, vp.baseAddress!, count,
                                            b1, b2, alpha, eps)
                    }
                }
            }
            #expect(ws.map(\.bitPattern) == w.map(\.bitPattern), "\(set): weights")
            #expect(ms.map(\.bitPattern) == m.map(\.bitPattern), "\(set): first moments")
            #expect(vs.map(\.bitPattern) == v.map(\.bitPattern), "\(set): second moments")
        }
    }

    /// `VectorMath.add` in both forms (C, the CPU's widest vectors) gives the bits of one
    /// addition per element, at every length around the vector widths and at offsets that
    /// leave the vectors unaligned, and leaves what lies past `count` alone.
    @Test func vectorAdditionGivesTheBitsOfOneAdditionPerElement() {
        let random = RandomGenerator(seed: 78)
        let x = random.uniformTensor(shape: [1100], low: -3, high: 3).scalars
        let y = random.uniformTensor(shape: [1100], low: -3, high: 3).scalars
        for count in [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 1000] {
            for offset in [0, 1, 5] {
                let expected = (0..<count).map { x[offset + $0] + y[offset + $0] }
                var accumulated = y, summed = [Float](repeating: .nan, count: 1100)
                x.withUnsafeBufferPointer { xs in
                    accumulated.withUnsafeMutableBufferPointer { ys in
                        VectorMath.add(xs.baseAddress! + offset, into: ys.baseAddress! + offset, count: count)
                    }
                    y.withUnsafeBufferPointer { ys in
                        summed.withUnsafeMutableBufferPointer { zs in
                            VectorMath.add(xs.baseAddress! + offset, ys.baseAddress! + offset, into: zs.baseAddress! + offset, count: count)
                        }
                    }
                }
                #expect(Array(accumulated[offset..<(offset + count)]).map(\.bitPattern) == expected.map(\.bitPattern), "\(count) at \(offset)")
                #expect(Array(summed[offset..<(offset + count)]).map(\.bitPattern) == expected.map(\.bitPattern), "\(count) at \(offset)")
                let untouched = accumulated[(offset + count)...] == y[(offset + count)...]
                let unwritten = summed[(offset + count)...].allSatisfy { $0.isNaN }
                #expect(untouched && unwritten, "nothing past the end, \(count) at \(offset)")
            }
        }
    }
}
