import NeuralNet
import Report
import SwiftSyntax

extension Vocabulary {
    /// Layers, `Sequential` models, their summaries, and a model applied to a tensor.
    static var layers: VocabularyDomain { VocabularyDomain(
        functions: [
            "Dense": ([.init(nil, .int), .init("activation", .activation, .activation(.linear)), .init("useBias", .bool, .bool(true)), named],
                      { args, _, _ in
                .layer(Dense(args.int("#0"), activation: args.activation("activation"), useBias: args.bool("useBias"), name: args.string("name")))
            }),
            "BatchNormalization": ([.init("momentum", .number, .double(0.99)), .init("epsilon", .number, .double(1e-3)), named], { args, _, _ in
                .layer(BatchNormalization(momentum: args.float("momentum"), epsilon: args.float("epsilon"), name: args.string("name")))
            }),
            "LeakyReLU": ([.init("alpha", .number, .double(0.3)), named], { args, _, _ in
                .layer(LeakyReLU(alpha: args.float("alpha"), name: args.string("name")))
            }),
            "ReLU": ([named], { args, _, _ in .layer(ReLU(name: args.string("name"))) }),
            "Tanh": ([named], { args, _, _ in .layer(Tanh(name: args.string("name"))) }),
            "Sigmoid": ([named], { args, _, _ in .layer(Sigmoid(name: args.string("name"))) }),
            "SpectralNormalization": ([.init(nil, .layer), named], { args, call, evaluator in
                guard case .layer(let layer) = args[0], let kernelLayer = layer as? any KernelLayer else {
                    throw evaluator.error(at: call, "SpectralNormalization wraps a Dense or Conv2D layer, got \(args[0].typeName)")
                }
                return .layer(NeuralNet.SpectralNormalization(kernelLayer, name: args.string("name")))
            }),
            "Dropout": ([.init(nil, .number), named], { args, _, _ in .layer(Dropout(args.float("#0"), name: args.string("name"))) }),
            "Reshape": ([.init(nil, .intArray), named], { args, _, _ in .layer(Reshape(args.ints("#0"), name: args.string("name"))) }),
            "Flatten": ([named], { args, _, _ in .layer(Flatten(name: args.string("name"))) }),
            "MinibatchStdDev": ([named], { args, _, _ in .layer(MinibatchStdDev(name: args.string("name"))) }),
            "Conv2D": (convolutionSpecs, { args, _, _ in
                .layer(Conv2D(args.int("#0"), kernelSize: args.int("kernelSize"), strides: args.int("strides"), padding: args.padding("padding"),
                              useBias: args.bool("useBias"), activation: args.activation("activation"), name: args.string("name")))
            }),
            "Conv2DTranspose": (convolutionSpecs, { args, _, _ in
                .layer(Conv2DTranspose(args.int("#0"), kernelSize: args.int("kernelSize"), strides: args.int("strides"), padding: args.padding("padding"),
                                       useBias: args.bool("useBias"), activation: args.activation("activation"), name: args.string("name")))
            }),
            "UpSampling2D": ([.init("size", .int, .int(2)), named], { args, _, _ in
                .layer(UpSampling2D(size: args.int("size"), name: args.string("name")))
            }),
            "MaxPooling2D": ([.init("poolSize", .int, .int(2)), .init("strides", .int, .int(0)), .init("padding", .padding, .padding(.valid)), named],
                             { args, _, _ in
                let strides = args.int("strides")
                return .layer(MaxPooling2D(poolSize: args.int("poolSize"), strides: strides == 0 ? nil : strides, padding: args.padding("padding"),
                                           name: args.string("name")))
            }),
            "Sequential": ([.init(nil, .string), .init("input", .intArray)], { args, call, evaluator in
                try sequential(name: args.string("#0"), input: args.ints("input"), call, evaluator)
            }),
        ],
        methods: [
            "Sequential": [
                "summary": { value, call, evaluator in
                    _ = try Arguments(call, function: "summary", specs: [], evaluator)
                    evaluator.environment.append(.table(summaryTable(model(value).summary())))
                    return .void
                },
            ],
        ],
        properties: [
            "Sequential": [
                "parameterCount": { value, _, _ in .int(model(value).parameterCount) },
                "name": { value, _, _ in .string(model(value).name) },
            ],
        ],
        options: activations.mapValues(Value.activation).merging(["same": .padding(.same), "valid": .padding(.valid)]) { first, _ in first }) }

    /// Activation names for `activation: .tanh`.
    static let activations: [String: Activation] = [
        "linear": .linear, "relu": .relu, "tanh": .tanh, "sigmoid": .sigmoid, "leakyReLU": .leakyReLU(alpha: 0.2),
    ]

    /// Every layer's optional `name:`.
    private static var named: ParameterSpec { .init("name", .string, .string("")) }

    private static var convolutionSpecs: [ParameterSpec] { [
        .init(nil, .int), .init("kernelSize", .int), .init("strides", .int, .int(1)), .init("padding", .padding, .padding(.valid)),
        .init("useBias", .bool, .bool(true)), .init("activation", .activation, .activation(.linear)), named,
    ] }

    /// `generator(noise)` or `discriminator(images, training: true)`: a model applied to a batch.
    static func apply(_ model: Sequential, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        let args = try Arguments(call, function: model.name, specs: [.init(nil, .tensor), .init("training", .bool, .bool(false))], evaluator)
        guard case .tensor(let input) = args[0] else { return .void }
        return try wrap(call, evaluator) {
            try model.checkBatchFits(input.batchSize)
            return .tensor(try model(input, training: args.bool("training")))
        }
    }

    /// How deeply models may nest inside models (a GAN's combined model nests two).
    static let maximumModelNesting = 16

    /// `Sequential("Name", input: [..]) { layers }`: every statement of the block must be a layer.
    private static func sequential(name: String, input: [Int], _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> Value {
        guard let block = call.trailingClosure else {
            throw evaluator.error(at: call, "Sequential needs its layers in a block: Sequential(\"\(name)\", input: \(input)) { Dense(…) … }")
        }
        var layers: [any Layer] = []
        var layerNodes: [Syntax] = []
        for item in block.statements {
            let value = try evaluator.evaluate(item.item)
            switch value {
            case .layer(let layer): layers.append(layer)
            // A model by name, as in Keras's `Sequential([generator, discriminator])`: the same weights.
            case .model(let model):
                // Every pass through a model (forward, backward, summary, freeing it) goes one
                // call deeper per level: `m = Sequential(…) { m }` in a loop would overflow the stack.
                guard NestedModel.depth(of: model) < maximumModelNesting else {
                    throw evaluator.error(at: item, "models may nest at most \(maximumModelNesting) deep; '\(model.name)' already nests "
                        + "\(NestedModel.depth(of: model)) (as 'm = Sequential(…) { m }' in a loop does)")
                }
                layers.append(NestedModel(model))
            default: throw evaluator.error(at: item, "a Sequential block holds layers or models, one per line; this is \(value.typeName)")
            }
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
