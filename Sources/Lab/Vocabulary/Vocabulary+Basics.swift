import Foundation
import NeuralNet
import SwiftSyntax

extension Vocabulary {
    /// The run's seed, printing, numbers, arrays and tensors.
    static var basics: VocabularyDomain { VocabularyDomain(
        functions: [
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
                // Printed no further than the step's print budget reaches.
                let limit = evaluator.environment.printBudget + 1
                evaluator.environment.print(values.map { $0.printed(limit: limit) }.joined(separator: " "))
                return .void
            }),
            "randomNormal": ([.init(nil, .intArray), .init("mean", .number, .double(0)), .init("standardDeviation", .number, .double(1))],
                             { args, call, evaluator in
                let shape = try tensorShape(args.ints("#0"), "randomNormal", call, evaluator)
                return .tensor(evaluator.environment.random.normalTensor(shape: shape, mean: args.float("mean"),
                                                                         standardDeviation: args.float("standardDeviation")))
            }),
            "ones": ([.init(nil, .intArray)], { args, call, evaluator in
                .tensor(Tensor(shape: try tensorShape(args.ints("#0"), "ones", call, evaluator), repeating: 1))
            }),
            "zeros": ([.init(nil, .intArray)], { args, call, evaluator in
                .tensor(Tensor(shape: try tensorShape(args.ints("#0"), "zeros", call, evaluator)))
            }),
            // `tf.constant([…])`: a one-axis tensor of the given numbers.
            "tensor": ([.init(nil, .any)], { args, call, evaluator in
                guard case .array(let items) = args[0], !items.isEmpty, items.count <= 1_000_000 else {
                    throw evaluator.error(at: call, "tensor expects an array of 1 to 1,000,000 numbers, as in tensor([-20.0, 0.0, 20.0])")
                }
                let numbers = try items.map { item -> Float in
                    guard let number = Operators.number(item), Float(number).isFinite else {
                        throw evaluator.error(at: call, "tensor expects finite numbers, got \(item.shortPrinted)")
                    }
                    return Float(number)
                }
                return .tensor(Tensor(shape: [numbers.count], scalars: numbers))
            }),
            // The logistic function element by element, as `tf.sigmoid`.
            "sigmoid": ([.init(nil, .tensor)], { args, _, _ in
                guard case .tensor(let logits) = args[0] else { return .void }
                return .tensor(Tensor(shape: logits.shape, scalars: logits.scalars.map { 1 / (1 + Foundation.exp(-$0)) }))
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
        ],
        properties: [
            "Tensor": [
                "shape": { value, _, _ in .array(tensor(value).shape.map(Value.int)) },
                "count": { value, _, _ in .int(tensor(value).count) },
                "min": { value, _, _ in .double(Double(tensor(value).range?.min ?? 0)) },
                "max": { value, _, _ in .double(Double(tensor(value).range?.max ?? 0)) },
                "values": { value, _, _ in .array(tensor(value).scalars.map { .double(Double($0)) }) },
            ],
            "Array": [
                "count": { value, _, _ in .int(array(value).count) },
                "first": { value, member, evaluator in
                    guard let first = array(value).first else { throw evaluator.error(at: member.declName, "the array is empty: it has no first element") }
                    return first
                },
                "last": { value, member, evaluator in
                    guard let last = array(value).last else { throw evaluator.error(at: member.declName, "the array is empty: it has no last element") }
                    return last
                },
            ],
        ]) }

    /// A shape of positive sizes within the memory budget.
    private static func tensorShape(_ shape: [Int], _ name: String, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> [Int] {
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else { throw evaluator.error(at: call, "\(name) expects positive sizes, got \(shape)") }
        try wrap(call, evaluator) { try MemoryBudget.check(elements: MemoryBudget.elementCount(shape), "\(name)(\(shape))") }
        return shape
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
}
