import Datasets
import FuzzSupport

/// IDX image and label files, raw or gzip (the input decides): every input must end in data or
/// in a `DatasetError`, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    limitMemoryForFuzzing()
    withInputFile(data, count) { path in
        if let images = try? IDX.readImages(path) {
            precondition(images.pixels.count == images.count * images.rows * images.columns)
        }
        _ = try? IDX.readLabels(path)
    }
    return 0
}
