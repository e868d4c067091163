import Foundation

/// A built-in font of printable ASCII glyphs with 8-bit coverage, drawn pixel for pixel so text is
/// crisp at 100 % zoom. Other characters (Hangul for the course's Korean titles, `×`, `≈`) come
/// from a system font through FreeType at the same pixel size (`SystemFontGlyphs`); a character
/// no font has draws as `?`.
public struct BitmapFont: Sendable {
    /// One glyph: how far the pen moves, and where its coverage box sits relative to the pen on
    /// the baseline (`top` is negative above the baseline).
    struct Glyph: Sendable {
        let advance: Int, left: Int, top: Int, width: Int, height: Int
        let coverage: ArraySlice<UInt8>
    }

    /// Pixels from the baseline to the top of the tallest glyphs.
    public let ascent: Int
    /// Pixels from the baseline to the bottom of descenders.
    public let descent: Int
    /// The pixel size the glyphs were rendered at, for the system font's glyphs.
    public let pixelSize: Int
    /// Whether this is a bold font (the system font's bold face then).
    public let isBold: Bool
    private let glyphs: [Glyph]

    /// A font from per-glyph metrics `[advance, left, top, width, height]` for ASCII 32…126 and
    /// their coverage bytes, concatenated and base64-encoded.
    init(ascent: Int, descent: Int, pixelSize: Int, isBold: Bool = false, metrics: [[Int]], coverage: String) {
        precondition(metrics.count == 95, "one metric per printable ASCII character")
        let bytes = [UInt8](Data(base64Encoded: coverage.filter { !$0.isWhitespace }) ?? Data())
        var offset = 0
        glyphs = metrics.map { m in
            let size = m[3] * m[4]
            defer { offset += size }
            return Glyph(advance: m[0], left: m[1], top: m[2], width: m[3], height: m[4],
                         coverage: bytes[offset..<(offset + size)])
        }
        precondition(offset == bytes.count, "glyph coverage does not match the metrics")
        self.ascent = ascent
        self.descent = descent
        self.pixelSize = pixelSize
        self.isBold = isBold
    }

    /// The height of a line of text.
    public var lineHeight: Int { ascent + descent }

    func glyph(_ character: Character) -> Glyph {
        if let ascii = character.asciiValue, (32...126).contains(ascii) { return glyphs[Int(ascii) - 32] }
        return SystemFontGlyphs.shared.glyph(character, pixelSize: pixelSize, bold: isBold) ?? glyphs[Int(("?" as Character).asciiValue!) - 32]
    }

    /// The width in pixels of `text` set in this font.
    public func width(of text: String) -> Int {
        text.reduce(0) { $0 + glyph($1).advance }
    }
}

/// Where a text's anchor point sits on the text.
public enum TextAnchor: Sendable {
    case left, center, right
}

/// The direction text runs.
public enum TextDirection: Sendable {
    /// Left to right.
    case horizontal
    /// Bottom to top, turned 90° counter-clockwise, as a y-axis label.
    case upward
}

extension Canvas {
    /// Draws `text` with its baseline through `origin`, aligned by `anchor` along the direction of
    /// writing. Upward text runs from bottom to top with its baseline on the right of the glyphs'
    /// tops, as matplotlib draws y-axis labels. Returns nothing; `font.width(of:)` measures.
    public mutating func drawText(
        _ text: String, at origin: Point, font: BitmapFont, color: Color = .ink,
        anchor: TextAnchor = .left, direction: TextDirection = .horizontal
    ) {
        let total = Float(font.width(of: text))
        let shift: Float = anchor == .left ? 0 : anchor == .center ? total / 2 : total
        // Whole pixels keep glyph edges crisp.
        var pen = Int((direction == .horizontal ? origin.x - shift : origin.y + shift).rounded())
        let base = Int((direction == .horizontal ? origin.y : origin.x).rounded())
        for character in text {
            let glyph = font.glyph(character)
            for row in 0..<glyph.height {
                for column in 0..<glyph.width {
                    let value = glyph.coverage[glyph.coverage.startIndex + row * glyph.width + column]
                    guard value > 0 else { continue }
                    let coverage = Float(value) / 255
                    switch direction {
                    case .horizontal:
                        blend(pen + glyph.left + column, base + glyph.top + row, color, coverage: coverage)
                    case .upward:
                        blend(base + glyph.top + row, pen - glyph.left - column - 1, color, coverage: coverage)
                    }
                }
            }
            pen += direction == .horizontal ? glyph.advance : -glyph.advance
        }
    }
}
