import Foundation
import NeuralNet
import Report
import SwiftOperators
import SwiftParser
import SwiftParserDiagnostics
import SwiftSyntax

/// Evaluates one step: parses it with SwiftParser, reports parser diagnostics at their place in
/// the Markdown file, folds operators, then evaluates the supported subset of Swift one syntax
/// kind at a time. Anything else is "unsupported syntax" at its location.
struct Evaluator {
    let step: LabFile.Step
    let environment: Environment
    private let tree: SourceFileSyntax
    private let converter: SourceLocationConverter

    /// Parses the step; a syntax error is a located `LabError`.
    init(step: LabFile.Step, environment: Environment) throws {
        self.step = step
        self.environment = environment
        let parsed: SourceFileSyntax
        switch GuardedParse.parse(step.source, maximumNestingLevel: Self.maximumNesting) {
        case .success(let tree): parsed = tree
        case .failure(let refusal):
            let (line, column) = refusal.lineAndColumn(in: step.source)
            throw Self.error(environment.file, step, line: line, column: column, refusal.message)
        }
        let source = Array(step.source.utf8)
        let converter = SourceLocationConverter(fileName: environment.file.path, tree: parsed)
        // Before swift-syntax's diagnostics, one of which stops the process on some of these.
        if let uneven = EqualSignSpacing.firstUneven(in: parsed, source: source) {
            let location = converter.location(for: uneven.position)
            throw Self.error(environment.file, step, line: location.line, column: location.column, uneven.message)
        }
        let diagnosed = BoundedDiagnostics(of: parsed, source: source) { prefix in
            guard let window = GuardedParse.parse(bytes: prefix, maximumNestingLevel: Self.maximumNesting) else { return nil }
            return GuardedParse.firstPastDepth(Syntax(window)) == nil ? window : nil
        }
        if let first = diagnosed.diagnostics.first {
            // The window's positions are the step's own: it is a prefix of the step.
            let location = first.location(converter: converter)
            var error = Self.error(environment.file, step, line: location.line, column: location.column, first.message)
            error.otherWrongLines = Self.otherLines(diagnosed.diagnostics.map { step.firstLine + $0.location(converter: converter).line - 1 },
                                                    except: error.line)
            error.otherWrongLinesEndEarly = !diagnosed.complete
            throw error
        }
        if let mistake = diagnosed.firstMistake {
            let location = converter.location(for: mistake)
            throw Self.error(environment.file, step, line: location.line, column: location.column,
                             "the code here is not Swift that lab can read")
        }
        // Before folding: a chain of thousands of operators would fold into a tree too deep to
        // walk. Found with a visitor over the flat parse, whose depth the nesting limit bounds.
        let long = LongSequenceFinder(limit: Self.maximumOperators)
        long.walk(parsed)
        if let sequence = long.found {
            let location = sequence.startLocation(converter: converter)
            throw Self.error(environment.file, step, line: location.line, column: location.column,
                             "this expression chains \(sequence.elements.count / 2) operators; at most \(Self.maximumOperators) are allowed in one expression")
        }
        guard let folded = OperatorTable.standardOperators.foldAll(parsed, errorHandler: { _ in }).as(SourceFileSyntax.self) else {
            throw Self.error(environment.file, step, line: 1, column: 1, "cannot fold the operators of this step")
        }
        self.tree = folded
        self.converter = SourceLocationConverter(fileName: environment.file.path, tree: folded)
    }

    /// How deeply brackets and blocks may nest in a step, and how many operators one expression
    /// may chain: far beyond any lab, far below what would exhaust the stack.
    static let maximumNesting = 64
    static let maximumOperators = 1_000
    /// How deeply evaluation may recurse (calls within calls, blocks within loops).
    static let maximumDepth = 400
    /// How many loop turns one step may take in all (about ten seconds of an empty loop).
    static let maximumLoopTurns = 10_000_000
    /// How many names a lab may hold at once: every step fingerprints all of them for the cache,
    /// so a lab's steps times its names must stay small (the course's labs hold under 100).
    static let maximumNames = 10_000

    /// Runs every statement in order.
    func run() throws {
        for item in tree.statements { _ = try evaluate(item.item) }
    }

    /// Throws when the user asked to stop (Ctrl-C), so a long loop ends within a moment.
    func checkInterruption(at node: some SyntaxProtocol) throws {
        if environment.interruption?() == true {
            throw error(at: node, "interrupted (Ctrl-C) during step \(step.number); this report shows the work done so far")
        }
        // Every tensor is checked before it is made; what a loop keeps adds up, so the whole
        // process is measured too, ten times a second.
        let now = ContinuousClock.now
        guard now - environment.lastMemoryCheck >= .milliseconds(100) else { return }
        environment.lastMemoryCheck = now
        if let resident = MemoryBudget.residentBytes(), resident > environment.residentMemoryLimit {
            throw error(at: node, "lab holds \(MemoryBudget.describe(resident)) of memory now, past the "
                + "\(MemoryBudget.describe(environment.residentMemoryLimit)) it allows on this machine (twice the budget for one tensor, "
                + "at most three quarters of the memory; LAB_MEMORY_LIMIT sets that budget); keep fewer tensors, or smaller ones")
        }
    }

