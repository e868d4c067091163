import Foundation

/// "Nice" axis ticks: steps of 1, 2, 2.5 or 5 × 10ᵏ, as matplotlib's default locator chooses.
public struct Ticks: Sendable, Equatable {
    /// Tick positions inside the axis range, ascending.
    public var values: [Double]
    /// The distance between neighbouring ticks.
    public var step: Double

    /// At most `maximumCount` nice ticks covering `low…high` (both inclusive, with a tolerance).
    public init(low: Double, high: Double, maximumCount: Int = 8) {
        precondition(low.isFinite && high.isFinite, "tick range must be finite")
        let span = max(high - low, abs(high) * 1e-6, 1e-12)
        let rough = span / Double(max(maximumCount - 1, 1))
        let magnitude = Self.powerOfTen(floor(log10(rough)))
        var chosen = 10 * magnitude
        for multiple in [1, 2, 2.5, 5, 10] where multiple * magnitude >= rough * (1 - 1e-9) {
            chosen = multiple * magnitude
            break
        }
        step = chosen
        let first = (low / chosen - 1e-9).rounded(.up)
        let last = (high / chosen + 1e-9).rounded(.down)
        // Products such as 3 × 0.1 rounded to 12 decimals (0.30000000000000004 → 0.3), where
        // the step is coarse enough for that to keep every tick apart.
        let cleaned: (Double) -> Double = chosen >= 1e-6 ? { ($0 * 1e12).rounded() / 1e12 } : { $0 }
        values = first <= last ? stride(from: first, through: last, by: 1).map { cleaned($0 * chosen) } : []
    }

    /// The labels, with as many decimals as the step needs (`0.5`, `1.0`, `2.5`, `10`); in
    /// scientific notation (`3e+38`, `2.5e-09`) when the ticks are beyond what whole numbers
    /// with up to six decimals can write (at least 10¹⁵, or steps under 10⁻⁶).
    public var labels: [String] {
        if step < 1e-6 || values.contains(where: { abs($0) >= 1e15 }) { return values.map(Self.scientific) }
        let decimals = Self.decimals(for: step)
        return values.map { Self.format($0, decimals: decimals) }
    }

    static func scientific(_ value: Double) -> String {
        value == 0 ? "0" : String(format: "%.4g", value)
    }

    static func decimals(for step: Double) -> Int {
        var decimals = 0
        while decimals < 6 {
            let scaled = step * Self.powerOfTen(Double(decimals))
            if abs(scaled - scaled.rounded()) < 1e-6 { break }
            decimals += 1
        }
        return decimals
    }

    /// `value` with exactly `decimals` decimals and a true minus sign avoided (ASCII font).
    static func format(_ value: Double, decimals: Int) -> String {
        let scale = Self.powerOfTen(Double(decimals))
        let scaled = (abs(value) * scale).rounded()
        let negative = value < 0 && scaled != 0
        let whole = Int(scaled / scale)
        guard decimals > 0 else { return (negative ? "-" : "") + String(whole) }
        let fraction = String(Int(scaled) - whole * Int(scale))
        return (negative ? "-" : "") + "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    static func powerOfTen(_ exponent: Double) -> Double { pow(10, exponent) }
}
