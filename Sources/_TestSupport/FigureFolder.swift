import Foundation

/// Where tests write the pictures they make, to be looked at: `.build/figures` of the package.
public enum FigureFolder {
    /// The folder's path, created on first use.
    public static let path: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent(".build/figures").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }()
}
