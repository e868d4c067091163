import Foundation
import NeuralNet
import Report
import SwiftSyntax

/// The DSL's functions, named and labelled like the chapter's Keras code. `docs/DSL.md` lists them.
enum Vocabulary {
    typealias Implementation = (Arguments, FunctionCallExprSyntax, Evaluator) throws -> Value

    /// Activation names for `activation: .tanh`.
    static let activations: [String: Activation] = [
        "linear": .linear, "relu": .relu, "tanh": .tanh, "sigmoid": .sigmoid, "leakyReLU": .leakyReLU(alpha: 0.2),
    ]

    // Built on each use: the table holds closures and default values, which are not Sendable.
    static var functions: [String: ([ParameterSpec], Implementation)] { [
        "seed": ([.init(nil, .int)], { args, call, evaluator in
            let seed = args.int("#0")
            guard seed >= 0 else { throw evaluator.error(at: call, "seed expects a number ≥ 0, got \(seed)") }
            evaluator.environment.seed = seed
            evaluator.environment.random.reseed(UInt64(seed))
            return .void
        }),
        // As Swift's print: any number of values, separated by spaces.
        "print": ([.init(nil, .variadic)], { args, _, evaluator in
            guard case .array(let values) = args[0] else { return .void }
            evaluator.environment.print(values.map(\.printed).joined(separator: " "))
            return .void
        }),
        "randomNormal": ([.init(nil, .intArray), .init("mean", .number, .double(0)), .init("standardDeviation", .number, .double(1))], { args, call, evaluator in
            let shape = args.ints("#0")
            guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else {
                throw evaluator.error(at: call, "randomNormal expects positive sizes, got \(shape)")
            }
            do {
                try MemoryBudget.check(elements: MemoryBudget.elementCount(shape), "randomNormal(\(shape))")
            } catch let failure as NeuralNetError {
                throw evaluator.error(at: call, failure.message)
            }
            return .tensor(evaluator.environment.random.normalTensor(shape: shape, mean: args.float("mean"), standardDeviation: args.float("standardDeviation")))
        }),
        "Dense": ([.init(nil, .int), .init("activation", .activation, .activation(.linear)), .init("useBias", .bool, .bool(true)), .init("name", .string, .string(""))], { args, _, _ in
            .layer(Dense(args.int("#0"), activation: args.activation("activation"), useBias: args.bool("useBias"), name: args.string("name")))
        }),
        "BatchNormalization": ([.init("momentum", .number, .double(0.99)), .init("epsilon", .number, .double(1e-3)), .init("name", .string, .string(""))], { args, _, _ in
            .layer(BatchNormalization(momentum: args.float("momentum"), epsilon: args.float("epsilon"), name: args.string("name")))
        }),
        "LeakyReLU": ([.init("alpha", .number, .double(0.3)), .init("name", .string, .string(""))], { args, _, _ in
            .layer(LeakyReLU(alpha: args.float("alpha"), name: args.string("name")))
        }),
        "ReLU": ([.init("name", .string, .string(""))], { args, _, _ in .layer(ReLU(name: args.string("name"))) }),
        "Tanh": ([.init("name", .string, .string(""))], { args, _, _ in .layer(Tanh(name: args.string("name"))) }),
        "Sigmoid": ([.init("name", .string, .string(""))], { args, _, _ in .layer(Sigmoid(name: args.string("name"))) }),
        "SpectralNormalization": ([.init(nil, .layer), .init("name", .string, .string(""))], { args, call, evaluator in
            guard case .layer(let layer) = args[0], let kernelLayer = layer as? any KernelLayer else {
                throw evaluator.error(at: call, "SpectralNormalization wraps a Dense or Conv2D layer, got \(args[0].typeName)")
            }
            return .layer(NeuralNet.SpectralNormalization(kernelLayer, name: args.string("name")))
        }),
        "Dropout": ([.init(nil, .number), .init("name", .string, .string(""))], { args, _, _ in
            .layer(Dropout(args.float("#0"), name: args.string("name")))
        }),
        "Reshape": ([.init(nil, .intArray), .init("name", .string, .string(""))], { args, _, _ in
            .layer(Reshape(args.ints("#0"), name: args.string("name")))
        }),
        "Flatten": ([.init("name", .string, .string(""))], { args, _, _ in .layer(Flatten(name: args.string("name"))) }),
        "Conv2D": (convolutionSpecs, { args, _, _ in
            .layer(Conv2D(args.int("#0"), kernelSize: args.int("kernelSize"), strides: args.int("strides"), padding: args.padding("padding"),
                          useBias: args.bool("useBias"), activation: args.activation("activation"), name: args.string("name")))
        }),
        "Conv2DTranspose": (convolutionSpecs, { args, _, _ in
            .layer(Conv2DTranspose(args.int("#0"), kernelSize: args.int("kernelSize"), strides: args.int("strides"), padding: args.padding("padding"),
                                   useBias: args.bool("useBias"), activation: args.activation("activation"), name: args.string("name")))
        }),
        "UpSampling2D": ([.init("size", .int, .int(2)), .init("name", .string, .string(""))], { args, _, _ in
            .layer(UpSampling2D(size: args.int("size"), name: args.string("name")))
        }),
        "MaxPooling2D": ([.init("poolSize", .int, .int(2)), .init("strides", .int, .int(0)), .init("padding", .padding, .padding(.valid)), .init("name", .string, .string(""))], { args, _, _ in
            let strides = args.int("strides")
            return .layer(MaxPooling2D(poolSize: args.int("poolSize"), strides: strides == 0 ? nil : strides, padding: args.padding("padding"), name: args.string("name")))
        }),
        "Sequential": ([.init(nil, .string), .init("input", .intArray)], { args, call, evaluator in
            try sequential(name: args.string("#0"), input: args.ints("input"), call, evaluator)
        }),
        "min": ([.init(nil, .any), .init(nil, .any)], { args, call, evaluator in try extremum(args, call, evaluator, smallest: true) }),
        "max": ([.init(nil, .any), .init(nil, .any)], { args, call, evaluator in try extremum(args, call, evaluator, smallest: false) }),
        "format": ([.init(nil, .number), .init("decimals", .int, .int(4))], { args, call, evaluator in
            let decimals = args.int("decimals")
            guard (0...12).contains(decimals) else { throw evaluator.error(at: call, "format expects 0 to 12 decimals, got \(decimals)") }
            guard case .double(let value) = args[0] else { return .string("") }
            return .string(String(format: "%.\(decimals)f", value))
        }),
        "log": ([.init(nil, .number)], { args, _, _ in .double(Foundation.log(args.double("#0"))) }),
        "exp": ([.init(nil, .number)], { args, _, _ in .double(Foundation.exp(args.double("#0"))) }),
        "sqrt": ([.init(nil, .number)], { args, _, _ in .double(args.double("#0").squareRoot()) }),
    ] }

