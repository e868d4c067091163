import Foundation
@testable import Raster
import Testing
import _TestSupport

/// Korean in figures: characters outside the built-in ASCII font come from the system font
/// through FreeType (NanumGothic from Debian's `fonts-nanum`, which `./lab` installs).
@Suite(.enabled(if: SystemFontGlyphs.shared.files != nil, "needs a Korean system font (fonts-nanum)"))
struct HangulTextTests {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/hangul-title.png").path

    static func title() -> Canvas {
        var canvas = Canvas(width: 260, height: 64)
        canvas.drawText("에포크 10 생성 이미지 (4×4 격자)", at: Point(130, 22), font: .bold, color: .ink, anchor: .center)
        canvas.drawText("Generator 손실 · ln2≈0.693", at: Point(8, 46), font: .regular, color: Color.tab10[0])
        canvas.drawText("손실", at: Point(252, 60), font: .small, color: .ink, direction: .upward)
        return canvas
    }

    @Test func hangulAndSymbolsAreDrawnNotQuestionMarks() {
        let font = BitmapFont.regular
        let question = font.glyph("?")
        for character in "에포크손실격자×≈" {
            let glyph = font.glyph(character)
            #expect(glyph.coverage != question.coverage, "\(character) has a glyph of its own")
            #expect(glyph.coverage.contains { $0 > 0 && $0 < 255 }, "\(character) is anti-aliased")
            #expect(glyph.height <= font.pixelSize + 4 && glyph.top < 0, "\(character) sits on the baseline at the font's size")
        }
        // A Hangul syllable is about one em wide; the text is wider than the same count of '?'.
        #expect((font.pixelSize - 2...font.pixelSize + 2).contains(font.glyph("손").advance))
        #expect(font.width(of: "손실") > font.width(of: "??"))
        // A character no font has still draws as '?'.
        #expect(font.glyph("\u{10FFFD}").coverage == question.coverage)
    }

    /// The exact pixels of a Korean title, a legend entry with × and ≈, and an upward axis label,
    /// against `Tests/Golden/hangul-title.png` (NanumGothic 3.020 from fonts-nanum 20200506,
    /// FreeType 2.12.1). `RECORD_HANGUL_GOLDEN=1` writes it again after an intended change.
    @Test func aKoreanTitleDrawsAsItsGoldenPicture() throws {
        let canvas = Self.title()
        try PNG.write(canvas.pixelImage(), to: FigureFolder.path + "/hangul-title.png")
        if ProcessInfo.processInfo.environment["RECORD_HANGUL_GOLDEN"] != nil {
            try PNG.write(canvas.pixelImage(), to: Self.goldenPath)
        }
        let ours = canvas.pixelImage()
        let golden = try PNG.read(Self.goldenPath, channels: ours.channels)
        #expect(golden.width == ours.width && golden.height == ours.height)
        let differing = zip(golden.bytes, ours.bytes).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) bytes differ from \(Self.goldenPath); look at .build/figures/hangul-title.png")
    }
}
