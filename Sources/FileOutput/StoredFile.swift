#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading files that could be anything: what a lab names, and what `lab` itself stored earlier
/// (step cache entries, the trained evaluator), which anyone may have replaced. Nothing blocks
/// and nothing is read before the file is known to be a regular file of an acceptable size.
public enum StoredFile {
    /// Opens `path` for reading without blocking (a FIFO would wait for a writer) and checks,
    /// before any read, that it is a regular file (not a folder, a device, a FIFO or a socket);
    /// returns the descriptor, which the caller closes, and the file's size. With
    /// `followingLinks` false a symbolic link is refused instead of followed.
    public static func openRegular(_ path: String, followingLinks: Bool) throws -> (descriptor: Int32, size: Int) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | (followingLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let problem: StoredFileError.Problem = errno == ENOENT ? .missing : !followingLinks && errno == ELOOP ? .link : .unreadable
            throw StoredFileError(path: path, problem: problem)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw StoredFileError(path: path, problem: .notRegular)
        }
        return (descriptor, Int(status.st_size))
    }

    /// The bytes of a file `lab` stored itself, as they are on disk: a link is refused, and a file
    /// larger than `limit` is refused from its size before a byte is read.
    public static func read(_ path: String, maximumSize limit: Int) throws -> [UInt8] {
        let (descriptor, size) = try openRegular(path, followingLinks: false)
        defer { close(descriptor) }
        guard size <= limit else { throw StoredFileError(path: path, problem: .tooLarge(size: size, limit: limit)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, size - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw StoredFileError(path: path, problem: .endedEarly) }
            filled += count
        }
        return bytes
    }
}

/// A file `StoredFile` would not read, and why.
public struct StoredFileError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable, Sendable {
        case missing, unreadable, link, notRegular, endedEarly
        case tooLarge(size: Int, limit: Int)
    }

    public var path: String
    public var problem: Problem

    /// What is wrong, without the path.
    public var reason: String {
        switch problem {
        case .missing: "no such file"
        case .unreadable: "cannot open the file (not readable)"
        case .link: "is a symbolic link, which lab does not follow here"
        case .notRegular: "not a regular file (a folder, a device, a FIFO or a socket); lab reads only files"
        case .endedEarly: "the file ended early or could not be read (did it change while lab read it?)"
        case .tooLarge(let size, let limit):
            // Exact counts when the rounded ones would read the same ("64 MiB, more than 64 MiB").
            ByteCount.describe(size) == ByteCount.describe(limit)
                ? "holds \(size) bytes, more than the \(limit) lab reads from such a file"
                : "holds \(ByteCount.describe(size)), more than the \(ByteCount.describe(limit)) lab reads from such a file"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// The system's `read(2)` (inside `StoredFile`, `read` names its own static method).
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
