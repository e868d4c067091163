/// The three matrices of a one-dimensional Winograd (Toom–Cook) correlation F(m, r): `m` outputs
/// `y_i = Σ_k g_k · d_{i+k}` of an `r`-tap filter `g` over `α = m + r − 1` inputs `d`, computed as
///
///     y = Aᵀ · ((G · g) ⊙ (Bᵀ · d))
///
/// with α multiplications instead of m · r. Two-dimensional tiles apply one transform per axis:
/// `Y = Aᵀ · ((G g Gᵀ) ⊙ (Bᵀ d B)) · A` (Lavin & Gray, "Fast Algorithms for Convolutional Neural
/// Networks", 2016).
///
/// The matrices come from the polynomial construction rather than a table: the linear
/// convolution of an m-term and an r-term polynomial is evaluated at α − 1 points and at
/// infinity, multiplied pointwise and interpolated (Lagrange); the correlation is that
/// algorithm transposed. With points p_j, N_j(x) = Π_{l≠j}(x − p_l), f_j = N_j(p_j) and
/// M(x) = Π_l(x − p_l):
/// - Aᵀ[i][j] = p_jⁱ, and the column for infinity is 1 in the last row only;
/// - G[j][k] = p_jᵏ / f_j, and the row for infinity picks the last tap;
/// - row j of Bᵀ holds N_j's coefficients, the last row M's.
///
/// Points are taken in the order 0, 1, −1, 2, −2, ½, −½, 3, −3: small magnitudes keep the
/// rounding error of single precision low (it grows quickly with α). Computed in double
/// precision, stored as floats.
struct WinogradTransform: Equatable {
    /// Outputs per tile.
    let outputs: Int
    /// Filter taps.
    let taps: Int
    /// Inputs per tile: outputs + taps − 1.
    var inputs: Int { outputs + taps - 1 }
    /// `Aᵀ`, outputs × inputs, row-major.
    let outputTransform: [Float]
    /// `G`, inputs × taps, row-major.
    let filterTransform: [Float]
    /// `Bᵀ`, inputs × inputs, row-major.
    let inputTransform: [Float]

    /// Finite interpolation points in the order they are used.
    static let points: [Double] = [0, 1, -1, 2, -2, 0.5, -0.5, 3, -3]

    /// The largest tile this type builds: α = 10 uses every point.
    static let largestInputs = points.count + 1

    /// F(outputs, taps); α = outputs + taps − 1 must be at least 2 and at most `largestInputs`.
    ///
    /// With `sharingFilterOf` a larger α (of the same taps), each row of `G` is scaled to equal,
    /// bit for bit, that larger transform's row for the same point (the f_j over its points),
    /// and row j of `Bᵀ` by the inverse: the products are unchanged, and a kernel transformed
    /// for the larger tiles serves these too, position j of this one being position j of that
    /// one (the last, infinity, the last). Points are taken in the same order for every α, so
    /// this one's are the first of the larger one's.
    init(outputs: Int, taps: Int, sharingFilterOf referenceInputs: Int? = nil) {
        let alpha = outputs + taps - 1
        precondition(outputs >= 1 && taps >= 1 && alpha >= 2 && alpha <= Self.largestInputs,
                     "Winograd F(\(outputs), \(taps)) is out of range")
        precondition((referenceInputs ?? alpha) >= alpha && (referenceInputs ?? alpha) <= Self.largestInputs,
                     "Winograd F(\(outputs), \(taps)) cannot share the filter transform of α = \(referenceInputs ?? alpha)")
        self.outputs = outputs
        self.taps = taps
        let p = Array(Self.points.prefix(alpha - 1))
        let referencePoints = Array(Self.points.prefix((referenceInputs ?? alpha) - 1))
        func power(_ x: Double, _ n: Int) -> Double { (0..<n).reduce(1) { r, _ in r * x } }

        var a = [Double](repeating: 0, count: outputs * alpha)
        for i in 0..<outputs {
            for j in 0..<(alpha - 1) { a[i * alpha + j] = power(p[j], i) }
        }
        a[(outputs - 1) * alpha + alpha - 1] = 1

        var g = [Double](repeating: 0, count: alpha * taps)
        var b = [Double](repeating: 0, count: alpha * alpha)
        for j in 0..<(alpha - 1) {
            let others = p.indices.filter { $0 != j }.map { p[$0] }
            let scale = others.reduce(1.0) { $0 * (p[j] - $1) }
            let referenceScale = referencePoints.indices.filter { $0 != j }.reduce(1.0) { $0 * (p[j] - referencePoints[$1]) }
            for k in 0..<taps { g[j * taps + k] = power(p[j], k) / referenceScale }
            let coefficients = Self.polynomial(roots: others)
            let rescale = referenceScale == scale ? 1 : referenceScale / scale
            for n in coefficients.indices { b[j * alpha + n] = coefficients[n] * rescale }
        }
        g[(alpha - 1) * taps + taps - 1] = 1
        let all = Self.polynomial(roots: p)
        for n in all.indices { b[(alpha - 1) * alpha + n] = all[n] }

        outputTransform = a.map { Float($0) }
        filterTransform = g.map { Float($0) }
        inputTransform = b.map { Float($0) }
    }

    /// Coefficients, lowest power first, of Π (x − root).
    private static func polynomial(roots: [Double]) -> [Double] {
        var coefficients: [Double] = [1]
        for root in roots {
            var next = [Double](repeating: 0, count: coefficients.count + 1)
            for (n, c) in coefficients.enumerated() {
                next[n + 1] += c
                next[n] -= root * c
            }
            coefficients = next
        }
        return coefficients
    }
}
