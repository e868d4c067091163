import Datasets
import FuzzSupport

/// MNIST as CSV: every input must load or end in a `DatasetError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    limitMemoryForFuzzing()
    withInputFile(data, count) { path in
        if let dataset = try? CSVDigits.load(path) {
            precondition(dataset.images.count == dataset.count * dataset.images.itemSize)
        }
    }
    return 0
}
