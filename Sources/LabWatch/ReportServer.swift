import FileOutput
import FlyingFox
import Foundation
import Synchronization

/// Serves one report folder on loopback for `lab watch`: the page with a small live-reload script
/// of ours added (it asks `/__lab/version` every 0.7 s and reloads when the number changes), the
/// figures and saved files beside it by their plain names, and nothing else. The report itself
/// carries no script; only this served copy does, and no lab's author wrote it.
public final class ReportServer: Sendable {
    /// The folder holding `index.html`.
    public let folder: String
    private let server: HTTPServer
    private let versionNumber = Mutex(0)

    /// A server for `folder` on 127.0.0.1:`port` (0 picks a free port; `start` says which).
    public init(folder: String, port: UInt16) throws {
        self.folder = folder
        server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: port), logger: .disabled)
    }

    /// The number of the report now served; `reportChanged()` counts up.
    public var version: Int { versionNumber.withLock { $0 } }

    /// Tells open pages to reload.
    public func reportChanged() { versionNumber.withLock { $0 += 1 } }

    /// Starts listening in a task of its own; returns the port once connections are accepted.
    public func start() async throws -> UInt16 {
        await server.appendRoute("GET /__lab/version") { [weak self] _ in
            HTTPResponse(statusCode: .ok, headers: Self.headers("text/plain; charset=utf-8"), body: Data(String(self?.version ?? 0).utf8))
        }
        await server.appendRoute("GET *") { [weak self, folder] request in
            Self.file(request.path, in: folder, version: self?.version ?? 0)
        }
        Task { [server] in try? await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port)? = await server.listeningAddress else { throw URLError(.cannotConnectToHost) }
        return port
    }

    /// Closes the connections and stops listening.
    public func stop() async { await server.stop(timeout: 1) }

    /// The largest file served: 1 GiB.
    static let maximumFileBytes = 1 << 30

    /// The response for `path`: the page (with the reload script), a plain file of the folder,
    /// or 404 for anything else (subfolders, `..`, hidden files such as the cache, links, FIFOs,
    /// devices, files over `maximumFileBytes`).
    static func file(_ path: String, in folder: String, version: Int) -> HTTPResponse {
        let name = path == "/" ? "index.html" : String(path.dropFirst())
        if name == "index.html", !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name)) {
            // The first run has not written the report yet: a page that reloads when it has.
            let page = "<!doctype html><meta charset=\"utf-8\"><title>lab watch</title><p>lab is running the lab; "
                + "this page shows the report when it is written.</p>" + liveReloadScript(version: version)
            return HTTPResponse(statusCode: .ok, headers: headers("text/html; charset=utf-8"), body: Data(page.utf8))
        }
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"),
              let bytes = try? StoredFile.read((folder as NSString).appendingPathComponent(name), maximumSize: maximumFileBytes) else {
            return HTTPResponse(statusCode: .notFound, headers: headers("text/plain; charset=utf-8"), body: Data("not found\n".utf8))
        }
        guard name == "index.html" else { return HTTPResponse(statusCode: .ok, headers: headers(contentType(name)), body: Data(bytes)) }
        var page = String(decoding: bytes, as: UTF8.self)
        let script = liveReloadScript(version: version)
        if let end = page.range(of: "</body>", options: .backwards) { page.insert(contentsOf: script, at: end.lowerBound) } else { page += script }
        return HTTPResponse(statusCode: .ok, headers: headers("text/html; charset=utf-8"), body: Data(page.utf8))
    }

    /// Polls the version the page was served with; reloads (keeping the scroll position, as a
    /// reload does) when the report changed, and keeps trying while `lab watch` restarts.
    static func liveReloadScript(version: Int) -> String {
        """
        <script>
        (function () {
          var served = "\(version)";
          function poll() {
            fetch("/__lab/version", { cache: "no-store" })
              .then(function (r) { return r.text(); })
              .then(function (v) { if (v !== served) { location.reload(); } else { setTimeout(poll, 700); } })
              .catch(function () { setTimeout(poll, 2000); });
          }
          setTimeout(poll, 700);
        })();
        </script>

        """
    }

    static func headers(_ contentType: String) -> HTTPHeaders {
        [HTTPHeader("Content-Type"): contentType, HTTPHeader("Cache-Control"): "no-store"]
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "png": "image/png"
        case "gif": "image/gif"
        case "html": "text/html; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
