/// A colour with straight (not premultiplied) alpha, each channel in 0…1.
public struct Color: Sendable, Equatable {
    public var red, green, blue, alpha: Float

    /// A colour from channels in 0…1.
    public init(red: Float, green: Float, blue: Float, alpha: Float = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A colour from a hex code such as `0x1f77b4`.
    public init(hex: UInt32, alpha: Float = 1) {
        self.init(red: Float((hex >> 16) & 0xFF) / 255, green: Float((hex >> 8) & 0xFF) / 255,
                  blue: Float(hex & 0xFF) / 255, alpha: alpha)
    }

    /// A gray level in 0…1.
    public init(gray: Float, alpha: Float = 1) {
        self.init(red: gray, green: gray, blue: gray, alpha: alpha)
    }

    /// The same colour with its alpha multiplied by `factor`.
    public func withAlpha(_ factor: Float) -> Color {
        Color(red: red, green: green, blue: blue, alpha: alpha * factor)
    }

    public static let white = Color(gray: 1)
    public static let black = Color(gray: 0)
    public static let clear = Color(gray: 0, alpha: 0)

    /// matplotlib's `tab10` qualitative palette, in its order (blue, orange, green, red, …).
    public static let tab10: [Color] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { Color(hex: $0) }

    /// matplotlib's default text and axis colour.
    public static let ink = Color(hex: 0x262626)
    /// A light gray for grids.
    public static let grid = Color(hex: 0xB0B0B0)
}
