import Foundation
@testable import Lab
import Testing

/// What a loop body or an `if` block declares ends with it; what it assigns to older names stays.
@Suite struct BlockScopeTests {
    /// Runs `code` as one step; returns the error (nil when it ran) and the printed lines.
    func run(_ code: String) throws -> (error: LabError?, printed: [String]) {
        let (outcome, folder, _) = try runLab("# 범위\n\n```swift\n\(code)\n```\n", write: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let printed = outcome.report.blocks.flatMap { block -> [String] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .text(let text) = $0 { text } else { nil } }
        }
        return (outcome.error, printed.flatMap { $0.split(separator: "\n").map(String.init) })
    }

    @Test func aLetInALoopBodyIsNewAtEveryTurnAndGoneAfterTheLoop() throws {
        let (error, printed) = try run("var total = 0\nfor i in 1...3 {\n    let twice = i * 2\n    total += twice\n}\nprint(total)\nprint(twice)")
        #expect(printed == ["12"])
        #expect(error?.message.contains("unknown name 'twice'") == true, "\(String(describing: error))")
        #expect(error?.line == 3 + 7)
    }

    @Test func theLoopVariableGivesBackTheNameItShadowed() throws {
        let (error, printed) = try run("var i = 100\nfor i in 1...2 {\n    print(i)\n}\nprint(i)\nfor k in 1...2 {\n}\nprint(k)")
        #expect(printed == ["1", "2", "100"])
        #expect(error?.message.contains("unknown name 'k'") == true, "\(String(describing: error))")
    }

    @Test func nestedBlocksEndTheirOwnNamesOnly() throws {
        let code = """
            var seen = 0
            if true {
                let a = 10
                for k in 1...2 {
                    let b = a + k
                    if b > 11 {
                        let c = b * 100
                        seen += c
                    }
                    seen += b
                }
                print(a)
            }
            print(seen)
            print(a)
            """
        let (error, printed) = try run(code)
        #expect(printed == ["10", "1223"])
        #expect(error?.message.contains("unknown name 'a'") == true, "\(String(describing: error))")
    }

    @Test func aVariableDeclaredAgainWithLetInABlockIsAVariableAgainAfterIt() throws {
        let (error, printed) = try run("var v = 1\nif true {\n    let v = 2\n    print(v)\n}\nv = 3\nprint(v)")
        #expect(error == nil, "\(String(describing: error))")
        #expect(printed == ["2", "3"])
    }

    @Test func aLetInABlockIsAConstantInsideIt() throws {
        let (error, _) = try run("for i in 1...2 {\n    let w = i\n    let w = 5\n}")
        #expect(error?.message.contains("'w' is already defined") == true, "\(String(describing: error))")
        #expect(error?.line == 3 + 3)
    }
}
