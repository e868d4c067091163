import NeuralNet
import SwiftSyntax

/// A lab parameter: a top-level `let NAME = literal` in a step, with its trailing comment.
public struct LabParameter: Sendable, Equatable {
    public var name: String
    /// The literal as written, e.g. `2e-4`.
    public var literal: String
    /// `Int`, `Double`, `String` or `Bool`.
    public var type: String
    public var comment: String
    /// The file line of the declaration.
    public var line: Int
}

extension LabFile {
    /// The lab's parameters, in file order.
    public var parameters: [LabParameter] {
        steps.flatMap { step -> [LabParameter] in
            // A step too costly to parse has none (its run reports why).
            guard case .success(let tree) = GuardedParse.parse(step.source, maximumNestingLevel: Evaluator.maximumNesting) else { return [] }
            let converter = SourceLocationConverter(fileName: path, tree: tree)
            return tree.statements.compactMap { item -> LabParameter? in
                guard let declaration = item.item.as(VariableDeclSyntax.self),
                      declaration.bindingSpecifier.tokenKind == .keyword(.let),
                      declaration.bindings.count == 1, let binding = declaration.bindings.first,
                      let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text,
                      let value = binding.initializer?.value, let type = Self.literalType(value)
                else { return nil }
                let comment = declaration.trailingTrivia.pieces.compactMap { piece -> String? in
                    if case .lineComment(let text) = piece { String(text.dropFirst(2)).trimmingCharacters(in: .whitespaces) } else { nil }
                }.first ?? ""
                let line = step.firstLine + declaration.startLocation(converter: converter).line - 1
                return LabParameter(name: name, literal: value.trimmedDescription, type: type, comment: comment, line: line)
            }
        }
    }

    private static func literalType(_ value: ExprSyntax) -> String? {
        var expression = value
        if let prefix = value.as(PrefixOperatorExprSyntax.self), prefix.operator.text == "-" { expression = prefix.expression }
        if expression.is(IntegerLiteralExprSyntax.self) { return "Int" }
        if expression.is(FloatLiteralExprSyntax.self) { return "Double" }
        if expression.is(BooleanLiteralExprSyntax.self) { return "Bool" }
        if let string = expression.as(StringLiteralExprSyntax.self), string.segments.allSatisfy({ $0.is(StringSegmentSyntax.self) }) {
            return "String"
        }
        return nil
    }

    /// Checks `-P NAME=VALUE` overrides against the parameters: an unknown name suggests the
    /// nearest one, a value of the wrong type says what was expected.
    func resolveOverrides(_ overrides: [String: String]) throws -> [String: Value] {
        let known = parameters
        var result: [String: Value] = [:]
        for (name, text) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = known.first(where: { $0.name == name }) else {
                throw LabError(file: path, line: 1, column: 1,
                               message: "-P \(name): this lab has no parameter '\(name)'" + suggestion(name, in: known.map(\.name))
                                   + (known.isEmpty ? "" : " (its parameters: " + known.map(\.name).joined(separator: ", ") + ")"))
            }
            let value: Value?
            switch parameter.type {
            case "Int": value = Int(text.replacingOccurrences(of: "_", with: "")).map(Value.int)
            case "Double": value = Double(text.replacingOccurrences(of: "_", with: "")).flatMap { $0.isFinite ? Value.double($0) : nil }
            case "Bool": value = ["true": true, "false": false][text].map(Value.bool)
            default: value = .string(text)
            }
            guard let value else {
                throw LabError(file: path, line: parameter.line, column: 1,
                               message: "-P \(name)=\(text): \(name) is \(parameter.type == "Int" ? "an Int (a whole number)" : parameter.type == "Double" ? "a Double (a finite number)" : "a \(parameter.type)"), "
                                   + "and '\(text)' is not one", sourceLine: lines[parameter.line - 1])
            }
            result[name] = value
        }
        return result
    }
}
