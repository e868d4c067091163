import Foundation
import Raster
import Testing

/// Drawing primitives, pixel for pixel on tiny canvases.
@Suite struct CanvasTests {
    /// The canvas as rows of characters: `#` fully black, `.` untouched white, `+` partly covered.
    func picture(_ canvas: Canvas) -> [String] {
        (0..<canvas.height).map { y in
            String((0..<canvas.width).map { x in
                let value = canvas.rgba(x, y)[0]
                return value == 0 ? "#" : value == 255 ? "." : "+"
            })
        }
    }

    @Test func aOnePixelHorizontalLineCoversExactlyItsRow() {
        var canvas = Canvas(width: 7, height: 5)
        canvas.strokeLine(from: Point(1.5, 2.5), to: Point(5.5, 2.5), color: .black, width: 1)
        #expect(picture(canvas) == [
            ".......",
            ".......",
            ".#####.",
            ".......",
            ".......",
        ])
    }

    @Test func aLineHalfwayBetweenRowsSharesItsInk() {
        var canvas = Canvas(width: 5, height: 4)
        canvas.strokeLine(from: Point(0, 2), to: Point(5, 2), color: .black, width: 1)
        // Centres at 1.5 and 2.5 are 0.5 away: coverage 0.5 each, gray 128 (0.5 of 255 rounded).
        #expect(canvas.rgba(2, 1) == [128, 128, 128, 255] && canvas.rgba(2, 2) == [128, 128, 128, 255])
        #expect(canvas.rgba(2, 0) == [255, 255, 255, 255] && canvas.rgba(2, 3) == [255, 255, 255, 255])
    }

    @Test func clippingKeepsInkInsideTheClip() {
        var canvas = Canvas(width: 7, height: 3)
        canvas.clip = PixelRect(x: 2, y: 0, width: 3, height: 3)
        canvas.strokeLine(from: Point(0.5, 1.5), to: Point(6.5, 1.5), color: .black, width: 1)
        #expect(picture(canvas) == [".......", "..###..", "......."])
    }

    @Test func markersAreFilledAndSymmetric() {
        var canvas = Canvas(width: 9, height: 9)
        canvas.drawMarker(.square, at: Point(4.5, 4.5), size: 3, color: .black)
        #expect(picture(canvas)[3...5].allSatisfy { $0 == "...###..." })
        #expect(picture(canvas)[2] == "........." && picture(canvas)[6] == ".........")

        var disk = Canvas(width: 9, height: 9)
        disk.drawMarker(.circle, at: Point(4.5, 4.5), size: 5, color: .black)
        let rows = picture(disk)
        #expect(rows[4] == "..#####..", "the middle row spans the diameter")
        #expect(rows == rows.reversed() && rows.map { String($0.reversed()) } == rows, "mirror symmetric")
        #expect(rows[0] == "........." && rows[1] == ".........", "nothing beyond the radius")

        var triangle = Canvas(width: 11, height: 11)
        triangle.drawMarker(.triangleUp, at: Point(5.5, 5.5), size: 8, color: .black)
        let shape = picture(triangle)
        #expect(shape[5].filter { $0 == "#" }.count > shape[3].filter { $0 == "#" }.count, "wider at the bottom")
        #expect(shape.map { String($0.reversed()) } == shape, "symmetric about the vertical axis")
    }

    @Test func dashesAlternateAlongTheLine() {
        var canvas = Canvas(width: 20, height: 3)
        canvas.strokeLine(from: Point(0, 1.5), to: Point(20, 1.5), color: .black, width: 1, dash: DashPattern(on: 4, off: 2))
        // Round caps spill half a pixel into each gap; gap pixels 4 and 5 are 0.5 and 1.5 from the ink.
        #expect(picture(canvas)[1] == "####++####++####++##")
    }

    @Test func rectanglesFillWholeAndFractionalPixels() {
        var canvas = Canvas(width: 6, height: 4)
        canvas.fillRectangle(x: 1, y: 1, width: 3.5, height: 2, color: .black)
        #expect(picture(canvas) == ["......", ".###+.", ".###+.", "......"])
        #expect(canvas.rgba(4, 1) == [128, 128, 128, 255])
    }

    @Test func translucentColoursBlendSourceOver() {
        var canvas = Canvas(width: 1, height: 1)
        canvas.blend(0, 0, Color(red: 1, green: 0, blue: 0, alpha: 0.5))
        #expect(canvas.rgba(0, 0) == [255, 128, 128, 255])
        var clear = Canvas(width: 1, height: 1, background: .clear)
        clear.blend(0, 0, Color(red: 0, green: 0, blue: 1, alpha: 0.5))
        #expect(clear.rgba(0, 0) == [0, 0, 255, 128])
    }

    @Test func glyphsAreDrawnFromTheBuiltInFont() {
        var canvas = Canvas(width: 12, height: 16)
        canvas.drawText("I", at: Point(2, 12), font: .small, color: .black)
        // DejaVu's capital I is a vertical bar from the cap height to the baseline, one column of
        // strong ink (its stem is 1.1 px wide at this size).
        func dark(_ c: Canvas, _ x: Int, _ y: Int) -> Bool { c.rgba(x, y)[0] < 64 }
        let columns = (0..<12).filter { x in (0..<16).contains { dark(canvas, x, $0) } }
        let rows = (0..<16).filter { y in (0..<12).contains { dark(canvas, $0, y) } }
        #expect(columns.count == 1 && rows.last == 11 && rows.count == 8)
        #expect(BitmapFont.small.width(of: "II") == 2 * BitmapFont.small.width(of: "I"))

        var turned = Canvas(width: 16, height: 12)
        turned.drawText("I", at: Point(12, 2), font: .small, color: .black, direction: .upward)
        let turnedRows = (0..<12).filter { y in (0..<16).contains { dark(turned, $0, y) } }
        #expect(turnedRows.count == 1, "upward text turns the bar horizontal")
    }

    @Test func pngRoundTripsGrayRGBAndRGBA() throws {
        let folder = NSTemporaryDirectory() + "lab-raster-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for channels in [1, 3, 4] {
            let bytes = (0..<(5 * 3 * channels)).map { UInt8(($0 * 37) % 256) }
            let image = PixelImage(width: 5, height: 3, channels: channels, bytes: bytes)
            let path = folder + "/image\(channels).png"
            try PNG.write(image, to: path)
            #expect(try PNG.read(path, channels: channels) == image)
        }
        var canvas = Canvas(width: 4, height: 2)
        canvas.set(1, 1, Color(red: 1, green: 0, blue: 0))
        try PNG.write(canvas, to: folder + "/canvas.png")
        let inMemory = try PNG.encode(canvas.pixelImage())
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/canvas.png")) == Data(inMemory), "memory and file encodings agree")
        let back = try PNG.read(folder + "/canvas.png", channels: 4)
        #expect(back.bytes == canvas.pixels)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains("partial") })
    }

    @Test func unreadableFilesAreErrorsNamingTheFile() throws {
        let path = NSTemporaryDirectory() + "lab-not-a-png-\(UUID().uuidString).png"
        try Data("hello, not a picture".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try PNG.read(path) } throws: { "\($0)".hasPrefix(path + ": not a readable PNG") }
        #expect { try PNG.read("/nonexistent.png") } throws: { "\($0)".contains("/nonexistent.png") }
    }
}
