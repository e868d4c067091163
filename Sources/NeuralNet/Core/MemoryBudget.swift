#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FileOutput

/// How much memory one tensor, data set or decoded image may take: half of the machine's
/// memory (or `LAB_MEMORY_LIMIT`, in bytes or with a K/M/G suffix). Sizes are checked against it
/// before anything is allocated, so an absurd size is an error that says how much was asked,
/// never a crash of the whole process.
public enum MemoryBudget {
    /// The budget in bytes.
    public static let bytes: Int = {
        if let text = getenv("LAB_MEMORY_LIMIT").map({ String(cString: $0) }), let limit = parse(text) { return limit }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 1 << 32 }
        return Int(pages) / 2 * Int(pageSize)
    }()

    /// How much the whole process may hold while a lab's steps run: twice the budget for one
    /// tensor, at most three quarters of the machine's memory. A loop that keeps tensors (each
    /// within the budget) stops with an error here instead of being killed by the system.
    public static let processBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        let machine = pages > 0 && pageSize > 0 ? Int(pages) * Int(pageSize) : 1 << 33
        let (twice, overflow) = bytes.multipliedReportingOverflow(by: 2)
        return min(overflow ? Int.max : twice, machine / 4 * 3)
    }()

    /// The process's resident memory now, in bytes (`/proc/self/statm`); nil where it cannot
    /// be read, and on systems other than Linux.
    public static func residentBytes() -> Int? {
        #if os(Linux)
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "size resident shared …", in pages.
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil  // Not measured elsewhere (each tensor is still checked before it is made).
        #endif
    }

    /// `123`, `64K`, `512M`, `2G` (binary units); nil when not a positive size.
    static func parse(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text.uppercased())
        var scale = 1
        if let last = digits.last, let unit = units[last] { scale = unit; digits = digits.dropLast() }
        guard let value = Int(digits), value > 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// The number of elements of `shape`, or nil when a size is negative or the product overflows.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Checks that `count` elements of `elementSize` bytes fit the budget; the error says what was
    /// asked (`what`), how much that is and how much there is.
    public static func check(elements count: Int?, elementSize: Int = 4, _ what: @autoclosure () -> String) throws {
        guard let count, count >= 0 else {
            throw NeuralNetError("\(what()) is too large to count (the sizes overflow)")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, bytes <= Self.bytes else {
            throw NeuralNetError("\(what()) needs \(overflow ? "more than 9 EB" : describe(bytes)) of memory; "
                + "lab allows \(describe(Self.bytes)) for one tensor on this machine (half of its memory; LAB_MEMORY_LIMIT sets it)")
        }
    }

    /// `512 MiB`, `12.0 GiB`, `3.4 TiB` (`ByteCount.describe`).
    public static func describe(_ bytes: Int) -> String { ByteCount.describe(bytes) }
}
