import Foundation
@testable import Lab
import Testing

/// The domains' tables: one owner per name, and every method and property registered under a
/// type a lab can hold, reading from a value of that type.
@Suite struct VocabularyTests {
    /// A lab expression of each type that has methods or properties.
    static let samples: [String: String] = [
        "Tensor": "randomNormal([2, 3])", "Array": "[1, 2]", "Sequential": "g", "Dataset": "HandwrittenDigits(count: 10)",
        "GAN": "gan", "History": "history",
    ]

    @Test func noTwoDomainsDefineTheSameName() {
        #expect(Vocabulary.duplicates().isEmpty, "\(Vocabulary.duplicates())")
        // The check itself finds a name defined twice.
        let twice = VocabularyDomain(functions: ["seed": Vocabulary.basics.functions["seed"]!], options: ["tanh": .int(1)])
        #expect(Vocabulary.duplicates(in: Vocabulary.domains + [twice]) == ["function seed", "option .tanh"])
    }

    @Test func everyPropertyReadsFromAValueOfItsType() throws {
        let vocabulary = Vocabulary()
        let receivers = Set(vocabulary.properties.keys).union(vocabulary.methods.keys)
        #expect(receivers.subtracting(Self.samples.keys).isEmpty, "types without a sample here: \(receivers.subtracting(Self.samples.keys))")
        var reads: [String] = []
        for (type, table) in vocabulary.properties.sorted(by: { $0.key < $1.key }) {
            for name in table.keys.sorted() { reads.append("print(\"\(type).\(name)\", (\(Self.samples[type] ?? "nil")).\(name))") }
        }
        let (outcome, folder, _) = try runLab("""
            # 속성

            ```swift
            \(CacheCoverageTests.history)
            \(reads.joined(separator: "\n"))
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        guard case .step(let step)? = outcome.report.blocks.last, case .text(let printed)? = step.outputs.last else {
            Issue.record("no printed output")
            return
        }
        #expect(printed.split(separator: "\n").count >= reads.count)
        #expect(printed.contains("Sequential.parameterCount 7096"))
        #expect(printed.contains("Array.last 2"))
    }

    @Test func unknownMembersSuggestTheNearestOfTheirType() throws {
        let (outcome, folder, _) = try runLab("""
            # 오타

            ```swift
            let x = HandwrittenDigits(count: 10)
            print(x.cout)
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error?.message == "Dataset has no property 'cout'; did you mean 'count'?")
    }
}
