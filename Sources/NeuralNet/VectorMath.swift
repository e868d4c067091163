/// Element-wise functions written so the compiler vectorises them: no calls into libm per element.
///
/// `exp` follows Cephes' single-precision method (range reduction by ln 2, a degree-6 polynomial,
/// scaling by 2ⁿ through the exponent bits); relative error about 2e-7 over the range used here.
enum VectorMath {
    @inline(__always) static func exp(_ input: Float) -> Float {
        // Ternaries rather than min/max so that NaN passes through as NaN.
        let x = input > 88.7 ? 88.7 : (input < -87.3 ? -87.3 : input)
        // Adding 1.5·2²³ rounds x·log₂e to an integer n held in the low mantissa bits: no
        // float-to-int conversion, which would trap on NaN and keep the loop from vectorising.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        let e = p * r * r + r + 1
        // 2ⁿ: the exponent field n + 127, from the mantissa bits (0x4B40_0000 is 1.5·2²³).
        let twoToN = Float(bitPattern: (shifted.bitPattern &+ (127 &- 0x4B40_0000)) &<< 23)
        return e * twoToN
    }

    /// tanh: an odd polynomial near zero (Cephes), `(e²ˣ − 1)/(e²ˣ + 1)` elsewhere.
    @inline(__always) static func tanh(_ input: Float) -> Float {
        let x = input > 9 ? 9 : (input < -9 ? -9 : input)
        let z = x * x
        var p: Float = -5.704_988_72e-3
        p = p * z + 2.063_908_88e-2
        p = p * z - 5.373_971_55e-2
        p = p * z + 1.333_144_22e-1
        p = p * z - 3.333_328_19e-1
        let small = p * z * x + x
        let t = exp(2 * x)
        let large = (t - 1) / (t + 1)
        return abs(x) < 0.625 ? small : large
    }

    /// The logistic function 1 / (1 + e⁻ˣ).
    @inline(__always) static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }

    /// Applies `tanh` to `count` elements.
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = tanh(x[i]) }
    }

    /// Applies `sigmoid` to `count` elements.
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = sigmoid(x[i]) }
    }
}