    // MARK: Errors

    static func error(_ file: LabFile, _ step: LabFile.Step, line: Int, column: Int, _ message: String) -> LabError {
        let fileLine = step.firstLine + line - 1
        let text = fileLine - 1 < file.lines.count ? file.lines[fileLine - 1] : nil
        // swift-syntax counts columns in UTF-8 bytes; editors count characters.
        let characterColumn = text.map { LabError.characterColumn(byteColumn: column, in: $0) } ?? column
        return LabError(file: file.path, line: fileLine, column: characterColumn, message: message, sourceLine: text)
    }

    /// `lines` without `line`, each once, in order.
    static func otherLines(_ lines: [Int], except line: Int) -> [Int] {
        Array(Set(lines).subtracting([line])).sorted()
    }

    /// A `LabError` at the start of `node`.
    func error(at node: some SyntaxProtocol, _ message: String) -> LabError {
        let location = node.startLocation(converter: converter)
        return Self.error(environment.file, step, line: location.line, column: location.column, message)
    }

    // MARK: Statements

    func evaluate(_ item: CodeBlockItemSyntax.Item) throws -> Value {
        try checkInterruption(at: item)
        switch item {
        case .decl(let declaration):
            guard let variable = declaration.as(VariableDeclSyntax.self) else {
                throw error(at: declaration, "unsupported syntax '\(declaration.trimmedDescription.prefix(40))': only let and var declarations")
            }
            try declare(variable)
            return .void
        case .expr(let expression):
            return try evaluate(expression)
        case .stmt(let statement):
            if let expressionStatement = statement.as(ExpressionStmtSyntax.self) { return try evaluate(expressionStatement.expression) }
            if let loop = statement.as(ForStmtSyntax.self) { try runLoop(loop); return .void }
            throw error(at: statement, "unsupported syntax '\(statement.trimmedDescription.prefix(40))'")
        }
    }

    private func declare(_ declaration: VariableDeclSyntax) throws {
        let isConstant = declaration.bindingSpecifier.tokenKind == .keyword(.let)
        for binding in declaration.bindings {
            guard let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else {
                throw error(at: binding.pattern, "unsupported syntax '\(binding.pattern.trimmedDescription)': declare one name at a time")
            }
            if binding.typeAnnotation != nil {
                throw error(at: binding, "unsupported syntax: type annotations; write 'let \(name) = …'")
            }
            guard let initializer = binding.initializer else { throw error(at: binding, "'\(name)' needs a value: 'let \(name) = …'") }
            if environment.constants.contains(name) {
                throw error(at: binding.pattern, "'\(name)' is already defined in an earlier step; choose another name")
            }
            guard environment.bindings[name] != nil || environment.bindings.count < Self.maximumNames else {
                throw error(at: binding.pattern, "a lab may hold at most \(groupThousands(Self.maximumNames)) names at once; "
                    + "'\(name)' would be one more (keep values together in arrays)")
            }
            environment.declare(name, try environment.overrides[name] ?? evaluate(initializer.value), constant: isConstant)
        }
    }

    private func runLoop(_ loop: ForStmtSyntax) throws {
        guard let name = loop.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else {
            throw error(at: loop.pattern, "unsupported syntax: loop over one name, as in 'for epoch in 1...3'")
        }
        // A range is walked without building it, however long it is.
        let values: AnySequence<Value>
        if let range = loop.sequence.as(InfixOperatorExprSyntax.self),
           let op = range.operator.as(BinaryOperatorExprSyntax.self)?.operator.text, op == "..." || op == "..<" {
            let (low, high) = (try evaluate(range.leftOperand), try evaluate(range.rightOperand))
            guard case .int(let a) = low, case .int(let b) = high else {
                throw error(at: range, "a range needs whole numbers, got \(low.typeName) and \(high.typeName)")
            }
            let bounds = try IntRange.bounds(a, b, closed: op == "...", at: range, self)
            values = AnySequence((bounds.map { AnySequence($0) } ?? AnySequence([])).lazy.map(Value.int))
        } else {
            let sequence = try evaluate(loop.sequence)
            guard case .array(let array) = sequence else { throw error(at: loop.sequence, "a for loop needs an array or a range, got \(sequence.typeName)") }
            values = AnySequence(array)
        }
        // The loop variable and the names declared in the body live for one iteration only.
        let shadowed = environment.bindings[name]
        let scope = environment.openScope()
        defer {
            environment.closeScope(scope)
            environment.bindings[name] = shadowed
        }
        for value in values {
            try checkInterruption(at: loop)
            environment.loopTurns += 1
            guard environment.loopTurns <= Self.maximumLoopTurns else {
                throw error(at: loop, "this step's loops have turned \(groupThousands(Self.maximumLoopTurns)) times; lab stops there "
                    + "(a lab's loops run over epochs, images or settings, never this many)")
            }
            environment.undoDeclarations(since: scope)
            environment.bindings[name] = value
            for item in loop.body.statements { _ = try evaluate(item.item) }
        }
    }

