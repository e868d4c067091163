import Foundation
@testable import Lab
import Testing

/// Lab files as editors write them: Windows line ends, CommonMark's fence variants, Korean
/// before a mistake, a file without steps.
@Suite struct LabFileFormTests {
    @Test func crlfAndEveryFenceVariantMakeSteps() throws {
        let text = "# 형식\r\n\r\n```Swift\r\nprint(1)\r\n```\r\n\r\n~~~swift\r\nprint(2)\r\n~~~\r\n\r\n````swift\r\nprint(3)\r\nprint(\"\\n```\")\r\n````\r\n"
            + "\r\n   ```swift title\r\n   print(5)\r\n   ```\r\n\r\n```python\r\nprint(0)\r\n```\r\n"
        let file = try LabFile(path: "forms.md", text: text)
        #expect(file.steps.map(\.source) == ["print(1)", "print(2)", "print(3)\nprint(\"\\n```\")", "print(5)"])
        #expect(file.steps.map(\.firstLine) == [4, 8, 12, 17])
        let (outcome, folder, _) = try runLab(text)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let printed = outcome.report.blocks.compactMap { block -> String? in
            guard case .step(let step) = block, case .text(let text)? = step.outputs.first else { return nil }
            return text
        }
        #expect(outcome.error == nil && printed == ["1", "2", "3\n\n```", "5"])
    }

    @Test func aLabWithoutStepsSaysSo() throws {
        for text in ["", "# 빈 실습\n\n설명만 있습니다.\n", "# x\n\n```python\nprint(1)\n```\n"] {
            let (outcome, folder, console) = try runLab(text)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            #expect(console.contains { $0.contains("warning: this lab has no steps") })
            #expect(outcome.report.metadata.warnings.count == 1)
            #expect(try String(contentsOfFile: try #require(outcome.reportPath), encoding: .utf8).contains("this lab has no steps"))
        }
    }

    /// Every step costs a fingerprint, a cache entry and a report section: a lab has at most
    /// 1,000, and the fence of the one past that is the error.
    @Test func aLabHasAtMostAThousandSteps() throws {
        let step = "```swift\nprint(1)\n```\n"
        let text = "# 많은 단계\n\n" + String(repeating: step, count: LabFile.maximumSteps)
        #expect(try LabFile(path: "many.md", text: text).steps.count == 1_000)
        #expect {
            try LabFile(path: "many.md", text: text + "\n~~~swift\nprint(2)\n~~~\n")
        } throws: { error in
            guard let error = error as? LabError else { return false }
            return error.message == "this is step 1,001; a lab may have at most 1,000 steps (split it into several labs)"
                && error.line == 2 + 3 * 1_000 + 2 && error.column == 1
        }
    }

    @Test func errorColumnsCountCharactersAsAnEditorDoes() throws {
        let (outcome, folder, _) = try runLab("# 열\n\n```swift\nlet 이름 = \"가나다\"; let y = Dens(3)\n```\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = try #require(outcome.error)
        #expect(error.line == 4 && error.column == 25)
        // Under the D of Dens, counting two cells for each Hangul syllable.
        #expect(error.description.hasSuffix("\n    " + String(repeating: " ", count: 29) + "^"))
    }
}
