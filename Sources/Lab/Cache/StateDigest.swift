import Datasets
import NeuralNet

/// Feeds any value into a `StateHasher` by reflection: every stored property of every struct,
/// class, enum payload, tuple and collection, recursively. Nothing has to be listed by hand, so
/// a setting added to a layer, an optimizer or a data set is part of the fingerprint the day it
/// is added (a field left out of a hand-written digest served stale cache entries before).
///
/// - Objects are numbered in the order they are first met; meeting one again writes its number,
///   so shared objects (a GAN's generator that is also bound to a name) are seen as shared, and
///   no address ever enters the digest.
/// - Dictionaries and sets are fingerprinted element by element and the element digests sorted,
///   because their order changes from process to process.
/// - `TransientStorage` values (a forward pass's memory, scratch buffers) are skipped;
///   `CanonicalState` values (parameters without their gradient, optimizer moments, the random
///   generator's position, a history without its wall-clock times) are replaced by their
///   canonical description.
/// - Tensors and plain arrays are hashed as raw bytes.
struct StateEncoder {
    private(set) var hasher = StateHasher()
    private var objects: [ObjectIdentifier: Int] = [:]
    /// Arrays met so far, by storage, numbered in order (each kept, so that no storage is freed
    /// and its address reused while the encoder runs).
    private var arrays: [UnsafeRawPointer: (number: Int, kept: [Value])] = [:]

    /// Whether the DSL's plain values (numbers, text, truth values and arrays of them) are
    /// written directly rather than through `Mirror`, which costs some 50 times as much: a lab
    /// may hold thousands of names, each fingerprinted after every step. The bytes are the
    /// same either way (tests compare them), except that an array whose storage was met before
    /// is written directly as a reference to it (see `encodeDirectly`).
    private let directValues: Bool

    init(directValues: Bool = true) { self.directValues = directValues }
    private init(objects: [ObjectIdentifier: Int], directValues: Bool) {
        self.objects = objects
        self.directValues = directValues
    }

    mutating func combine(_ text: String) { hasher.combine(text) }
    mutating func combine(_ value: Int) { hasher.combine(value) }

    mutating func encode(_ value: Any) {
        if directValues, let plain = value as? Value, encodeDirectly(plain) { return }
        if value is TransientStorage { hasher.combine("~transient"); return }
        if encodePlain(value) { return }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .class {
            let identity = ObjectIdentifier(value as AnyObject)
            if let number = objects[identity] {
                hasher.combine("&"); hasher.combine(number)
                return
            }
            objects[identity] = objects.count
        }
        hasher.combine(String(reflecting: type(of: value)))
        if let canonical = value as? CanonicalState {
            encode(canonical.canonicalState)
            return
        }
        switch mirror.displayStyle {
        case .optional:
            hasher.combine(mirror.children.count)
            if let wrapped = mirror.children.first { encode(wrapped.value) }
        case .enum:
            if let payload = mirror.children.first {
                hasher.combine(payload.label ?? "")
                encode(payload.value)
            } else {
                hasher.combine(String(describing: value))
            }
        case .dictionary, .set:
            // Unordered: each element on its own, the element digests sorted.
            var digests: [String] = []
            for child in mirror.children {
                var element = StateEncoder(objects: objects, directValues: directValues)
                element.encode(child.value)
                digests.append(element.hasher.hex)
            }
            hasher.combine(digests.count)
            for digest in digests.sorted() { hasher.combine(digest) }
        case .class:
            var level: Mirror? = mirror
            while let current = level {
                encodeChildren(current)
                level = current.superclassMirror
            }
        case .struct, .tuple, .collection:
            encodeChildren(mirror)
        default:
            // Closures, metatypes and other opaque values: what they print.
            hasher.combine(String(describing: value))
        }
    }

    private mutating func encodeChildren(_ mirror: Mirror) {
        hasher.combine(mirror.children.count)
        for child in mirror.children {
            hasher.combine(child.label ?? "")
            encode(child.value)
        }
    }

