import CFreeType
import Foundation
import Synchronization

/// The glyphs the built-in bitmap font does not have (Hangul, `×`, `≈`, …), rendered by FreeType
/// from a system font with anti-aliasing at the bitmap font's pixel size: NanumGothic (Debian's
/// `fonts-nanum`, which `./lab` installs), else Noto Sans CJK, else Apple SD Gothic Neo on macOS;
/// `LAB_FONT` names another file. Rendered glyphs are kept, so a title costs one rendering per
/// character. Without any of these fonts, such characters draw as `?`.
final class SystemFontGlyphs: Sendable {
    static let shared = SystemFontGlyphs()

    /// The font files looked for, regular and bold, in order.
    static let candidates: [(regular: String, bold: String)] = [
        ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"),
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
        ("/System/Library/Fonts/AppleSDGothicNeo.ttc", "/System/Library/Fonts/AppleSDGothicNeo.ttc"),
    ]

    private struct Key: Hashable { let character: Character; let pixelSize: Int; let bold: Bool }

    private struct State: ~Copyable {
        var library: FT_Library?
        var faces: [Bool: FT_Face] = [:]
        var glyphs: [Key: BitmapFont.Glyph?] = [:]
    }

    private let state: Mutex<State>
    /// The regular and bold font files in use, or nil when none was found.
    let files: (regular: String, bold: String)?

    private init() {
        let environment = ProcessInfo.processInfo.environment["LAB_FONT"].map { ($0, $0) }
        files = ([environment].compactMap { $0 } + Self.candidates).first { FileManager.default.fileExists(atPath: $0.0) }
        var library: FT_Library?
        if files != nil, FT_Init_FreeType(&library) != 0 { library = nil }
        state = Mutex(State(library: library))
    }

    /// The glyph for `character` at `pixelSize`, or nil when no font has it.
    func glyph(_ character: Character, pixelSize: Int, bold: Bool) -> BitmapFont.Glyph? {
        guard let files else { return nil }
        let key = Key(character: character, pixelSize: pixelSize, bold: bold)
        return state.withLock { state -> BitmapFont.Glyph? in
            if let known = state.glyphs[key] { return known }
            let rendered = Self.render(character, pixelSize: pixelSize, face: Self.face(bold: bold, files: files, &state))
            state.glyphs[key] = rendered
            return rendered
        }
    }

    private static func face(bold: Bool, files: (regular: String, bold: String), _ state: inout State) -> FT_Face? {
        if let face = state.faces[bold] { return face }
        guard let library = state.library else { return nil }
        var face: FT_Face?
        let path = bold && FileManager.default.fileExists(atPath: files.bold) ? files.bold : files.regular
        guard FT_New_Face(library, path, 0, &face) == 0, let face else { return nil }
        state.faces[bold] = face
        return face
    }

    /// Renders one character with 8-bit anti-aliasing; metrics as the bitmap font keeps them.
    private static func render(_ character: Character, pixelSize: Int, face: FT_Face?) -> BitmapFont.Glyph? {
        guard let face, character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return nil }
        let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
        guard index != 0, FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelSize)) == 0,
              FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_DEFAULT)) == 0,
              FT_Render_Glyph(face.pointee.glyph, FT_RENDER_MODE_NORMAL) == 0,
              let slot = face.pointee.glyph else { return nil }
        let bitmap = slot.pointee.bitmap
        let (width, height) = (Int(bitmap.width), Int(bitmap.rows))
        var coverage = [UInt8](repeating: 0, count: width * height)
        if let buffer = bitmap.buffer, width > 0, height > 0 {
            for row in 0..<height {
                let source = buffer + row * Int(bitmap.pitch)
                for column in 0..<width { coverage[row * width + column] = source[column] }
            }
        }
        let advance = Int((Double(slot.pointee.advance.x) / 64).rounded())
        return BitmapFont.Glyph(advance: advance, left: Int(slot.pointee.bitmap_left), top: -Int(slot.pointee.bitmap_top),
                                width: width, height: height, coverage: coverage[...])
    }
}