    static var functionNames: [String] { Array(allFunctions.keys) }

    /// Every function of the vocabulary.
    static var allFunctions: [String: ([ParameterSpec], Implementation)] {
        functions.merging(trainingFunctions) { a, _ in a }.merging(figureFunctions) { a, _ in a }
            .merging(comparisonFunctions) { a, _ in a }.merging(trainedComparisonFunctions) { a, _ in a }.merging(evaluationFunctions) { a, _ in a }
    }

    private static var convolutionSpecs: [ParameterSpec] { [
        .init(nil, .int), .init("kernelSize", .int), .init("strides", .int, .int(1)), .init("padding", .padding, .padding(.valid)),
        .init("useBias", .bool, .bool(true)), .init("activation", .activation, .activation(.linear)), .init("name", .string, .string("")),
    ] }

    /// Evaluates a call: a vocabulary function, a model applied to a tensor, or a method.
    static func call(_ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        if let member = call.calledExpression.as(MemberAccessExprSyntax.self), let base = member.base {
            return try method(member.declName.baseName.text, on: try evaluator.evaluate(base), call, member, evaluator)
        }
        guard let name = call.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text else {
            throw evaluator.error(at: call.calledExpression, "unsupported syntax '\(call.calledExpression.trimmedDescription)'")
        }
        if case .model(let model)? = evaluator.environment.bindings[name] {
            let args = try Arguments(call, function: name, specs: [.init(nil, .tensor), .init("training", .bool, .bool(false))], evaluator)
            guard case .tensor(let input) = args[0] else { return .void }
            do {
                try model.checkBatchFits(input.batchSize)
                return .tensor(try model(input, training: args.bool("training")))
            } catch let failure as NeuralNetError {
                throw evaluator.error(at: call, failure.message)
            }
        }
        guard let (specs, implementation) = allFunctions[name] else {
            throw evaluator.error(at: call.calledExpression, "unknown function '\(name)'" + suggestion(name, in: functionNames))
        }
        if call.trailingClosure != nil && name != "Sequential" {
            throw evaluator.error(at: call.trailingClosure!, "\(name) takes no block")
        }
        let args = try Arguments(call, function: name, specs: specs, evaluator)
        return try implementation(args, call, evaluator)
    }

