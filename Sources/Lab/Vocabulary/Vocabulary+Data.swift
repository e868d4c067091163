import Foundation
import Datasets
import NeuralNet
import SwiftSyntax

extension Vocabulary {
    /// Data sets (MNIST, the built-in digits, CSV files, image folders) and their methods.
    static var data: VocabularyDomain { VocabularyDomain(
        functions: [
            "MNIST": ([.init("split", .any, .split(.train)), .init("path", .string, .string(""))], { args, call, evaluator in
                guard case .split(let split) = args["split"] else {
                    throw evaluator.error(at: call, "MNIST expects split: .train or .test")
                }
                let path = try labDataPath(args.string("path"), call, evaluator)
                let environment = evaluator.environment
                return try wrap(call, evaluator) {
                    let search = environment.dataSearch(labPath: path.isEmpty ? nil : path)
                    environment.inputs += search.candidates.flatMap { MNIST.probedPaths(in: $0, split: split) }.map(InputFingerprint.file)
                    let (dataset, notice) = try search.loadMNISTOrBuiltIn(split: split, policy: environment.readPolicy)
                    if let notice { environment.notice(notice) }
                    return environment.using(dataset)
                }
            }),
            // `count:` left out (`.void`): as many as MNIST's split; any count given is checked,
            // so `count: -1` is an error rather than the whole set.
            "HandwrittenDigits": ([.init("split", .any, .split(.train)), .init("count", .int, .void)], { args, call, evaluator in
                guard case .split(let split) = args["split"] else {
                    throw evaluator.error(at: call, "HandwrittenDigits expects split: .train or .test")
                }
                let count: Int? = if case .void = args["count"] { nil } else { args.int("count") }
                if let count, !(1...HandwrittenDigits.maximumCount).contains(count) {
                    throw evaluator.error(at: call, "count must be from 1 to \(groupThousands(HandwrittenDigits.maximumCount)), got \(count)")
                }
                return evaluator.environment.using(Datasets.HandwrittenDigits.load(split: split, count: count))
            }),
            "CSVDigits": ([.init(nil, .string), .init("fallback", .bool, .bool(false))], { args, call, evaluator in
                let path = try labDataPath(args.string("#0"), call, evaluator)
                let environment = evaluator.environment
                environment.inputs.append(.file(path))
                // `fallback: true`: a missing file is replaced by MNIST's test split (or the
                // built-in digits), and the run says so and how to make the file.
                if args.bool("fallback"), !FileManager.default.fileExists(atPath: path) {
                    return try wrap(call, evaluator) {
                        let search = environment.dataSearch()
                        environment.inputs += search.candidates.flatMap { MNIST.probedPaths(in: $0, split: .test) }.map(InputFingerprint.file)
                        let (dataset, notice) = try search.loadMNISTOrBuiltIn(split: .test, policy: environment.readPolicy)
                        environment.notice("\(path) was not found, so this run reads \(dataset.name) instead; "
                            + "to make the notebook's own file from the MNIST IDX files, run `lab data csv` (it writes data/mnist_test.csv)")
                        if let notice { environment.notice(notice) }
                        return environment.using(dataset)
                    }
                }
                return try wrap(call, evaluator) { environment.using(try Datasets.CSVDigits.load(path)) }
            }),
            "ImageFolder": ([.init(nil, .string), .init("size", .intArray), .init("color", .any, .colorMode(.gray)),
                             .init("count", .int, .int(0)), .init("standInBricks", .int, .int(0))], { args, call, evaluator in
                let path = try labDataPath(args.string("#0"), call, evaluator)
                let size = args.ints("size")
                guard size.count == 2 else { throw evaluator.error(at: call, "size: takes [height, width], got \(size)") }
                guard case .colorMode(let color) = args["color"] else { throw evaluator.error(at: call, "color: takes .gray or .rgb") }
                evaluator.environment.inputs.append(.folder(path))
                let standIn = args.int("standInBricks"), count = args.int("count")
                guard count >= 0 else { throw evaluator.error(at: call, "count: takes a positive number of images (0 reads them all), got \(count)") }
                if standIn > 0, !FileManager.default.fileExists(atPath: path) {
                    guard size[0] == size[1], color == .gray else {
                        throw evaluator.error(at: call, "the built-in bricks are square and gray: standInBricks: needs size: [n, n] and color: .gray")
                    }
                    return try wrap(call, evaluator) {
                        let bricks = try BrickRenders.generate(count: standIn, size: size[0])
                        evaluator.environment.notice("\(args.string("#0")) was not found, so this run trains on \(bricks.name), "
                            + "drawn by lab's own code. To use the real set, download Kaggle's \"LEGO brick images\" "
                            + "(joosthazelzet/lego-brick-images) and put its PNG files in \(args.string("#0")) (relative to the folder you run lab in)")
                        return evaluator.environment.using(bricks)
                    }
                }
                return try wrap(call, evaluator) {
                    evaluator.environment.using(try Datasets.ImageFolder.load(path, height: size[0], width: size[1], color: color,
                                                                              count: count > 0 ? count : nil, random: evaluator.environment.random,
                                                                              policy: evaluator.environment.readPolicy))
                }
            }),
        ],
        methods: [
            "Dataset": [
                "scaled": { value, call, evaluator in
                    let args = try Arguments(call, function: "scaled", specs: [.init("to", .any)], evaluator)
                    guard case .pixelRange(let range) = args["to"] else { throw evaluator.error(at: call, "scaled expects to: .minusOneToOne or .zeroToOne") }
                    return .dataset(dataset(value).scaled(to: range))
                },
                "flattened": { value, call, evaluator in
                    _ = try Arguments(call, function: "flattened", specs: [], evaluator)
                    return .tensor(dataset(value).flattenedImages)
                },
                "prefix": { value, call, evaluator in
                    let args = try Arguments(call, function: "prefix", specs: [.init(nil, .int)], evaluator)
                    return try wrap(call, evaluator) { .dataset(try dataset(value).prefix(args.int("#0"))) }
                },
                // The notebook's `np.random.shuffle(idx); y_train[idx[:n]]`: n different images,
                // chosen by the run's generator, as a tensor.
                "randomBatch": { value, call, evaluator in
                    let args = try Arguments(call, function: "randomBatch", specs: [.init(nil, .int)], evaluator)
                    let data = dataset(value), count = args.int("#0")
                    guard (1...data.count).contains(count) else {
                        throw evaluator.error(at: call, "randomBatch takes 1 to \(groupThousands(data.count)) images (the data set's size), got \(count)")
                    }
                    let chosen = evaluator.environment.random.permutation(data.count).prefix(count)
                    let images = data.images, item = images.itemSize
                    var scalars: [Float] = []
                    scalars.reserveCapacity(count * item)
                    for index in chosen { scalars += images.scalars[(index * item)..<((index + 1) * item)] }
                    return .tensor(Tensor(shape: [count] + Array(images.shape.dropFirst()), scalars: scalars))
                },
                "examples": { value, call, evaluator in
                    let args = try Arguments(call, function: "examples", specs: [.init("of", .intArray), .init("occurrence", .intArray)], evaluator)
                    guard args.ints("of").count == args.ints("occurrence").count else {
                        throw evaluator.error(at: call, "examples needs one occurrence per label")
                    }
                    return try wrap(call, evaluator) { .dataset(try dataset(value).examples(of: args.ints("of"), occurrence: args.ints("occurrence"))) }
                },
            ],
        ],
        properties: [
            "Dataset": [
                "count": { value, _, _ in .int(dataset(value).count) },
                "images": { value, _, _ in .tensor(dataset(value).images) },
                "name": { value, _, _ in .string(dataset(value).name) },
                "labels": { value, _, _ in .array(dataset(value).labels.map(Value.int)) },
            ],
        ],
        options: [
            "train": .split(.train), "test": .split(.test), "gray": .colorMode(.gray), "rgb": .colorMode(.rgb),
            "minusOneToOne": .pixelRange(.minusOneToOne), "zeroToOne": .pixelRange(.zeroToOne),
        ]) }

    /// A data path a lab names: relative and below the current directory, so a lab from anyone
    /// reads nothing else on the computer.
    static func labDataPath(_ path: String, _ call: FunctionCallExprSyntax, _ evaluator: Evaluator) throws -> String {
        if path.hasPrefix("/") || path.hasPrefix("~") || path.split(separator: "/").contains("..") {
            throw evaluator.error(at: call, "a lab may read data only below the current directory, not '\(path)'; pass --data for MNIST elsewhere")
        }
        do {
            try evaluator.environment.readPolicy.check(path)
        } catch let failure as DatasetError {
            throw evaluator.error(at: call, failure.description)
        }
        return path
    }
}
