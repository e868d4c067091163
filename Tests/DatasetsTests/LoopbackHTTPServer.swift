import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.0 server on 127.0.0.1 for download tests: serves the given files by name,
/// 404 for anything else, one request per connection, on its own thread until `stop()`.
final class LoopbackHTTPServer: @unchecked Sendable {
    let port: Int
    private let socketHandle: Int32
    private let files: [String: [UInt8]]
    private let lock = NSLock()
    private var requested: [String] = []

    /// The paths asked for so far.
    var requests: [String] { lock.withLock { requested } }

    init(files: [String: [UInt8]]) throws {
        self.files = files
        let handle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        socketHandle = handle
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(handle, raw, length) == 0 && listen(handle, 8) == 0 && getsockname(handle, raw, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)/" }

    func stop() {
        shutdown(socketHandle, Int32(SHUT_RDWR))
        close(socketHandle)
    }

    private func serve() {
        while true {
            let connection = accept(socketHandle, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.ends(with: Array("\r\n\r\n".utf8)) {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                request += buffer[0..<count]
            }
            let line = String(decoding: request.prefix(while: { $0 != 13 }), as: UTF8.self).split(separator: " ")
            let path = line.count > 1 ? String(line[1].dropFirst()) : ""
            lock.withLock { requested.append(path) }
            let body = files[path]
            let head = body.map { "HTTP/1.0 200 OK\r\nContent-Length: \($0.count)\r\nConnection: close\r\n\r\n" }
                ?? "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            let response = Array(head.utf8) + (body ?? [])
            var sent = 0
            while sent < response.count {
                let count = response[sent...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                sent += count
            }
            close(connection)
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
