import Datasets
import NeuralNet
import SwiftSyntax

/// One family of the DSL (layers, data, training, figures, …) with everything it adds: its
/// functions, the methods and properties of its values, and the implicit options (`.train`) it
/// understands. Each family is written in one file, `Vocabulary+Family.swift`; `Vocabulary`
/// merges them and the `Evaluator` only dispatches to them.
struct VocabularyDomain {
    /// A function: its parameters and what it does with the matched arguments.
    typealias Function = (specs: [ParameterSpec], run: (Arguments, FunctionCallExprSyntax, Evaluator) throws -> Value)
    /// A method, given the value it is called on (always of the type it was registered for).
    typealias Method = (Value, FunctionCallExprSyntax, Evaluator) throws -> Value
    /// A property, given the value it is read from (always of the type it was registered for).
    typealias Property = (Value, MemberAccessExprSyntax, Evaluator) throws -> Value
    /// A settable property, given the receiver and the new value.
    typealias Setter = (Value, Value, MemberAccessExprSyntax, Evaluator) throws -> Void

    /// Functions by name, as in `Dense(…)`.
    var functions: [String: Function] = [:]
    /// Methods by the receiver's type name (`Value.typeName`), then by method name.
    var methods: [String: [String: Method]] = [:]
    /// Properties by the receiver's type name, then by property name.
    var properties: [String: [String: Property]] = [:]
    /// Properties a lab may set, by the receiver's type name, then by name
    /// (`discriminator.trainable = false`); the receiver is an object, changed in place.
    var setters: [String: [String: Setter]] = [:]
    /// Implicit members by name, as in `activation: .tanh` or `split: .test`.
    var options: [String: Value] = [:]
}

// The payload of a method's or property's receiver. The tables key each entry by the receiver's
// type name, so the case always matches; `VocabularyTests` reads every property and calls every
// method's dispatch on a value of its type to keep it so.
extension Vocabulary {
    static func tensor(_ value: Value) -> Tensor {
        guard case .tensor(let tensor) = value else { preconditionFailure("registered for Tensor, called on \(value.typeName)") }
        return tensor
    }

    static func array(_ value: Value) -> [Value] {
        guard case .array(let array) = value else { preconditionFailure("registered for Array, called on \(value.typeName)") }
        return array
    }

    static func model(_ value: Value) -> Sequential {
        guard case .model(let model) = value else { preconditionFailure("registered for Sequential, called on \(value.typeName)") }
        return model
    }

    static func dataset(_ value: Value) -> ImageDataset {
        guard case .dataset(let dataset) = value else { preconditionFailure("registered for Dataset, called on \(value.typeName)") }
        return dataset
    }

    static func gan(_ value: Value) -> GAN {
        guard case .gan(let gan) = value else { preconditionFailure("registered for GAN, called on \(value.typeName)") }
        return gan
    }

    static func history(_ value: Value) -> GANHistory {
        guard case .history(let history) = value else { preconditionFailure("registered for History, called on \(value.typeName)") }
        return history
    }
}
