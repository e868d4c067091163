@testable import NeuralNet
import Testing

/// A Winograd layer reuses its transformed kernel only while the kernel is unchanged: the cache
/// keeps operands only after a repeated request, hands back exactly what it computed, and every
/// change of a parameter's value, in place or by assignment, makes the layer compute again.
@Suite struct KernelOperandCacheTests {
    /// Asks `cache` for the operand of `key`, computing `value` in every element when it must;
    /// returns the operand's last element and whether it was computed.
    func request(_ cache: KernelOperandCache, _ key: KernelOperandCache.Key?, value: Float, pool: BufferPool) -> (Float, Bool) {
        var computed = false
        let first = cache.with(key: key, count: 64, pool: pool, compute: { operand in
            computed = true
            operand.update(repeating: value, count: 64)
        }) { $0[63] }
        return (first, computed)
    }

    @Test func operandsAreKeptOnlyAfterARepeatAndReusedOnlyForTheSameKey() {
        let cache = KernelOperandCache(), pool = BufferPool()
        let a = Parameter(name: "a", value: Tensor(shape: [1])), b = Parameter(name: "b", value: Tensor(shape: [1]))
        let aForward = KernelOperandCache.Key(stamp: a.stamp, transposed: false)
        let aTransposed = KernelOperandCache.Key(stamp: a.stamp, transposed: true)
        let bForward = KernelOperandCache.Key(stamp: b.stamp, transposed: false)
        // A generator's pattern: forward, backward, another kernel. Nothing repeats, nothing is kept.
        for (key, value) in [(aForward, 1), (aTransposed, 2), (bForward, 3)] as [(KernelOperandCache.Key, Float)] {
            #expect(request(cache, key, value: value, pool: pool) == (value, true))
        }
        #expect(!cache.isKeeping)
        // A repeat starts keeping (computed once more: the pooled buffer was not kept), then hits.
        #expect(request(cache, bForward, value: 4, pool: pool) == (4, true))
        #expect(cache.isKeeping)
        #expect(request(cache, bForward, value: 5, pool: pool) == (4, false), "the kept operand, not a new one")
        #expect(request(cache, aForward, value: 6, pool: pool) == (6, true))
        #expect(request(cache, aTransposed, value: 7, pool: pool) == (7, true), "the other packing is another operand")
        #expect(request(cache, aTransposed, value: 8, pool: pool) == (7, false))
        // Without a key nothing is reused, and the kept operand survives it.
        #expect(request(cache, nil, value: 9, pool: pool) == (9, true))
        #expect(request(cache, nil, value: 10, pool: pool) == (10, true))
        #expect(request(cache, aTransposed, value: 11, pool: pool) == (7, false))
        cache.removeAll()
        #expect(request(cache, aTransposed, value: 12, pool: pool) == (12, true))
    }

