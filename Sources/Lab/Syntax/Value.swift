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

    /// The most UTF-8 bytes a string may hold (a string doubled in a loop stops here, long
    /// before memory runs out), and the most an array's printed form spells out before "…".
    static let maximumStringBytes = 16 << 20

    /// How the value prints (an array at most `maximumStringBytes` of it).
    var printed: String { printed(limit: Self.maximumStringBytes) }

    /// The value as a caption, a label or an error message names it: at most about 200 bytes of
    /// an array before "…".
    var shortPrinted: String { printed(limit: 200) }

    /// As Swift prints the value, but an array stops with "…" once the text passes `limit` bytes:
    /// an array nested in itself, `a = [a, a]` forty times, holds 2⁴⁰ numbers in a few bytes of
    /// memory, and spelling it out must stop.
    func printed(limit: Int) -> String {
        var text = ""
        _ = write(to: &text, limit: limit)
        return text
    }

    /// Appends the printed value to `text`; false when it stopped at `limit`.
    private func write(to text: inout String, limit: Int) -> Bool {
        guard case .array(let values) = self else {
            text += scalarPrinted
            return true
        }
        text += "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += ", " }
            guard text.utf8.count <= limit, value.write(to: &text, limit: limit) else {
                if !text.hasSuffix("…") { text += "…" }
                return false
            }
        }
        text += "]"
        return true
    }

    private var scalarPrinted: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): Self.format(v)
        case .string(let v): v
        case .bool(let v): String(v)
        case .array: ""  // written element by element by `write(to:limit:)`
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
