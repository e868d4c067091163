/// An image file that cannot be read or written: names the file and what went wrong.
public struct ImageFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}
