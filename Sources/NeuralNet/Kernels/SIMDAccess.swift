/// Eight floats processed together; on x86-64 the compiler maps them to SSE or AVX registers.
typealias FloatVector = SIMD8<Float>

extension UnsafePointer<Float> {
    /// The eight floats starting at `offset`, at any alignment.
    @inline(__always) func vector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }
}

extension UnsafeMutablePointer<Float> {
    /// The eight floats starting at `offset`, at any alignment.
    @inline(__always) func vector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }

    /// Stores eight floats starting at `offset`, at any alignment.
    @inline(__always) func setVector(_ value: FloatVector, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: FloatVector.self)
    }
}

extension SIMD8<Float> {
    /// √x for x ≥ 0, in plain arithmetic so it stays vectorised: the standard library's
    /// `squareRoot()` becomes one libm call per element on Linux. A bit-level first guess of
    /// 1/√x and three Newton steps reach single precision (about 1 ulp); then √x = x · (1/√x).
    @inline(__always) func fastSquareRoot() -> SIMD8<Float> {
        let bits = SIMD8<UInt32>(repeating: 0x5F37_59DF) &- (unsafeBitCast(self, to: SIMD8<UInt32>.self) &>> 1)
        var y = unsafeBitCast(bits, to: SIMD8<Float>.self)
        let half = self * 0.5
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return self * y
    }
}
