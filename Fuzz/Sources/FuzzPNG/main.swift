import Datasets
import FuzzSupport
import Raster

/// PNG through libpng, in every channel layout: every input must decode or end in an
/// `ImageFileError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    limitMemoryForFuzzing()
    withInputFile(data, count, suffix: ".png") { path in
        for channels in [1, 3, 4] {
            if let image = try? PNG.read(path, channels: channels) {
                precondition(image.bytes.count == image.width * image.height * channels)
                _ = BilinearResize.resize(image.bytes.prefix(4096).map(Float.init), height: 1, width: min(image.bytes.count, 4096) / channels,
                                          channels: channels, toHeight: 2, toWidth: 3)
            }
        }
    }
    return 0
}
