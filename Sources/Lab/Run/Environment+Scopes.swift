/// Block scopes: the names a loop body or an `if` block declares end with it. A block undoes
/// what its own declarations logged, so that leaving it costs what it declared, however many
/// names the lab holds (a loop of ten million turns beside 10,000 earlier names must not copy
/// or filter them at every turn).
extension Environment {
    /// Where a block's declarations start in the logs.
    struct ScopeMark {
        fileprivate let names: Int
        fileprivate let constants: Int
    }

    /// Binds `name`; a `let` also makes it a constant. Inside a block, a new name and a new
    /// constant are logged, to be undone when the block ends.
    func declare(_ name: String, _ value: Value, constant: Bool) {
        let isNew = bindings.updateValue(value, forKey: name) == nil
        if isNew, openScopes > 0 { scopedNames.append(name) }
        if constant, constants.insert(name).inserted, openScopes > 0 { scopedConstants.append(name) }
    }

    /// Opens a block; pair with `closeScope`.
    func openScope() -> ScopeMark {
        openScopes += 1
        return ScopeMark(names: scopedNames.count, constants: scopedConstants.count)
    }

    /// Unbinds the names declared since `mark` and makes the names that became constants since
    /// then variables again; values assigned to older names stay.
    func undoDeclarations(since mark: ScopeMark) {
        for name in scopedNames[mark.names...] { bindings[name] = nil }
        for name in scopedConstants[mark.constants...] { constants.remove(name) }
        scopedNames.removeSubrange(mark.names...)
        scopedConstants.removeSubrange(mark.constants...)
    }

    /// Ends the block opened at `mark`.
    func closeScope(_ mark: ScopeMark) {
        undoDeclarations(since: mark)
        openScopes -= 1
    }
}
