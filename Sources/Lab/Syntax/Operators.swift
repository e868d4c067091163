import NeuralNet
import SwiftSyntax

/// Arithmetic, comparison, logic and ranges between DSL values.
enum Operators {
    static func apply(_ infix: InfixOperatorExprSyntax, _ evaluator: Evaluator) throws -> Value {
        if infix.operator.is(AssignmentExprSyntax.self) {
            try assign(infix, evaluator) { try evaluator.evaluate(infix.rightOperand) }
            return .void
        }
        if let compound = infix.operator.as(BinaryOperatorExprSyntax.self)?.operator.text, compound == "+=",
           let name = infix.leftOperand.as(DeclReferenceExprSyntax.self)?.baseName.text,
           case .array(var items)? = evaluator.environment.bindings[name], !evaluator.environment.constants.contains(name) {
            // `losses += [loss]` in a loop: appended in place, so a long loop stays linear.
            let right = try evaluator.evaluate(infix.rightOperand)
            guard case .array(let more) = right else {
                throw evaluator.error(at: infix.operator, "cannot apply '+=' to Array and \(right.typeName); append an array, as in 'losses += [loss]'")
            }
            try checkArrayLength(items.count + more.count, at: infix, evaluator)
            evaluator.environment.bindings[name] = .void  // the only reference left is `items`
            items.append(contentsOf: more)
            evaluator.environment.bindings[name] = .array(items)
            return .void
        }
        if let compound = infix.operator.as(BinaryOperatorExprSyntax.self)?.operator.text,
           ["+=", "-=", "*=", "/="].contains(compound) {
            try assign(infix, evaluator) { try combine(infix, String(compound.dropLast()), evaluator) }
            return .void
        }
        return try combine(infix, nil, evaluator)
    }

    /// The most values one array may hold (about 40 MB of values).
    static let maximumArrayLength = 1_000_000

    static func checkArrayLength(_ count: Int, at node: some SyntaxProtocol, _ evaluator: Evaluator) throws {
        guard count <= maximumArrayLength else {
            throw evaluator.error(at: node, "an array may hold at most \(groupThousands(maximumArrayLength)) values; this one would hold \(groupThousands(count))")
        }
    }

    static func checkStringLength(_ bytes: Int, at node: some SyntaxProtocol, _ evaluator: Evaluator) throws {
        guard bytes <= Value.maximumStringBytes else {
            throw evaluator.error(at: node, "a string may hold at most 16 MiB; this one would hold \(groupThousands(bytes)) bytes")
        }
    }

    /// `name = value`: only a `var` declared earlier can change; `model.property = value` sets
    /// what the value's domain lets a lab set (`discriminator.trainable = false`).
    private static func assign(_ infix: InfixOperatorExprSyntax, _ evaluator: Evaluator, _ value: () throws -> Value) throws {
        if let member = infix.leftOperand.as(MemberAccessExprSyntax.self), member.base != nil {
            try evaluator.environment.vocabulary.set(member, to: try value(), evaluator)
            return
        }
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
            // Checked: an overflow is an error at the operator, never a wrapped or trapped value.
            func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Value {
                guard !result.overflow else {
                    throw evaluator.error(at: infix.operator, "\(a) \(op) \(b) overflows: whole numbers go from \(Int.min) to \(Int.max)")
                }
                return .int(result.partialValue)
            }
            switch op {
            case "+": return try checked(a.addingReportingOverflow(b))
            case "-": return try checked(a.subtractingReportingOverflow(b))
            case "*": return try checked(a.multipliedReportingOverflow(by: b))
            case "/", "%":
                guard b != 0 else { throw evaluator.error(at: infix.rightOperand, "division by zero") }
                return try checked(op == "/" ? a.dividedReportingOverflow(by: b) : a.remainderReportingOverflow(dividingBy: b))
            case "...", "..<":
                return .array(try IntRange.elements(a, b, closed: op == "...", at: infix, evaluator))
            default: return try compare(a, b, op) ?? { throw fail() }()
            }
        case (.int, .double), (.double, .int), (.double, .double):
            // A whole number meets a fraction: compared exactly, computed as Double.
            if case .int(let a) = left, case .double(let b) = right, let order = exactOrder(a, b), let result = compare(order, 0, op) { return result }
            if case .double(let a) = left, case .int(let b) = right, let order = exactOrder(b, a), let result = compare(0, order, op) { return result }
            let (a, b) = (number(left)!, number(right)!)
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: return try compare(a, b, op) ?? { throw fail() }()
            }
        case (.array(let a), .array(let b)) where op == "+":
            try checkArrayLength(a.count + b.count, at: infix, evaluator)
            return .array(a + b)
        case (.string(let a), .string(let b)):
            switch op {
            case "+":
                try checkStringLength(a.utf8.count + b.utf8.count, at: infix, evaluator)
                return .string(a + b)
            case "==": return .bool(a == b)
            case "!=": return .bool(a != b)
            default: throw fail()
            }
        default:
            throw fail()
        }
    }

    /// -1, 0 or 1 as the whole number `a` is below, equal to or above `b`, exactly (a Double
    /// conversion would call 2⁵³ + 1 equal to 2⁵³); nil when `b` is NaN.
    static func exactOrder(_ a: Int, _ b: Double) -> Int? {
        guard !b.isNaN else { return nil }
        if b >= 9.223372036854775807e18 { return -1 }
        if b < -9.223372036854775807e18 { return 1 }
        let whole = Int(b.rounded(.down))
        if a != whole { return a < whole ? -1 : 1 }
        return b > Double(whole) ? -1 : 0
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    private static func compare<T: Comparable>(_ a: T, _ b: T, _ op: String) -> Value? {
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
