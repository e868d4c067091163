import Datasets
import NeuralNet
import SwiftSyntax

/// The DSL's vocabulary, named and labelled like the chapter's Keras code: the domains' tables
/// merged once per run, and the dispatch of calls, methods, properties and options to them.
/// `docs/DSL.md` lists every entry. A new entry goes into its domain's file; a new domain into
/// `domains` below.
struct Vocabulary {
    /// Every domain, in the order `docs/DSL.md` presents them.
    static var domains: [VocabularyDomain] { [basics, layers, data, training, objectives, classic, figures, comparison, evaluation, study, conditional] }

    let functions: [String: VocabularyDomain.Function]
    let methods: [String: [String: VocabularyDomain.Method]]
    let properties: [String: [String: VocabularyDomain.Property]]
    let setters: [String: [String: VocabularyDomain.Setter]]
    let options: [String: Value]

    /// Merges the domains; a name two domains define is a programming error that
    /// `Vocabulary.duplicates` reports (and a test checks is empty), the first domain wins here.
    init(domains: [VocabularyDomain] = Vocabulary.domains) {
        functions = domains.reduce(into: [:]) { $0.merge($1.functions) { first, _ in first } }
        methods = domains.reduce(into: [:]) { all, domain in
            for (type, table) in domain.methods { all[type, default: [:]].merge(table) { first, _ in first } }
        }
        properties = domains.reduce(into: [:]) { all, domain in
            for (type, table) in domain.properties { all[type, default: [:]].merge(table) { first, _ in first } }
        }
        setters = domains.reduce(into: [:]) { all, domain in
            for (type, table) in domain.setters { all[type, default: [:]].merge(table) { first, _ in first } }
        }
        options = domains.reduce(into: [:]) { $0.merge($1.options) { first, _ in first } }
    }

    /// Names defined by more than one domain ("function Dense", "method Dataset.scaled", …).
    static func duplicates(in domains: [VocabularyDomain] = Vocabulary.domains) -> [String] {
        var seen: [String: Int] = [:]
        for domain in domains {
            for name in domain.functions.keys { seen["function \(name)", default: 0] += 1 }
            for name in domain.options.keys { seen["option .\(name)", default: 0] += 1 }
            for (type, table) in domain.methods { for name in table.keys { seen["method \(type).\(name)", default: 0] += 1 } }
            for (type, table) in domain.properties { for name in table.keys { seen["property \(type).\(name)", default: 0] += 1 } }
            for (type, table) in domain.setters { for name in table.keys { seen["setter \(type).\(name)", default: 0] += 1 } }
        }
        return seen.filter { $0.value > 1 }.map(\.key).sorted()
    }

    var functionNames: [String] { Array(functions.keys) }

    /// Evaluates a call: a vocabulary function, a model applied to a tensor, or a method.
    func call(_ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        if let member = call.calledExpression.as(MemberAccessExprSyntax.self), let base = member.base {
            return try method(member, on: try evaluator.evaluate(base), call, evaluator)
        }
        guard let name = call.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text else {
            throw evaluator.error(at: call.calledExpression, "unsupported syntax '\(call.calledExpression.trimmedDescription)'")
        }
        switch evaluator.environment.bindings[name] {
        case .model(let model)?: return try Vocabulary.apply(model, call, evaluator)
        case .loss(let loss)?: return try Vocabulary.apply(loss, name: name, call, evaluator)
        default: break
        }
        guard let function = functions[name] else {
            throw evaluator.error(at: call.calledExpression, "unknown function '\(name)'" + suggestion(name, in: functionNames))
        }
        if let block = call.trailingClosure, name != "Sequential" {
            throw evaluator.error(at: block, "\(name) takes no block")
        }
        return try function.run(try Arguments(call, function: name, specs: function.specs, evaluator), call, evaluator)
    }

    private func method(_ member: MemberAccessExprSyntax, on value: Value, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        let name = member.declName.baseName.text
        let table = methods[value.typeName] ?? [:]
        guard let method = table[name] else {
            throw evaluator.error(at: member.declName, "\(value.typeName) has no method '\(name)()'" + suggestion(name, in: Array(table.keys)))
        }
        return try method(value, call, evaluator)
    }

    /// `value.name`, or an implicit option `.name` when there is no base.
    func member(_ member: MemberAccessExprSyntax, _ evaluator: Evaluator) throws -> Value {
        let name = member.declName.baseName.text
        guard let base = member.base else {
            if let option = options[name] { return option }
            throw evaluator.error(at: member, "unknown option '.\(name)'" + suggestion(name, in: Array(options.keys)))
        }
        let value = try evaluator.evaluate(base)
        let table = properties[value.typeName] ?? [:]
        guard let property = table[name] else {
            throw evaluator.error(at: member.declName, "\(value.typeName) has no property '\(name)'" + suggestion(name, in: Array(table.keys)))
        }
        return try property(value, member, evaluator)
    }

    /// `value.name = newValue`, for the properties a domain lets a lab set.
    func set(_ member: MemberAccessExprSyntax, to newValue: Value, _ evaluator: Evaluator) throws {
        guard let base = member.base else { throw evaluator.error(at: member, "unsupported syntax: assign to a name or to value.property") }
        let name = member.declName.baseName.text
        let value = try evaluator.evaluate(base)
        let table = setters[value.typeName] ?? [:]
        guard let setter = table[name] else {
            let readable = properties[value.typeName]?[name] != nil
            throw evaluator.error(at: member.declName, "\(value.typeName)'s '\(name)' " + (readable ? "can be read but not set" : "is not a property that can be set")
                + suggestion(name, in: Array(table.keys)))
        }
        try setter(value, newValue, member, evaluator)
    }

    /// Turns a library error into one located at `call`.
    static func wrap<T>(_ call: FunctionCallExprSyntax, _ evaluator: Evaluator, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as NeuralNetError {
            throw evaluator.error(at: call, failure.message)
        } catch let failure as DivergenceError {
            throw evaluator.error(at: call, failure.description)
        } catch let failure as DatasetError {
            throw evaluator.error(at: call, failure.description)
        }
    }
}
