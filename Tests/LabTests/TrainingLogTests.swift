import Foundation
@testable import Lab
import Testing

/// The chapter's epoch lines reach the console as each epoch ends (a pipe or a log file sees
/// them then, not at the end), with the quality line after its epoch and the total at the end;
/// the report holds the same lines.
@Suite struct TrainingLogTests {
    @Test func everyEpochLogsTheChaptersLineWhenItEnds() throws {
        let (outcome, folder, console) = try runLab("""
            # 로그

            ```swift
            \(CacheCoverageTests.history.replacingOccurrences(of: "epochs: 2", with: "epochs: 3"))
            ```
            """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        let epochLines = console.filter { $0.hasPrefix("에포크 ") }
        #expect(epochLines.count == 3 && epochLines[0].hasPrefix("에포크  1/3 | G: ") && epochLines[2].hasPrefix("에포크  3/3 | G: "))
        #expect(epochLines.allSatisfy { $0.hasSuffix("초") })
        let total = try #require(console.firstIndex { $0.hasPrefix("총 학습 시간: ") && $0.hasSuffix("(에포크 3개)") })
        let lastEpoch = try #require(console.firstIndex(of: epochLines[2]))
        let step = try #require(console.firstIndex { $0.hasPrefix("Step 1/1") })
        #expect(lastEpoch < total && total < step, "epoch lines, then the total, then the step's line")
        guard case .step(let report)? = outcome.report.blocks.last, case .text(let text)? = report.outputs.last else {
            Issue.record("no printed output")
            return
        }
        for line in epochLines { #expect(text.contains(line), "the report has \(line)") }
        #expect(text.contains(console[total]))
    }
}
