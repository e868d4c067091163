import CPNG
import FileOutput
import Foundation

/// A decoded image: 8-bit channels, row-major, `channels` per pixel (1 gray, 3 RGB, 4 RGBA).
public struct PixelImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        precondition([1, 3, 4].contains(channels), "1, 3 or 4 channels, got \(channels)")
        precondition(bytes.count == width * height * channels, "\(bytes.count) bytes for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.bytes = bytes
    }
}

/// PNG files through libpng's simplified API; the only file that calls libpng.
public enum PNG {
    /// libpng's format code: gray, colour, colour with alpha (its PNG_FORMAT_* macros are not
    /// imported into Swift).
    private static func format(channels: Int) -> UInt32 {
        let (alpha, color) = (UInt32(PNG_FORMAT_FLAG_ALPHA), UInt32(PNG_FORMAT_FLAG_COLOR))
        return channels == 1 ? 0 : channels == 3 ? color : color | alpha
    }

    /// Writes `image` to `path` atomically: a temporary file beside it, then a rename, so a
    /// reader never sees half a file.
    public static func write(_ image: PixelImage, to path: String) throws {
        let bytes: [UInt8]
        do { bytes = try encode(image) } catch { throw ImageFileError(path: path, problem: "cannot write PNG (cannot encode it)") }
        do { try AtomicFile.write(bytes, to: path) } catch let failure as AtomicFileError {
            throw ImageFileError(path: path, problem: failure.problem)
        }
    }

    /// The PNG file bytes of `image`, encoded in memory.
    public static func encode(_ image: PixelImage) throws -> [UInt8] {
        var control = png_image()
        control.version = UInt32(PNG_IMAGE_VERSION)
        control.width = UInt32(image.width)
        control.height = UInt32(image.height)
        control.format = format(channels: image.channels)
        var size = 0
        // First call measures, second writes.
        let measured = image.bytes.withUnsafeBytes { bytes in
            png_image_write_to_memory(&control, nil, &size, 0, bytes.baseAddress, Int32(image.width * image.channels), nil)
        }
        guard measured != 0 else {
            png_image_free(&control)
            throw ImageFileError(path: "(memory)", problem: "cannot encode PNG")
        }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            image.bytes.withUnsafeBytes { bytes in
                png_image_write_to_memory(&control, out.baseAddress, &size, 0, bytes.baseAddress, Int32(image.width * image.channels), nil)
            }
        }
        guard written != 0 else {
            png_image_free(&control)
            throw ImageFileError(path: "(memory)", problem: "cannot encode PNG")
        }
        return Array(output.prefix(size))
    }

    /// Writes a canvas as an RGBA PNG (RGB when every pixel is opaque).
    public static func write(_ canvas: Canvas, to path: String) throws {
        try write(canvas.pixelImage(), to: path)
    }

    /// The most one decoded image may take: 256 MiB (8,192 × 8,192 RGBA).
    public static let maximumDecodedBytes = 1 << 28

    /// Reads a PNG as gray (1 channel), RGB (3) or RGBA (4), converting whatever it stores.
    /// Anything but a regular file, and a header claiming more than `maximumDecodedBytes`, is
    /// refused before decoding.
    public static func read(_ path: String, channels: Int = 4) throws -> PixelImage {
        precondition([1, 3, 4].contains(channels), "1, 3 or 4 channels, got \(channels)")
        var control = png_image()
        control.version = UInt32(PNG_IMAGE_VERSION)
        func failure(_ what: String) -> ImageFileError {
            let message = withUnsafeBytes(of: control.message) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            png_image_free(&control)
            return ImageFileError(path: path, problem: "\(what) (\(message))")
        }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            // A FIFO or a device would block or never end.
            throw ImageFileError(path: path, problem: "not a regular file")
        }
        guard png_image_begin_read_from_file(&control, path) != 0 else { throw failure("not a readable PNG file") }
        control.format = format(channels: channels)
        let (width, height) = (Int(control.width), Int(control.height))
        // The header's size is checked before the pixels are allocated: a tiny file can claim
        // a million by a million pixels.
        guard width * height * channels <= maximumDecodedBytes else {
            png_image_free(&control)
            throw ImageFileError(path: path, problem: "the header claims \(width)×\(height) pixels, more than lab decodes "
                + "(\(maximumDecodedBytes >> 20) MiB per image)")
        }
        var bytes = [UInt8](repeating: 0, count: width * height * channels)
        let ok = bytes.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&control, nil, buffer.baseAddress, Int32(width * channels), nil)
        }
        guard ok != 0 else { throw failure("the PNG data is corrupt or truncated") }
        return PixelImage(width: width, height: height, channels: channels, bytes: bytes)
    }
}

extension Canvas {
    /// The canvas as RGBA bytes, or RGB when every pixel is opaque.
    public func pixelImage() -> PixelImage {
        let opaque = stride(from: 3, to: pixels.count, by: 4).allSatisfy { pixels[$0] == 255 }
        guard opaque else { return PixelImage(width: width, height: height, channels: 4, bytes: pixels) }
        var rgb = [UInt8]()
        rgb.reserveCapacity(width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 4) { rgb.append(contentsOf: pixels[i..<(i + 3)]) }
        return PixelImage(width: width, height: height, channels: 3, bytes: rgb)
    }
}
