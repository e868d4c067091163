import NeuralNet
import SwiftSyntax

/// One parameter of a DSL function: its label (nil for the first, unlabelled one), the kind of
/// value it takes, and its default (nil when required).
struct ParameterSpec {
    enum Kind: String {
        case int = "Int", number = "Double", string = "String", bool = "Bool", intArray = "[Int]"
        case activation = "Activation", padding = "Padding", tensor = "Tensor", layer = "Layer", any = "value"
        /// Any number of unlabelled values of any type, collected into an array (`print(a, b)`).
        case variadic = "values"
    }

    let label: String?
    let kind: Kind
    let defaultValue: Value?

    init(_ label: String?, _ kind: Kind, _ defaultValue: Value? = nil) {
        self.label = label
        self.kind = kind
        self.defaultValue = defaultValue
    }
}

/// The arguments of one call, matched against a function's parameters and checked for type.
struct Arguments {
    private var values: [String: Value] = [:]

    /// Matches the call's arguments to `specs`: unknown labels, missing arguments and wrong types
    /// are errors at the offending argument, with a "did you mean" for labels.
    init(_ call: FunctionCallExprSyntax, function: String, specs: [ParameterSpec], _ evaluator: Evaluator) throws {
        if let variadic = specs.first, variadic.kind == .variadic {
            if let labelled = call.arguments.first(where: { $0.label != nil }) {
                throw evaluator.error(at: labelled, "\(function) takes values without labels")
            }
            values["#0"] = .array(try call.arguments.map { try evaluator.evaluate($0.expression) })
            return
        }
        var positional = specs.filter { $0.label == nil }
        let labels = specs.compactMap(\.label)
        var given: Set<String> = []
        for argument in call.arguments {
            let key: String
            if let label = argument.label?.text {
                guard labels.contains(label) else {
                    let expected = labels.isEmpty ? "it takes no labelled arguments" : "it takes " + labels.map { "'\($0):'" }.joined(separator: ", ")
                    throw evaluator.error(at: argument, "\(function) has no argument '\(label):'" + suggestion(label, in: labels)
                        + (nearest(label, in: labels) == nil ? "; \(expected)" : ""))
                }
                key = label
            } else {
                guard !positional.isEmpty else {
                    throw evaluator.error(at: argument, "\(function) takes no more unlabelled arguments; label this one"
                        + (labels.isEmpty ? "" : " (" + labels.map { "'\($0):'" }.joined(separator: ", ") + ")"))
                }
                positional.removeFirst()
                key = "#\(given.filter { $0.hasPrefix("#") }.count)"
            }
            guard given.insert(key).inserted else { throw evaluator.error(at: argument, "\(function) got '\(key):' twice") }
            let spec = specs.first { ($0.label ?? "") == key } ?? specs.filter { $0.label == nil }[Int(key.dropFirst())!]
            values[key] = try Self.check(try evaluator.evaluate(argument.expression), spec, function: function,
                                         name: spec.label.map { "'\($0):'" } ?? "its value", at: argument, evaluator)
        }
        for (index, spec) in specs.filter({ $0.label == nil }).enumerated() where values["#\(index)"] == nil {
            guard let value = spec.defaultValue else {
                throw evaluator.error(at: call, "\(function) needs a value (\(spec.kind.rawValue)) as its first argument")
            }
            values["#\(index)"] = value
        }
        for spec in specs where spec.label != nil && values[spec.label!] == nil {
            guard let value = spec.defaultValue else {
                throw evaluator.error(at: call, "\(function) is missing its argument '\(spec.label!):' (\(spec.kind.rawValue))")
            }
            values[spec.label!] = value
        }
    }

    private static func check(_ value: Value, _ spec: ParameterSpec, function: String, name: String,
                              at node: some SyntaxProtocol, _ evaluator: Evaluator) throws -> Value {
        switch (spec.kind, value) {
        case (.int, .int), (.string, .string), (.bool, .bool), (.activation, .activation), (.padding, .padding),
             (.tensor, .tensor), (.layer, .layer), (.any, _), (.number, .double):
            return value
        case (.number, .int(let v)):
            return .double(Double(v))
        case (.intArray, .array(let items)) where items.allSatisfy { if case .int = $0 { true } else { false } }:
            return value
        case (.int, .double(let v)):
            throw evaluator.error(at: node, "\(function) expects a whole number for \(name), got \(Value.format(v))")
        case (_, .string(let text)):
            // Keras's `activation='tanh'`, `padding='same'`: name the option it means.
            let options = evaluator.environment.vocabulary.options.filter { $0.value.typeName == spec.kind.rawValue }
            let plain = { (name: String) in name.lowercased().filter { $0 != "_" } }
            let meant = options.keys.sorted().first { plain($0) == plain(text) }
            throw evaluator.error(at: node, "\(function) expects \(spec.kind.rawValue) for \(name), got the string \"\(PythonHabits.quote(text))\""
                + (meant.map { "; write .\($0) (options are written with a dot, not as Keras's strings)" }
                   ?? (options.isEmpty ? "" : "; the options are " + options.keys.sorted().map { "." + $0 }.joined(separator: ", "))))
        default:
            throw evaluator.error(at: node, "\(function) expects \(spec.kind.rawValue) for \(name), got \(value.typeName)")
        }
    }

    /// The first, second, … unlabelled argument.
    subscript(position: Int) -> Value { values["#\(position)"]! }
    /// A labelled argument.
    subscript(label: String) -> Value { values[label]! }

    func int(_ key: String) -> Int { if case .int(let v) = value(key) { v } else { 0 } }
    func float(_ key: String) -> Float { Float(double(key)) }
    func double(_ key: String) -> Double { if case .double(let v) = value(key) { v } else { 0 } }
    func string(_ key: String) -> String { if case .string(let v) = value(key) { v } else { "" } }
    func bool(_ key: String) -> Bool { if case .bool(let v) = value(key) { v } else { false } }
    func ints(_ key: String) -> [Int] {
        if case .array(let items) = value(key) { items.compactMap { if case .int(let v) = $0 { v } else { nil } } } else { [] }
    }
    func activation(_ key: String) -> Activation { if case .activation(let v) = value(key) { v } else { .linear } }
    func padding(_ key: String) -> Padding { if case .padding(let v) = value(key) { v } else { .valid } }

    private func value(_ key: String) -> Value { values[key] ?? .void }
}