    /// Operands start on a 64-byte boundary, pooled or kept, and so do the pool's buffers: the
    /// panel products' vector loads then read one cache line each, not two.
    @Test func operandsStartOnACacheLine() {
        let pool = BufferPool()
        let parameter = Parameter(name: "kernel", value: Tensor(shape: [1]))
        let key = KernelOperandCache.Key(stamp: parameter.stamp, transposed: false)
        func onALine(_ pointer: UnsafePointer<Float>) -> Bool { Int(bitPattern: pointer) % 64 == 0 }
        for count in [1, 7, 64, 1_000, 40_000, 300_000] {
            let cache = KernelOperandCache()
            var computed = 0
            // Pooled, then kept (computed into the kept buffer), then the kept one again.
            for call in 0..<3 {
                let aligned = cache.with(key: key, count: count, pool: pool, compute: { operand in
                    computed += 1
                    #expect(onALine(operand), "\(count) floats, computed in call \(call)")
                }) { onALine($0) }
                #expect(aligned, "\(count) floats, call \(call)")
            }
            #expect(computed == 2)
            for _ in 0..<2 { pool.with(count: count) { #expect(onALine($0), "a pooled buffer of \(count) floats") } }
        }
    }

    @Test func everyChangeOfAValueChangesItsStamp() {
        let parameter = Parameter(name: "kernel", value: Tensor(shape: [4], repeating: 1))
        var stamps = [parameter.stamp]
        _ = parameter.value.withUnsafeBufferPointer { $0[0] }
        #expect(parameter.stamp == stamps[0], "reading is not a change")
        parameter.value.withUnsafeMutableBufferPointer { $0[2] *= 0.5 }
        stamps.append(parameter.stamp)
        parameter.value = Tensor(shape: [4], repeating: 2)
        stamps.append(parameter.stamp)
        parameter.value.scalars[0] = 3
        stamps.append(parameter.stamp)
        #expect(Set(stamps.map(\.version)).count == 4)
        let other = Parameter(name: "kernel", value: Tensor(shape: [4], repeating: 1))
        #expect(other.stamp != stamps[0], "another parameter's first value has another stamp")
    }

    /// Counting changes must not copy the tensor an optimizer updates in place (a `didSet`
    /// observer did: every update copied every weight).
    @Test func inPlaceChangesStayInPlace() {
        let parameter = Parameter(name: "kernel", value: Tensor(shape: [1 << 16], repeating: 1))
        func address() -> Int { parameter.value.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress!) } }
        let (before, version) = (address(), parameter.version)
        parameter.value.withUnsafeMutableBufferPointer { $0[7] = 2 }
        #expect(address() == before && parameter.version != version && parameter.value.scalars[7] == 2)
    }

    /// A discriminator-like layer called twice per kernel (two slots) with its kernel changed in
    /// place between calls, as an optimizer does: every output and input gradient equals, bit for
    /// bit, that of a new layer built with the kernel of the moment.
    @Test func aLayerCalledTwicePerKernelFollowsEveryChangeOfIt() throws {
        let inputShape = [8, 8, 32]
        let random = RandomGenerator(seed: 4)
        let inputs = (0..<2).map { _ in random.uniformTensor(shape: [3] + inputShape, low: -1, high: 1) }
        let upstreams = (0..<2).map { _ in random.uniformTensor(shape: [3, 4, 4, 32], low: -1, high: 1) }
        func winogradLayer(kernel: Tensor?) throws -> Conv2D {
            let layer = kernel.map { Conv2D(kernel: $0, bias: nil, strides: 2, padding: .same) }
                ?? Conv2D(32, kernelSize: 4, strides: 2, padding: .same, useBias: false)
            _ = try layer.build(inputShape: inputShape, random: RandomGenerator(seed: 9))
            layer.engine!.useWinograd(outputs: 2)
            return layer
        }
        func forward(_ layer: Conv2D) -> [Tensor] { inputs.indices.map { layer.forward(inputs[$0], training: true, slot: $0) } }
        func backward(_ layer: Conv2D) -> [Tensor] {
            inputs.indices.map { layer.backward(upstreams[$0], slot: $0, needsInputGradient: true, accumulateParameterGradients: false)! }
        }
        func changeKernel(_ layer: Conv2D) {
            layer.kernel!.value.withUnsafeMutableBufferPointer { w in
                for i in w.indices { w[i] = w[i] * 0.75 + Float(i % 7) * 0.01 }
            }
        }
        let layer = try winogradLayer(kernel: nil)
        // Forward, change, forward again, backward, change, backward again: each call after a
        // change would find the operand of the call before it if changes went unnoticed.
        for round in 0..<2 {
            let before = try winogradLayer(kernel: layer.kernel!.value)
            #expect(forward(layer) == forward(before), "round \(round), first forward")
            changeKernel(layer)
            let after = try winogradLayer(kernel: layer.kernel!.value)
            let outputs = forward(layer)
            #expect(outputs == forward(after), "round \(round), forward after a change")
            #expect(outputs[0] != outputs[1], "the two slots had different data")
            #expect(backward(layer) == backward(after), "round \(round), first backward")
            changeKernel(layer)
            let last = try winogradLayer(kernel: layer.kernel!.value)
            _ = forward(last)
            let gradients = backward(layer)
            #expect(gradients == backward(last), "round \(round), backward after a change")
            #expect(gradients[0] != gradients[1])
        }
        #expect(layer.engine!.algorithmDescription.hasPrefix("winograd"))
    }
}
