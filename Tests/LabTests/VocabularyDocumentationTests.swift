import Foundation
@testable import Lab
import Testing

/// docs/DSL.md and the evaluator name the same functions.
@Suite struct VocabularyDocumentationTests {
    static let page: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/DSL.md"), encoding: .utf8)) ?? ""
    }()

    /// The names written as `Name(` at the start of a code span in the vocabulary tables.
    static var documentedFunctions: Set<String> {
        let vocabulary = page.components(separatedBy: "## Vocabulary").last ?? ""
        var names: Set<String> = []
        for line in vocabulary.split(separator: "\n") where line.hasPrefix("| `") {
            let firstCell = line.split(separator: "|").first ?? ""
            for span in firstCell.split(separator: "`").enumerated().filter({ $0.offset % 2 == 1 }).map(\.element) {
                // `model(x)` and `loss(targets, predictions)` apply a value bound to a name, not a function.
                guard let open = span.firstIndex(of: "("), !span.contains("."), !span.hasPrefix("model("), !span.hasPrefix("loss(") else { continue }
                names.insert(String(span[..<open]))
            }
        }
        return names
    }

    @Test func everyFunctionIsDocumentedAndEveryDocumentedFunctionExists() {
        #expect(!Self.page.isEmpty)
        let implemented = Set(Vocabulary().functionNames)
        let documented = Self.documentedFunctions
        #expect(implemented.subtracting(documented).isEmpty, "not in docs/DSL.md: \(implemented.subtracting(documented).sorted())")
        #expect(documented.subtracting(implemented).isEmpty, "documented but unknown: \(documented.subtracting(implemented).sorted())")
    }

    @Test func theDocumentedSyntaxExamplesRun() throws {
        let (outcome, folder, _) = try runLab("""
            # 문법

            ```swift
            var step = 0
            step = step + 1
            for i in 1...3 { step += i }
            let a = true
            let b = false
            if a && !b { print("ok", step) } else { print("no") }
            print(format(log(2.0), decimals: 3), min(3, 4), sqrt(16.0))
            let m = Sequential("S", input: [8]) {
                SpectralNormalization(Dense(4))
                LeakyReLU(alpha: 0.2)
            }
            print(m.parameterCount)
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        guard case .step(let step)? = outcome.report.blocks.last else { return }
        // SpectralNormalization adds its non-trainable u vector (4 values) to Dense's 36.
        #expect(step.outputs == [.text("ok 7\n0.693 3 4.0\n40")])
    }
}