    private static func method(_ name: String, on value: Value, _ call: FunctionCallExprSyntax,
                               _ member: MemberAccessExprSyntax, _ evaluator: Evaluator) throws -> Value {
        switch (value, name) {
        case (.model(let model), "summary"):
            _ = try Arguments(call, function: "summary", specs: [], evaluator)
            evaluator.environment.outputs.append(.table(summaryTable(model.summary())))
            return .void
        default:
            if let result = try trainingMethod(name, on: value, call, evaluator) { return result }
            throw evaluator.error(at: member.declName, "\(value.typeName) has no method '\(name)()'"
                + suggestion(name, in: value.typeName == "Sequential" ? ["summary"] : []))
        }
    }

    /// `Sequential("Name", input: [..]) { layers }`: every statement of the block must be a layer.
    private static func sequential(name: String, input: [Int], _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        guard let block = call.trailingClosure else {
            throw evaluator.error(at: call, "Sequential needs its layers in a block: Sequential(\"\(name)\", input: \(input)) { Dense(…) … }")
        }
        var layers: [any Layer] = []
        var layerNodes: [Syntax] = []
        for item in block.statements {
            let value = try evaluator.evaluate(item.item)
            guard case .layer(let layer) = value else {
                throw evaluator.error(at: item, "a Sequential block holds layers, one per line; this is \(value.typeName)")
            }
            layers.append(layer)
            layerNodes.append(Syntax(item))
        }
        do {
            return .model(try NeuralNet.Sequential(name, inputShape: input, random: evaluator.environment.random, layers: layers))
        } catch let failure as NeuralNetError {
            // Point at the layer that failed to build, else at the call.
            if let index = failure.layerIndex, index < layerNodes.count { throw evaluator.error(at: layerNodes[index], failure.message) }
            throw evaluator.error(at: call, failure.message)
        }
    }

    /// `min(a, b)` / `max(a, b)`: whole numbers stay whole.
    private static func extremum(_ args: Arguments, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator, smallest: Bool) throws -> Value {
        switch (args[0], args[1]) {
        case (.int(let a), .int(let b)): return .int(smallest ? min(a, b) : max(a, b))
        default:
            guard let a = Operators.number(args[0]), let b = Operators.number(args[1]) else {
                throw evaluator.error(at: call, "\(smallest ? "min" : "max") expects two numbers, got \(args[0].typeName) and \(args[1].typeName)")
            }
            return .double(smallest ? min(a, b) : max(a, b))
        }
    }

    /// A model summary as a report table.
    static func summaryTable(_ summary: ModelSummary) -> TableOutput {
        TableOutput(
            caption: "Model: \"\(summary.modelName)\"",
            headers: ["Layer (type)", "Output Shape", "Param #"],
            rows: summary.rows.map { ["\($0.name) (\($0.type))", kerasShape($0.outputShape), groupThousands($0.parameters)] },
            numericColumns: [2],
            footer: [
                "Total params: \(groupThousands(summary.totalParameters))",
                "Trainable params: \(groupThousands(summary.trainableParameters))",
                "Non-trainable params: \(groupThousands(summary.nonTrainableParameters))",
            ])
    }
}
