/// A data file that cannot be used, or a data set that cannot be found: the message names the
/// file (or the places searched) and what is wrong.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    /// The file or folder concerned.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    /// An error about `path`.
    public init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
