import NeuralNet
import SwiftSyntax

extension Vocabulary {
    /// Keras's classic training style, as the `002_…` notebook writes a GAN: `model.compile`,
    /// `model.trainOnBatch`, `model.predict`, `model.trainable`, and the tensors its loop builds
    /// (`randomUniform`, `concatenate`).
    static var classic: VocabularyDomain { VocabularyDomain(
        functions: [
            // `np.random.rand(n, 10)`: uniform numbers in [low, high), from the run's generator.
            "randomUniform": ([.init(nil, .intArray), .init("low", .number, .double(0)), .init("high", .number, .double(1))], { args, call, evaluator in
                let shape = args.ints("#0")
                guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else { throw evaluator.error(at: call, "randomUniform expects positive sizes, got \(shape)") }
                let (low, high) = (args.float("low"), args.float("high"))
                guard low < high else { throw evaluator.error(at: call, "randomUniform needs low < high, got \(low) and \(high)") }
                try wrap(call, evaluator) { try MemoryBudget.check(elements: MemoryBudget.elementCount(shape), "randomUniform(\(shape))") }
                return .tensor(evaluator.environment.random.uniformTensor(shape: shape, low: low, high: high))
            }),
            // `np.concatenate((a, b), 0)`: tensors of one item shape, stacked along the first axis.
            "concatenate": ([.init(nil, .any)], { args, call, evaluator in
                guard case .array(let items) = args[0], !items.isEmpty else {
                    throw evaluator.error(at: call, "concatenate expects an array of tensors, as in concatenate([generated, real])")
                }
                let tensors = try items.map { item -> Tensor in
                    guard case .tensor(let tensor) = item else { throw evaluator.error(at: call, "concatenate expects tensors, got \(item.typeName)") }
                    return tensor
                }
                let itemShape = Array(tensors[0].shape.dropFirst())
                if let other = tensors.first(where: { Array($0.shape.dropFirst()) != itemShape }) {
                    throw evaluator.error(at: call, "concatenate expects tensors of one item shape; got \(kerasShape(itemShape)) and "
                        + kerasShape(Array(other.shape.dropFirst())))
                }
                try wrap(call, evaluator) {
                    try MemoryBudget.check(elements: tensors.reduce(0) { $0 + $1.count }, "concatenate of \(tensors.count) tensors")
                }
                return .tensor(Tensor.concatenatingRows(tensors))
            }),
        ],
        methods: [
            "Sequential": [
                "compile": { value, call, evaluator in
                    let args = try Arguments(call, function: "compile", specs: [.init("loss", .any), .init("optimizer", .any)], evaluator)
                    guard case .loss(let loss) = args["loss"] else { throw evaluator.error(at: call, "compile expects loss: BinaryCrossentropy()") }
                    guard case .optimizer(let optimizer) = args["optimizer"] else {
                        throw evaluator.error(at: call, "compile expects an optimizer such as optimizer: RMSprop(learningRate: 0.001)")
                    }
                    try wrap(call, evaluator) { try model(value).compile(loss: loss, optimizer: optimizer) }
                    return .void
                },
                "trainOnBatch": { value, call, evaluator in
                    let args = try Arguments(call, function: "trainOnBatch", specs: [.init(nil, .tensor), .init(nil, .tensor)], evaluator)
                    guard case .tensor(let x) = args[0], case .tensor(let y) = args[1] else { return .void }
                    let trained = model(value)
                    let environment = evaluator.environment
                    // `lab check` takes one real step per model; later calls check the shapes only.
                    if environment.checkOnly, environment.checkedModels.contains(ObjectIdentifier(trained)) {
                        _ = try wrap(call, evaluator) { try trained.checkTrainingBatch(x, y) }
                        return .double(0)
                    }
                    environment.checkedModels.insert(ObjectIdentifier(trained))
                    return .double(Double(try wrap(call, evaluator) { try trained.trainOnBatch(x, y) }))
                },
                "predict": { value, call, evaluator in
                    let args = try Arguments(call, function: "predict", specs: [.init(nil, .tensor), .init("batchSize", .int, .int(256))], evaluator)
                    guard case .tensor(let x) = args[0] else { return .void }
                    let batch = args.int("batchSize")
                    guard batch > 0 else { throw evaluator.error(at: call, "batchSize: must be at least 1, got \(batch)") }
                    let predicting = model(value)
                    let environment = evaluator.environment
                    // `lab check` predicts once per model for real; later calls (a training loop's)
                    // predict the first item and repeat it, so the shapes and the input are checked
                    // without the loop's time.
                    if environment.checkOnly, environment.predictedModels.contains(ObjectIdentifier(predicting)), x.batchSize > 1 {
                        return .tensor(try wrap(call, evaluator) {
                            try predicting.checkBatchFits(min(batch, x.batchSize))
                            let first = try predicting.predict(x.rows(0..<1), batchSize: 1)
                            return Tensor(shape: [x.batchSize] + predicting.outputShape,
                                          scalars: Array((0..<x.batchSize).map { _ in first.scalars }.joined()))
                        })
                    }
                    environment.predictedModels.insert(ObjectIdentifier(predicting))
                    return .tensor(try wrap(call, evaluator) {
                        try predicting.checkBatchFits(min(batch, x.batchSize))
                        return try predicting.predict(x, batchSize: batch)
                    })
                },
            ],
        ],
        properties: [
            "Sequential": ["trainable": { value, _, _ in .bool(model(value).trainable) }],
        ],
        setters: [
            "Sequential": [
                "trainable": { value, newValue, member, evaluator in
                    guard case .bool(let trainable) = newValue else {
                        throw evaluator.error(at: member, "trainable takes true or false, got \(newValue.typeName)")
                    }
                    model(value).trainable = trainable
                },
            ],
        ]) }
}
