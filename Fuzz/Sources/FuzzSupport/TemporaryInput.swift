#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one fuzz input to a file of its own (the readers take paths), hands the path to
/// `body`, and removes the file.
public func withInputFile(_ data: UnsafeRawPointer, _ count: Int, suffix: String = "", _ body: (String) -> Void) {
    let path = "/tmp/lab-fuzz-\(getpid())\(suffix)"
    let file = fopen(path, "wb")!
    fwrite(data, 1, count, file)
    fclose(file)
    body(path)
    unlink(path)
}

/// Keeps tensors, data sets and decoded images small, so the fuzzer explores instead of
/// allocating: read by `MemoryBudget` before its first use.
public func limitMemoryForFuzzing() {
    setenv("LAB_MEMORY_LIMIT", "256M", 1)
}
