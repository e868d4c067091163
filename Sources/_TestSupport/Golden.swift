import Foundation
import NeuralNet

/// Reads `keras-golden.json` from the course's shared folder (`../shared/golden/` beside the
/// repository, or the folder named by `LAB_SHARED`).
public enum Golden {
    /// The shared folder holding `golden/`, `data/` and `course/`.
    public static var sharedFolder: URL {
        if let path = ProcessInfo.processInfo.environment["LAB_SHARED"] { return URL(fileURLWithPath: path) }
        // Sources/_TestSupport/Golden.swift → repository root → its parent.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared")
    }

    nonisolated(unsafe) private static var cachedCases: [String: Any]?
    private static let lock = NSLock()

    /// The `cases` object of the golden file.
    public static func cases() throws -> [String: Any] {
        lock.lock()
        defer { lock.unlock() }
        if let cachedCases { return cachedCases }
        let url = sharedFolder.appendingPathComponent("golden/keras-golden.json")
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [String: Any]
        else { throw GoldenError("\(url.path) has no 'cases' object") }
        cachedCases = cases
        return cases
    }

    /// The `cases` object of a golden file of our own, committed in the repository's `Tests/Golden/`
    /// (made once by a script in `scripts/` that runs Keras).
    public static func repositoryCases(_ fileName: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Golden/\(fileName)")
        guard let root = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any],
              let cases = root["cases"] as? [String: Any]
        else { throw GoldenError("\(url.path) has no 'cases' object") }
        return cases
    }

    /// One layer case by name, e.g. `dense_4_to_3`.
    public static func layer(_ name: String) throws -> LayerCase {
        guard let object = try cases()[name] as? [String: Any] else { throw GoldenError("no golden case \(name)") }
        return LayerCase(name: name, object: object)
    }

    /// The names of all cases whose layer class is `layerClass`.
    public static func layerCases(of layerClass: String) throws -> [String] {
        try cases().compactMap { name, value in
            ((value as? [String: Any])?["layer"] as? String) == layerClass ? name : nil
        }.sorted()
    }

    /// A top-level object such as `losses`, `optimizers` or `parameter_counts`.
    public static func object(_ name: String) throws -> [String: Any] {
        guard let object = try cases()[name] as? [String: Any] else { throw GoldenError("no golden object \(name)") }
        return object
    }

    /// A `{"shape": [...], "data": [...]}` value as a tensor.
    public static func tensor(_ value: Any?) throws -> Tensor {
        guard let object = value as? [String: Any], let shape = object["shape"] as? [Int],
              let data = object["data"] as? [Double]
        else { throw GoldenError("not a tensor: \(String(describing: value).prefix(80))") }
        return Tensor(shape: shape, scalars: data.map { Float($0) })
    }
}

/// One layer case of the golden file.
public struct LayerCase {
    public let name: String
    public let object: [String: Any]

    public init(name: String, object: [String: Any]) {
        self.name = name
        self.object = object
    }

    public var config: [String: Any] { object["config"] as? [String: Any] ?? [:] }
    public var training: Bool { object["training"] as? Bool ?? true }
    public var input: Tensor { get throws { try Golden.tensor(object["input"]) } }
    public var output: Tensor { get throws { try Golden.tensor(object["output"]) } }
    public var upstreamGradient: Tensor { get throws { try Golden.tensor(object["upstream_gradient"]) } }

    /// A weight before the call, e.g. `kernel`.
    public func weight(_ name: String) throws -> Tensor {
        try Golden.tensor((object["weights"] as? [String: Any])?[name])
    }

    /// A weight after the call (batch normalisation's moving statistics).
    public func weightAfter(_ name: String) throws -> Tensor {
        try Golden.tensor((object["weights_after"] as? [String: Any])?[name])
    }

    /// The gradient of `sum(output * upstream)` for `input` or a weight name.
    public func gradient(_ name: String) throws -> Tensor {
        try Golden.tensor((object["gradients"] as? [String: Any])?[name])
    }

    /// Whether the case has a gradient for `name`.
    public func hasGradient(_ name: String) -> Bool {
        (object["gradients"] as? [String: Any])?[name] != nil
    }
}

/// A golden file that is missing or not as expected.
public struct GoldenError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
