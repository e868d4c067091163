import FileOutput
import Foundation

/// An animated GIF of gray frames: the training-progress animation of a run (one 4×4 grid per
/// epoch), playable anywhere an image is, looping forever.
///
/// Frames are converted to 256 gray levels (the grids are gray, so nothing is lost) and
/// compressed with GIF's LZW. Colour frames are reduced to their luminance.
public struct AnimatedGIF: Sendable {
    public let width: Int
    public let height: Int
    /// Each frame's gray levels, row-major.
    public private(set) var frames: [[UInt8]] = []
    /// Display time of each frame in hundredths of a second.
    public private(set) var delays: [Int] = []

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0 && width < 65_536 && height < 65_536, "GIF size \(width)×\(height)")
        self.width = width
        self.height = height
    }

    /// Appends a canvas of the animation's size, shown for `delay` hundredths of a second.
    public mutating func append(_ canvas: Canvas, delay: Int = 50) {
        precondition(canvas.width == width && canvas.height == height,
                     "frame \(canvas.width)×\(canvas.height) in a \(width)×\(height) animation")
        var gray = [UInt8](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            let (r, g, b) = (Float(canvas.pixels[4 * i]), Float(canvas.pixels[4 * i + 1]), Float(canvas.pixels[4 * i + 2]))
            gray[i] = UInt8(min(max((0.299 * r + 0.587 * g + 0.114 * b).rounded(), 0), 255))
        }
        frames.append(gray)
        delays.append(max(delay, 2))
    }

    /// The file's bytes: header, gray palette, looping extension, then each frame.
    public func encoded() -> [UInt8] {
        var out = Array("GIF89a".utf8)
        out += le16(width) + le16(height)
        out += [0xF7, 0, 0]  // global colour table of 256 entries, 8 bits per channel
        for level in 0..<256 { out += [UInt8(level), UInt8(level), UInt8(level)] }
        out += [0x21, 0xFF, 11] + Array("NETSCAPE2.0".utf8) + [3, 1, 0, 0, 0]  // loop forever
        for (frame, delay) in zip(frames, delays) {
            out += [0x21, 0xF9, 4, 0] + le16(delay) + [0, 0]  // graphic control: the delay
            out += [0x2C] + le16(0) + le16(0) + le16(width) + le16(height) + [0]
            out.append(8)  // minimum LZW code size
            let data = GIFLZW.compress(frame)
            var start = 0
            while start < data.count {
                let length = min(255, data.count - start)
                out.append(UInt8(length))
                out += data[start..<(start + length)]
                start += length
            }
            out.append(0)
        }
        out.append(0x3B)
        return out
    }

    /// Writes the animation to `path` through a temporary file and a rename.
    public func write(to path: String) throws {
        do { try AtomicFile.write(encoded(), to: path) } catch let failure as AtomicFileError {
            throw ImageFileError(path: path, problem: failure.problem)
        }
    }

    private func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
}

/// GIF's variable-width LZW for 8-bit pixels, with a clear code whenever the table fills.
enum GIFLZW {
    static func compress(_ pixels: [UInt8]) -> [UInt8] {
        let clear = 256, end = 257
        var table: [Int: Int] = [:]  // (prefix code << 8 | byte) → code
        var nextCode = 258, width = 9
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        func emit(_ code: Int) {
            buffer |= code << bits
            bits += width
            while bits >= 8 {
                output.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bits -= 8
            }
        }
        emit(clear)
        guard var prefix = pixels.first.map(Int.init) else {
            emit(end)
            if bits > 0 { output.append(UInt8(buffer & 0xFF)) }
            return output
        }
        for byte in pixels.dropFirst() {
            let key = prefix << 8 | Int(byte)
            if let code = table[key] {
                prefix = code
                continue
            }
            emit(prefix)
            if nextCode < 4096 {
                table[key] = nextCode
                nextCode += 1
                // The decoder widens one code later than it adds the entry.
                if nextCode > (1 << width) && width < 12 { width += 1 }
            } else {
                emit(clear)
                table.removeAll(keepingCapacity: true)
                nextCode = 258
                width = 9
            }
            prefix = Int(byte)
        }
        emit(prefix)
        emit(end)
        if bits > 0 { output.append(UInt8(buffer & 0xFF)) }
        return output
    }
}