    /// A plain `Value` as reflection would write it: the enum's type name, the case's label and
    /// its payload (an array as a collection of labelless children); false for other cases.
    private mutating func encodeDirectly(_ value: Value) -> Bool {
        switch value {
        case .int(let v): start("int"); hasher.combine("i"); hasher.combine(v)
        case .double(let v): start("double"); hasher.combine("d"); hasher.combine(v.bitPattern)
        case .string(let v): start("string"); hasher.combine("s"); hasher.combine(v)
        case .bool(let v): start("bool"); hasher.combine("b"); hasher.combine(v ? 1 : 0)
        case .array(let items) where items.isEmpty:
            // Reflection meets `encodePlain` first, and an empty array casts to `[Float]`.
            start("array")
            hasher.combine("[F]"); hasher.combine([Float]())
        case .array(let items):
            start("array")
            // An array met again (the same storage: `b = a`, or `a = [a, a]`, which holds 2ⁿ
            // numbers in n small arrays) is written as a reference to the first meeting, so the
            // fingerprint costs the memory the values take, not their printed size.
            let storage = items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
            if let met = arrays[storage] {
                hasher.combine("&["); hasher.combine(met.number)
                return true
            }
            arrays[storage] = (arrays.count, items)
            hasher.combine(Self.arrayTypeName); hasher.combine(items.count)
            for item in items {
                hasher.combine("")
                if !encodeDirectly(item) { encode(item) }
            }
        default: return false
        }
        return true
    }

    private mutating func start(_ label: String) {
        hasher.combine(Self.valueTypeName)
        hasher.combine(label)
    }

    private static let valueTypeName = String(reflecting: Value.self)
    private static let arrayTypeName = String(reflecting: [Value].self)

    /// Numbers, text, tensors and plain arrays, written directly; false for anything else.
    private mutating func encodePlain(_ value: Any) -> Bool {
        switch value {
        case let v as Tensor:
            hasher.combine("T"); hasher.combine(v.shape.count)
            for size in v.shape { hasher.combine(size) }
            hasher.combine(v.scalars)
        case let v as [Float]: hasher.combine("[F]"); hasher.combine(v)
        case let v as [UInt8]: hasher.combine("[B]"); hasher.combine(bytes: v)
        case let v as [Int]:
            hasher.combine("[I]"); hasher.combine(v.count)
            v.withUnsafeBytes { hasher.combine(raw: $0) }
        case let v as [UInt64]:
            hasher.combine("[U]"); hasher.combine(v.count)
            v.withUnsafeBytes { hasher.combine(raw: $0) }
        case let v as Int: hasher.combine("i"); hasher.combine(v)
        case let v as Double: hasher.combine("d"); hasher.combine(v.bitPattern)
        case let v as Float: hasher.combine("f"); hasher.combine(UInt64(v.bitPattern))
        case let v as Bool: hasher.combine("b"); hasher.combine(v ? 1 : 0)
        case let v as String: hasher.combine("s"); hasher.combine(v)
        case let v as UInt64: hasher.combine("u64"); hasher.combine(v)
        case let v as UInt32: hasher.combine("u32"); hasher.combine(UInt64(v))
        case let v as Int32: hasher.combine("i32"); hasher.combine(Int(v))
        case let v as UInt8: hasher.combine("u8"); hasher.combine(UInt64(v))
        default: return false
        }
        return true
    }
}

extension Environment {
    /// The fingerprint of everything a later step can see apart from the parameters: every other
    /// binding (name, whether it is a constant, its whole value by reflection), the random
    /// generator's position, the seed and the data set in use. Equal fingerprints, and equal
    /// values of the parameters a step mentions, mean the step computes the same (wall-clock
    /// epoch times aside). A parameter's effect on earlier steps shows in what they left behind.
    func stateDigest() -> String {
        var encoder = StateEncoder()
        encoder.encode(random)
        for name in bindings.keys.sorted() where !parameterNames.contains(name) {
            encoder.combine(name)
            encoder.combine(constants.contains(name) ? 1 : 0)
            encoder.encode(bindings[name]!)
        }
        encoder.combine(seed ?? -1)
        encoder.combine(datasetDescription ?? "")
        return encoder.hasher.hex
    }
}