    /// `if condition { … } else { … }`, with `else if` chains; conditions must be Bool.
    private func runIf(_ choice: IfExprSyntax) throws {
        var holds = true
        for condition in choice.conditions {
            guard case .expression(let expression) = condition.condition else {
                throw error(at: condition, "unsupported syntax: only plain Bool conditions, as in 'if EPOCHS > 10'")
            }
            let value = try evaluate(expression)
            guard case .bool(let truth) = value else { throw error(at: expression, "an if condition must be Bool, got \(value.typeName)") }
            holds = holds && truth
        }
        if holds {
            try runScoped(choice.body.statements)
        } else if let alternative = choice.elseBody {
            switch alternative {
            case .ifExpr(let next): try runIf(next)
            case .codeBlock(let block): try runScoped(block.statements)
            }
        }
    }

    /// Runs statements whose declarations end with the block.
    private func runScoped(_ statements: CodeBlockItemListSyntax) throws {
        let scope = environment.openScope()
        defer { environment.closeScope(scope) }
        for item in statements { _ = try evaluate(item.item) }
    }

    // MARK: Expressions

    func evaluate(_ expression: ExprSyntax) throws -> Value {
        environment.depth += 1
        defer { environment.depth -= 1 }
        guard environment.depth <= Self.maximumDepth else {
            throw error(at: expression, "this step nests calls, blocks and expressions more than \(Self.maximumDepth) deep")
        }
        switch expression.as(ExprSyntaxEnum.self) {
        case .integerLiteralExpr(let literal):
            guard let value = Int(literal.literal.text.replacingOccurrences(of: "_", with: "")) else {
                throw error(at: literal, "'\(literal.literal.text)' is not a whole number Swift can read")
            }
            return .int(value)
        case .floatLiteralExpr(let literal):
            guard let value = Double(literal.literal.text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
                throw error(at: literal, "'\(literal.literal.text)' is not a finite number Swift can read")
            }
            return .double(value)
        case .booleanLiteralExpr(let literal):
            return .bool(literal.literal.tokenKind == .keyword(.true))
        case .stringLiteralExpr(let literal):
            return .string(try interpolate(literal))
        case .arrayExpr(let array):
            let items = try array.elements.map { try evaluate($0.expression) }
            // Only a literal puts an array inside an array (`+` and `+=` join at one level).
            if items.contains(where: { if case .array = $0 { true } else { false } }),
               ArrayNesting.depth(of: items, limit: ArrayNesting.maximumDepth) == nil {
                throw error(at: array, "arrays may nest at most \(ArrayNesting.maximumDepth) deep; this one would nest deeper "
                    + "(as 'a = [a]' in a loop does)")
            }
            return .array(items)
        case .declReferenceExpr(let reference):
            let name = reference.baseName.text
            if let value = environment.bindings[name] { return value }
            throw error(at: reference, "unknown name '\(name)'" + suggestion(name, in: Array(environment.bindings.keys) + environment.vocabulary.functionNames))
        case .tupleExpr(let tuple):
            guard tuple.elements.count == 1, let only = tuple.elements.first, only.label == nil else {
                throw error(at: tuple, "unsupported syntax: tuples")
            }
            return try evaluate(only.expression)
        case .prefixOperatorExpr(let prefix):
            let operand = try evaluate(prefix.expression)
            switch (prefix.operator.text, operand) {
            case ("-", .int(let v)):
                guard v != .min else { throw error(at: prefix, "-(\(v)) overflows: whole numbers go from \(Int.min) to \(Int.max)") }
                return .int(-v)
            case ("-", .double(let v)): return .double(-v)
            case ("!", .bool(let v)): return .bool(!v)
            default: throw error(at: prefix, "cannot apply '\(prefix.operator.text)' to \(operand.typeName)")
            }
        case .infixOperatorExpr(let infix):
            return try Operators.apply(infix, self)
        case .memberAccessExpr(let member):
            return try environment.vocabulary.member(member, self)
        case .functionCallExpr(let call):
            return try environment.vocabulary.call(call, self)
        case .ifExpr(let choice):
            try runIf(choice)
            return .void
        default:
            throw error(at: expression, "unsupported syntax '\(expression.trimmedDescription.prefix(40))'")
        }
    }

    private func interpolate(_ literal: StringLiteralExprSyntax) throws -> String {
        var text = ""
        for segment in literal.segments {
            switch segment {
            case .stringSegment(let piece):
                text += try StringEscapes.unescape(piece.content.text, pounds: literal.openingPounds?.text.count ?? 0) { message in
                    error(at: piece, message)
                }
            case .expressionSegment(let piece):
                guard let only = piece.expressions.first, piece.expressions.count == 1 else {
                    throw error(at: piece, "an interpolation holds one expression, as in \\(EPOCHS)")
                }
                text += try evaluate(only.expression).printed
            }
            try Operators.checkStringLength(text.utf8.count, at: literal, self)
        }
        return text
    }
}
