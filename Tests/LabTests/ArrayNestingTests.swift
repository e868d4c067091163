@testable import Lab
import Testing

/// The run-time nesting of arrays, measured without walking shared arrays twice.
@Suite struct ArrayNestingTests {
    @Test func depthCountsArraysInsideArrays() {
        #expect(ArrayNesting.depth(of: [], limit: 32) == 1)
        #expect(ArrayNesting.depth(of: [.int(1), .string("a")], limit: 32) == 1)
        #expect(ArrayNesting.depth(of: [.int(1), .array([.array([.double(2)])]), .array([])], limit: 32) == 3)
        #expect(ArrayNesting.depth(of: [.array([.int(1)])], limit: 1) == nil)
        #expect(ArrayNesting.depth(of: [.array([.int(1)])], limit: 2) == 2)
    }

    /// `[a, a]` thirty times over: 2³⁰ paths, thirty arrays, measured at once; one level more
    /// than the limit anywhere, even behind a shallow branch met first, is found.
    @Test func sharedArraysAreMeasuredOnceAndTheDeepestBranchCounts() {
        var value: [Value] = [.int(1)]
        for _ in 0..<30 { value = [.array(value), .array(value)] }
        #expect(ArrayNesting.depth(of: value, limit: 32) == 31)
        #expect(ArrayNesting.depth(of: value, limit: 30) == nil)
        let shallow: [Value] = [.int(1)]
        var deep: [Value] = [.int(2)]
        for _ in 0..<5 { deep = [.array(deep)] }
        // `shallow` is measured first at depth 1 and met again deeper: still 1.
        #expect(ArrayNesting.depth(of: [.array(shallow), .array([.array(shallow)]), .array(deep)], limit: 32) == 7)
        #expect(ArrayNesting.depth(of: [.array(shallow), .array(deep)], limit: 6) == nil)
    }
}
