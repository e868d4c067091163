import CKernels
import Testing
@testable import NeuralNet

/// `lab bench memory`'s kernels do what they say: the read sums every float, the streamed write
/// stores every float and nothing past the end, from any alignment. (Their speed is measured by
/// `lab bench`, never asserted here.)
@Suite struct MemoryBandwidthTests {
    @Test func theReadSumsEveryFloatAndTheStreamedWriteStoresEveryFloat() {
        for (offset, count) in [(0, 1_000), (1, 1_000), (3, 77), (0, 64), (5, 0)] {
            var buffer = [Float](repeating: .nan, count: offset + count + 19)
            buffer.withUnsafeMutableBufferPointer { b in
                lab_memory_stream(b.baseAddress! + offset, count, 0.5)
            }
            let written = buffer[offset..<(offset + count)].allSatisfy { $0 == 0.5 }
            let untouched = buffer[..<offset].allSatisfy(\.isNaN) && buffer[(offset + count)...].allSatisfy(\.isNaN)
            #expect(written && untouched, "offset \(offset), \(count) floats")
            for i in 0..<count { buffer[offset + i] = Float(i % 7) }
            let sum = buffer.withUnsafeBufferPointer { lab_memory_read($0.baseAddress! + offset, count) }
            let expected = (0..<count).reduce(0) { $0 + Float($1 % 7) }
            #expect(sum == expected, "offset \(offset), \(count) floats: \(sum) against \(expected)")
        }
    }

    @Test func theRatesAreMeasured() {
        let rates = MemoryBandwidth.measure(megabytes: 8, repetitions: 2)
        #expect(rates.read.isFinite && rates.read > 0 && rates.streamedWrite.isFinite && rates.streamedWrite > 0)
        #expect(rates.threads == WorkerPool.shared.threadCount && rates.megabytes == 8 && rates.repetitions == 2)
    }
}
