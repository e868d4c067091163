import Datasets
import NeuralNet

/// A value in a lab's DSL.
enum Value {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case array([Value])
    case tensor(Tensor)
    case model(Sequential)
    case layer(any Layer)
    case activation(Activation)
    case padding(Padding)
    case dataset(ImageDataset)
    case split(MNIST.Split)
    case colorMode(ImageFolder.ColorMode)
    case pixelRange(PixelRange)
    case loss(BinaryCrossentropy)
    /// A GAN objective other than the non-saturating cross-entropy (`HingeLoss()`, …), with the
    /// cross-entropy the minimax objective computes with.
    case ganLoss(GANObjective, BinaryCrossentropy)
    case optimizer(any Optimizer)
    case gan(GAN)
    case history(GANHistory)
    case void

    /// The type's name in error messages.
    var typeName: String {
        switch self {
        case .int: "Int"
        case .double: "Double"
        case .string: "String"
        case .bool: "Bool"
        case .array: "Array"
        case .tensor: "Tensor"
        case .model: "Sequential"
        case .layer(let layer): layer.typeName
        case .activation: "Activation"
        case .padding: "Padding"
        case .dataset: "Dataset"
        case .split: "Split"
        case .colorMode: "ColorMode"
        case .pixelRange: "PixelRange"
        case .loss: "BinaryCrossentropy"
        case .ganLoss: "GANLoss"
        case .optimizer(let o): String(describing: type(of: o))
        case .gan: "GAN"
        case .history: "History"
        case .void: "nothing"
        }
    }

    /// How the value prints.
    var printed: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): Self.format(v)
        case .string(let v): v
        case .bool(let v): String(v)
        case .array(let values): "[" + values.map(\.printed).joined(separator: ", ") + "]"
        case .tensor(let t): "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        case .model(let m): "Sequential(\"\(m.name)\")"
        case .layer(let l): "\(l.typeName)()"
        case .activation(let a): "." + a.kerasName
        case .padding(let p): "." + p.rawValue
        case .dataset(let d): d.name
        case .split(let s): "." + s.rawValue
        case .colorMode(let c): "." + c.rawValue
        case .pixelRange(let r): r == .minusOneToOne ? ".minusOneToOne" : ".zeroToOne"
        case .loss: "BinaryCrossentropy()"
        case .ganLoss(let objective, _): "GANLoss(.\(objective.name))"
        case .optimizer(let o): "\(type(of: o))(learningRate: \(o.learningRate))"
        case .gan: "GAN"
        case .history(let h): "History(\(h.completedEpochs) epochs)"
        case .void: "()"
        }
    }

    /// A double printed the way Swift prints it, without trailing noise (2e-4 → 0.0002).
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) + ".0" }
        // Values computed in Float print as the Float they are (0.6626696, not 0.6626695990562439).
        if Double(Float(value)) == value { return String(Float(value)) }
        return String(value)
    }
}
