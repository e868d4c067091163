/// An RGBA image in memory that shapes and text are drawn onto, with source-over blending
/// and a clipping rectangle.
///
/// Pixel (0, 0) is the top-left corner; pixel (x, y) covers the square [x, x+1) × [y, y+1), so its
/// centre is at (x + 0.5, y + 0.5).
public struct Canvas: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Row-major RGBA, 8 bits per channel, straight alpha.
    public private(set) var pixels: [UInt8]
    /// Drawing outside this rectangle is discarded; the whole canvas by default.
    public var clip: PixelRect

    /// A canvas filled with `background`.
    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "canvas size must be positive, got \(width)×\(height)")
        self.width = width
        self.height = height
        let fill = [background.red, background.green, background.blue, background.alpha].map(Canvas.byte)
        pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { buffer, count in
            for i in 0..<(width * height) { for c in 0..<4 { buffer[4 * i + c] = fill[c] } }
            count = width * height * 4
        }
        clip = PixelRect(x: 0, y: 0, width: width, height: height)
    }

    /// The colour of pixel (x, y).
    public func pixel(_ x: Int, _ y: Int) -> Color {
        let i = 4 * (y * width + x)
        return Color(red: Float(pixels[i]) / 255, green: Float(pixels[i + 1]) / 255,
                     blue: Float(pixels[i + 2]) / 255, alpha: Float(pixels[i + 3]) / 255)
    }

    /// The raw RGBA bytes of pixel (x, y).
    public func rgba(_ x: Int, _ y: Int) -> [UInt8] {
        let i = 4 * (y * width + x)
        return Array(pixels[i..<(i + 4)])
    }

    /// Blends `color` over pixel (x, y) with the given coverage in 0…1 (source-over).
    /// Pixels outside the canvas or the clip are left alone.
    public mutating func blend(_ x: Int, _ y: Int, _ color: Color, coverage: Float = 1) {
        guard clip.contains(x, y), x >= 0, y >= 0, x < width, y < height else { return }
        let a = color.alpha * min(max(coverage, 0), 1)
        guard a > 0 else { return }
        let i = 4 * (y * width + x)
        let dstA = Float(pixels[i + 3]) * (1 / 255)
        let keep = dstA * (1 - a)
        let outA = a + keep
        let scale = 1 / max(outA, 1e-6)
        pixels[i] = Canvas.byte((color.red * a + Float(pixels[i]) * (1 / 255) * keep) * scale)
        pixels[i + 1] = Canvas.byte((color.green * a + Float(pixels[i + 1]) * (1 / 255) * keep) * scale)
        pixels[i + 2] = Canvas.byte((color.blue * a + Float(pixels[i + 2]) * (1 / 255) * keep) * scale)
        pixels[i + 3] = Canvas.byte(outA)
    }

    /// Replaces pixel (x, y) without blending.
    public mutating func set(_ x: Int, _ y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 4 * (y * width + x)
        for (c, value) in [color.red, color.green, color.blue, color.alpha].enumerated() { pixels[i + c] = Canvas.byte(value) }
    }

    /// Copies `image` with its top-left corner at (x, y), blending by its alpha.
    public mutating func draw(_ image: Canvas, atX x: Int, y: Int) {
        for row in 0..<image.height {
            for column in 0..<image.width {
                blend(x + column, y + row, image.pixel(column, row))
            }
        }
    }

    /// A channel in 0…1 as a byte, clamped; NaN (which `min` and `max` pass through) as 0, since
    /// converting it would stop the process.
    static func byte(_ value: Float) -> UInt8 {
        value.isNaN ? 0 : UInt8(min(max(value * 255, 0), 255).rounded())
    }
}

/// A rectangle of whole pixels.
public struct PixelRect: Sendable, Equatable {
    public var x, y, width, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Whether pixel (px, py) lies inside.
    public func contains(_ px: Int, _ py: Int) -> Bool {
        px >= x && py >= y && px < x + width && py < y + height
    }

    /// The overlap with `other` (possibly empty).
    public func intersection(_ other: PixelRect) -> PixelRect {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        return PixelRect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }
}

/// A point in canvas coordinates (pixels, fractional).
public struct Point: Sendable, Equatable {
    public var x, y: Float
    public init(_ x: Float, _ y: Float) {
        self.x = x
        self.y = y
    }
}
