import Raster
import Testing

/// The training-progress animation decodes back to its frames.
@Suite struct AnimatedGIFTests {
    /// A plain GIF LZW decoder, written from the format description, to check the encoder.
    func decodeLZW(_ data: [UInt8], pixelCount: Int) -> [UInt8] {
        var table: [[UInt8]] = (0..<256).map { [UInt8($0)] } + [[], []]
        var width = 9, position = 0
        var output: [UInt8] = []
        var previous: [UInt8]?
        func read() -> Int? {
            guard position + width <= data.count * 8 else { return nil }
            var code = 0
            for bit in 0..<width where data[(position + bit) / 8] & (1 << ((position + bit) % 8)) != 0 { code |= 1 << bit }
            position += width
            return code
        }
        while let code = read() {
            if code == 256 {
                table.removeSubrange(258...)
                width = 9
                previous = nil
                continue
            }
            if code == 257 { break }
            let entry: [UInt8]
            if code < table.count { entry = table[code] } else { entry = previous! + [previous![0]] }
            output += entry
            if let previous, table.count < 4096 { table.append(previous + [entry[0]]) }
            if table.count == (1 << width) && width < 12 { width += 1 }
            previous = entry
        }
        return Array(output.prefix(pixelCount))
    }

    /// The frames of an encoded GIF: its image-data blocks, unchunked and decoded.
    func frames(of bytes: [UInt8], pixelCount: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var i = 13 + 768
        while i < bytes.count {
            switch bytes[i] {
            case 0x21:
                i += 2
                while bytes[i] != 0 { i += Int(bytes[i]) + 1 }
                i += 1
            case 0x2C:
                i += 10 + 1  // descriptor, then the minimum code size
                var data: [UInt8] = []
                while bytes[i] != 0 {
                    data += bytes[(i + 1)...(i + Int(bytes[i]))]
                    i += Int(bytes[i]) + 1
                }
                i += 1
                result.append(decodeLZW(data, pixelCount: pixelCount))
            default:
                return result
            }
        }
        return result
    }

    @Test func framesRoundTripThroughLZW() {
        var animation = AnimatedGIF(width: 100, height: 80)
        var expected: [[UInt8]] = []
        for frame in 0..<3 {
            var canvas = Canvas(width: 100, height: 80)
            // Noise-like content: 8,000 pixels fill the 4,096-entry code table, which must reset.
            var gray = [UInt8]()
            for i in 0..<(100 * 80) {
                let level = UInt8((i * 7919 + frame * 104_729) % 251)
                canvas.set(i % 100, i / 100, Color(gray: Float(level) / 255))
                gray.append(level)
            }
            animation.append(canvas, delay: 40)
            expected.append(gray)
        }
        let bytes = animation.encoded()
        #expect(Array(bytes.prefix(6)) == Array("GIF89a".utf8) && bytes.last == 0x3B)
        #expect(frames(of: bytes, pixelCount: 8000) == expected)
    }

    @Test func flatFramesCompressWell() {
        var animation = AnimatedGIF(width: 100, height: 100)
        animation.append(Canvas(width: 100, height: 100))
        let bytes = animation.encoded()
        #expect(bytes.count < 13 + 768 + 19 + 400, "a blank frame takes a few hundred bytes, got \(bytes.count)")
        #expect(frames(of: bytes, pixelCount: 10_000) == [[UInt8](repeating: 255, count: 10_000)])
    }
}
