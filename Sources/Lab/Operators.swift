import SwiftSyntax

/// Arithmetic, comparison, logic and ranges between DSL values.
enum Operators {
    static func apply(_ infix: InfixOperatorExprSyntax, _ evaluator: Evaluator) throws -> Value {
        if infix.operator.is(AssignmentExprSyntax.self) {
            try assign(infix, evaluator) { try evaluator.evaluate(infix.rightOperand) }
            return .void
        }
        if let compound = infix.operator.as(BinaryOperatorExprSyntax.self)?.operator.text,
           ["+=", "-=", "*=", "/="].contains(compound) {
            try assign(infix, evaluator) { try combine(infix, String(compound.dropLast()), evaluator) }
            return .void
        }
        return try combine(infix, nil, evaluator)
    }

    /// `name = value`: only a `var` declared earlier can change.
    private static func assign(_ infix: InfixOperatorExprSyntax, _ evaluator: Evaluator, _ value: () throws -> Value) throws {
        guard let name = infix.leftOperand.as(DeclReferenceExprSyntax.self)?.baseName.text else {
            throw evaluator.error(at: infix.leftOperand, "unsupported syntax: only a name can be assigned to, as in 'step = step + 1'")
        }
        guard evaluator.environment.bindings[name] != nil else { throw evaluator.error(at: infix.leftOperand, "unknown name '\(name)'; declare it with 'var \(name) = …' first") }
        guard !evaluator.environment.constants.contains(name) else {
            throw evaluator.error(at: infix.leftOperand, "'\(name)' is a constant (let); declare it with var to change it")
        }
        evaluator.environment.bindings[name] = try value()
    }

    /// The value of `left op right`; `op` defaults to the written operator.
    private static func combine(_ infix: InfixOperatorExprSyntax, _ written: String?, _ evaluator: Evaluator) throws -> Value {
        guard let op = written ?? infix.operator.as(BinaryOperatorExprSyntax.self)?.operator.text else {
            throw evaluator.error(at: infix, "unsupported syntax '\(infix.operator.trimmedDescription)'")
        }
        let left = try evaluator.evaluate(infix.leftOperand)
        if op == "&&" || op == "||" {
            guard case .bool(let a) = left else { throw evaluator.error(at: infix.leftOperand, "'\(op)' needs Bool, got \(left.typeName)") }
            if op == "&&" && !a { return .bool(false) }
            if op == "||" && a { return .bool(true) }
            let right = try evaluator.evaluate(infix.rightOperand)
            guard case .bool(let b) = right else { throw evaluator.error(at: infix.rightOperand, "'\(op)' needs Bool, got \(right.typeName)") }
            return .bool(b)
        }
        let right = try evaluator.evaluate(infix.rightOperand)
        func fail() -> LabError {
            evaluator.error(at: infix.operator, "cannot apply '\(op)' to \(left.typeName) and \(right.typeName)")
        }
        switch (left, right) {
        case (.int(let a), .int(let b)):
            switch op {
            case "+": return .int(a &+ b)
            case "-": return .int(a &- b)
            case "*": return .int(a &* b)
            case "/", "%":
                guard b != 0 else { throw evaluator.error(at: infix.rightOperand, "division by zero") }
                return .int(op == "/" ? a / b : a % b)
            case "...":
                guard a <= b else { throw evaluator.error(at: infix, "the range \(a)...\(b) is empty: its start is after its end") }
                return .array((a...b).map(Value.int))
            case "..<":
                guard a <= b else { throw evaluator.error(at: infix, "the range \(a)..<\(b) runs backwards") }
                return .array((a..<b).map(Value.int))
            default: return try compare(Double(a), Double(b), op) ?? { throw fail() }()
            }
        case (.int, .double), (.double, .int), (.double, .double):
            let (a, b) = (number(left)!, number(right)!)
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: return try compare(a, b, op) ?? { throw fail() }()
            }
        case (.string(let a), .string(let b)):
            switch op {
            case "+": return .string(a + b)
            case "==": return .bool(a == b)
            case "!=": return .bool(a != b)
            default: throw fail()
            }
        default:
            throw fail()
        }
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    private static func compare(_ a: Double, _ b: Double, _ op: String) -> Value? {
        switch op {
        case "==": .bool(a == b)
        case "!=": .bool(a != b)
        case "<": .bool(a < b)
        case "<=": .bool(a <= b)
        case ">": .bool(a > b)
        case ">=": .bool(a >= b)
        default: nil
        }
    }
}
