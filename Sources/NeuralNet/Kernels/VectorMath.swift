import CKernels

/// Element-wise functions on eight floats at a time, in plain arithmetic so that they stay
/// vectorised (a call into libm per element would not).
///
/// `exp` follows Cephes' single-precision method: range reduction by ln 2, a degree-6
/// polynomial, and scaling by 2ⁿ through the exponent bits; relative error about 2e-7.
enum VectorMath {
    static func exp(_ input: FloatVector) -> FloatVector {
        // Clamp with masks rather than min/max so that NaN passes through as NaN.
        var x = input
        x.replace(with: 88.7, where: input .> 88.7)
        x.replace(with: -87.3, where: input .< -87.3)
        // Adding 1.5·2²³ rounds x·log₂e to an integer n held in the low mantissa bits: no
        // float-to-int conversion, which would trap on NaN.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = FloatVector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        let e = p * r * r + r + 1
        // 2ⁿ: the exponent field n + 127, taken from the mantissa bits (0x4B40_0000 is 1.5·2²³).
        let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &+ (127 &- 0x4B40_0000)) &<< 23
        return e * unsafeBitCast(bits, to: FloatVector.self)
    }

    /// tanh: an odd polynomial for |x| < 0.625 (Cephes), `(e²ˣ − 1)/(e²ˣ + 1)` elsewhere.
    static func tanh(_ input: FloatVector) -> FloatVector {
        var x = input
        x.replace(with: 9, where: input .> 9)
        x.replace(with: -9, where: input .< -9)
        let z = x * x
        var p = FloatVector(repeating: -5.704_988_72e-3)
        p = p * z + 2.063_908_88e-2
        p = p * z - 5.373_971_55e-2
        p = p * z + 1.333_144_22e-1
        p = p * z - 3.333_328_19e-1
        let small = p * z * x + x
        let t = exp(2 * x)
        var result = (t - 1) / (t + 1)
        result.replace(with: small, where: z .< 0.390_625)
        return result
    }

    /// The logistic function 1 / (1 + e⁻ˣ).
    static func sigmoid(_ x: FloatVector) -> FloatVector {
        1 / (1 + exp(-x))
    }

    /// The logistic function of one value.
    static func sigmoid(_ x: Float) -> Float {
        sigmoid(FloatVector(repeating: x))[0]
    }

    /// Applies `function` to `count` elements of `x`, writing `y` (which may be `x`).
    @inline(__always) static func map(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        _ function: (FloatVector) -> FloatVector
    ) {
        var i = 0
        while i + FloatVector.scalarCount <= count {
            y.setVector(function(x.vector(at: i)), at: i)
            i += FloatVector.scalarCount
        }
        if i < count {
            var rest = FloatVector()
            for j in i..<count { rest[j - i] = x[j] }
            let mapped = function(rest)
            for j in i..<count { y[j] = mapped[j - i] }
        }
    }

    /// Applies `function` to pairs of elements of `x` and `y`, writing `z`.
    @inline(__always) static func zip(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, count: Int,
        _ function: (FloatVector, FloatVector) -> FloatVector
    ) {
        var i = 0
        while i + FloatVector.scalarCount <= count {
            z.setVector(function(x.vector(at: i), y.vector(at: i)), at: i)
            i += FloatVector.scalarCount
        }
        if i < count {
            var a = FloatVector(), b = FloatVector()
            for j in i..<count { a[j - i] = x[j]; b[j - i] = y[j] }
            let result = function(a, b)
            for j in i..<count { z[j] = result[j - i] }
        }
    }

    /// z = x · y element by element.
    static func multiply(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, count: Int
    ) {
        zip(x, y, into: z, count: count) { $0 * $1 }
    }

    /// z = x + y element by element, with the CPU's widest vectors (`lab_sum`; Swift's own loops
    /// run 4 floats at a time, and the Winograd tiles add whole channel rows in their inner loops).
    static func add(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, count: Int) {
        lab_sum(x, y, z, count)
    }

    /// y += x element by element, with the CPU's widest vectors (`lab_add`).
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        lab_add(x, y, count)
    }

    /// x ·= factor element by element.
    static func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        map(x, x, count: count) { $0 * factor }
    }
}
