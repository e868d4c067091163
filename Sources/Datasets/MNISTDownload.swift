import FileOutput
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `lab data fetch mnist`: the four standard MNIST files, downloaded over HTTPS into a folder
/// (by default the per-user cache that the data search looks in), each checked against its
/// published MD5 sum before it is put in place.
public struct MNISTDownload: Sendable {
    /// A file to fetch and the MD5 sum it must have.
    public struct File: Sendable, Equatable {
        public var name: String
        public var md5: String

        public init(name: String, md5: String) {
            self.name = name
            self.md5 = md5
        }
    }

    /// The standard files and their sums (as listed by the MNIST distributors).
    public static let standardFiles = [
        File(name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        File(name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432"),
        File(name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3"),
        File(name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c"),
    ]

    /// Public mirrors, tried in order: the one TensorFlow's datasets use, then PyTorch's.
    public static let standardMirrors = [
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
    ]

    /// Base URLs tried in order for each file.
    public var mirrors: [String]
    /// The files and their sums.
    public var files: [File]
    /// Where the files go.
    public var destination: String

    public init(destination: String, mirrors: [String] = MNISTDownload.standardMirrors, files: [File] = MNISTDownload.standardFiles) {
        self.destination = destination
        self.mirrors = mirrors
        self.files = files
    }

    /// What happened to one file.
    public enum Result: Sendable, Equatable {
        /// Already there with the right sum.
        case present(String)
        /// Downloaded from the URL and checked.
        case downloaded(String, from: String)
    }

    /// Fetches each file that is missing or wrong. A mirror that fails (no connection, an HTTP
    /// error, a wrong sum) is reported and the next is tried; when all fail the error lists every
    /// attempt. Files are written to a temporary name and renamed, so nothing half-downloaded or
    /// unchecked is ever left under a real name.
    public func run(log: @Sendable (String) -> Void = { _ in }) async throws -> [Result] {
        for mirror in mirrors {
            guard let url = URL(string: mirror), let scheme = url.scheme?.lowercased() else {
                throw DatasetError(path: mirror, "not a URL")
            }
            let loopback = ["127.0.0.1", "localhost", "::1"].contains(url.host ?? "")
            guard scheme == "https" || (scheme == "http" && loopback) else {
                throw DatasetError(path: mirror, "only HTTPS mirrors are allowed (plain HTTP only on this computer, for tests)")
            }
        }
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        var results: [Result] = []
        for file in files {
            let target = (destination as NSString).appendingPathComponent(file.name)
            // Read as untrusted (no link, FIFO or huge file; the archives are at most 10 MB):
            // anything else is downloaded again and replaced.
            if let existing = try? StoredFile.read(target, maximumSize: 64 << 20), MD5.hex(existing) == file.md5 {
                log("\(file.name): already present and correct")
                results.append(.present(target))
                continue
            }
            var failures: [String] = []
            var fetched: String?
            for mirror in mirrors {
                let address = mirror.hasSuffix("/") ? mirror + file.name : mirror + "/" + file.name
                log("\(file.name): downloading \(address)")
                do {
                    let bytes = try await download(address)
                    let sum = MD5.hex(bytes)
                    guard sum == file.md5 else {
                        failures.append("\(address): MD5 \(sum), expected \(file.md5)")
                        continue
                    }
                    let temporary = target + ".partial"
                    try Data(bytes).write(to: URL(fileURLWithPath: temporary))
                    guard rename(temporary, target) == 0 else {
                        try? FileManager.default.removeItem(atPath: temporary)
                        throw DatasetError(path: target, "cannot move the downloaded file into place")
                    }
                    fetched = address
                    break
                } catch let failure as DatasetError {
                    failures.append(failure.description)
                }
            }
            guard let fetched else {
                throw DatasetError(path: file.name, "could not be downloaded:\n  " + failures.joined(separator: "\n  "))
            }
            results.append(.downloaded(target, from: fetched))
        }
        return results
    }

    private func download(_ address: String) async throws -> [UInt8] {
        guard let url = URL(string: address) else { throw DatasetError(path: address, "not a URL") }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(from: url)
        } catch {
            throw DatasetError(path: address, "no connection (\(error.localizedDescription))")
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw DatasetError(path: address, "HTTP status \(http.statusCode)")
        }
        return Array(data)
    }
}
