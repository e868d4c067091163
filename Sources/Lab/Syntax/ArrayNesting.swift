/// How deeply arrays nest inside arrays at run time. `a = [a]` in a loop of a million turns
/// built a value whose every walk (printing, the state fingerprint, and Swift freeing it, one
/// nested call per level) overflowed the stack and stopped the process; a lab's arrays nest two
/// deep (the loss curves given to `lineChart`).
enum ArrayNesting {
    /// The deepest an array may nest: far beyond any lab, far below the stack's reach.
    static let maximumDepth = 32

    /// The nesting depth of an array holding `items` (1 when none of them is an array), or nil
    /// when it passes `limit`. Each array's storage is measured once (`[a, a]` twenty times over
    /// is twenty arrays, not a million), and the walk never goes deeper than `limit`.
    static func depth(of items: [Value], limit: Int) -> Int? {
        var measured: [UnsafeRawPointer: Int] = [:]
        return depth(of: items, limit: limit, measured: &measured)
    }

    private static func depth(of items: [Value], limit: Int, measured: inout [UnsafeRawPointer: Int]) -> Int? {
        guard limit >= 1 else { return nil }
        guard !items.isEmpty else { return 1 }
        let storage = items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        if let known = measured[storage] { return known <= limit ? known : nil }
        var deepest = 0
        for case .array(let inner) in items {
            guard let depth = depth(of: inner, limit: limit - 1, measured: &measured) else { return nil }
            deepest = max(deepest, depth)
        }
        measured[storage] = deepest + 1
        return deepest + 1
    }
}
