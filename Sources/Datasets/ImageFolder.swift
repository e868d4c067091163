import Foundation
import NeuralNet
import Raster

/// A folder of PNG images (the course's `004_…` face images): every `.png` below it, found
/// recursively and taken in sorted path order, resized with bilinear filtering to one size.
/// Images in sub-folders are labelled by their first-level folder (0, 1, … in sorted name order,
/// as Keras's `image_dataset_from_directory`); images directly in the folder get label 0.
public enum ImageFolder {
    /// Gray (one channel) or colour (three).
    public enum ColorMode: String, Sendable {
        case gray, rgb
        var channels: Int { self == .gray ? 1 : 3 }
    }

    /// How many unreadable files an error names; it counts the rest (a folder of 20,000 broken
    /// files made an error of 20,000 lines).
    public static let maximumListedFailures = 20

    /// Loads the images as `[count, height, width, channels]` values 0…255. Files that cannot be
    /// read are counted in one `DatasetError`, which names the first `maximumListedFailures`;
    /// a folder without PNG files is an error too.
    /// With a `policy`, a file whose link leads outside its folders counts as unreadable. With a
    /// `count` smaller than the number of files, only that many are read, chosen at random by
    /// `random` (the notebook shuffles the 40,000 renders; reading a subset keeps memory to what
    /// is trained on) and kept in path order; labels still come from all sub-folders.
    public static func load(_ folder: String, height: Int, width: Int, color: ColorMode = .gray, count: Int? = nil,
                            random: RandomGenerator? = nil, policy: ReadPolicy? = nil) throws -> ImageDataset {
        if let count, count < 1 { throw DatasetError(path: folder, "count must be at least 1, got \(count)") }
        guard height > 0, width > 0 else { throw DatasetError(path: folder, "image size \(height)×\(width) must be positive") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DatasetError(path: folder, "no such folder")
        }
        let allFiles = (FileManager.default.subpaths(atPath: folder) ?? [])
            .filter { $0.lowercased().hasSuffix(".png") && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
            .sorted()
        guard !allFiles.isEmpty else { throw DatasetError(path: folder, "no .png files in this folder or below it") }
        let classes = Array(Set(allFiles.compactMap { $0.contains("/") ? String($0.split(separator: "/")[0]) : nil })).sorted()
        var files = allFiles
        if let count, count < allFiles.count {
            // The first `count` of a Fisher–Yates shuffle, back in path order.
            let random = random ?? RandomGenerator(seed: 2024)
            var order = Array(allFiles.indices)
            for i in 0..<count { order.swapAt(i, i + Int(random.next() % UInt64(order.count - i))) }
            files = order.prefix(count).sorted().map { allFiles[$0] }
        }
        let channels = color.channels
        guard let total = MemoryBudget.elementCount([files.count, height, width, channels]) else {
            throw DatasetError(path: folder, "\(files.count) images of \(height)×\(width) are too many to count")
        }
        do {
            try MemoryBudget.check(elements: total, "\(files.count) images of \(height)×\(width)×\(channels)")
        } catch let failure as NeuralNetError {
            throw DatasetError(path: folder, failure.message)
        }
        var pixels: [Float] = []
        pixels.reserveCapacity(total)
        var labels: [Int] = []
        var unreadable: [String] = []
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            if let policy, !policy.allows(path) {
                unreadable.append("\(path): leads outside the folders a lab may read (through a link)")
                continue
            }
            do {
                let image = try PNG.read(path, channels: channels)
                pixels += BilinearResize.resize(image.bytes.map(Float.init), height: image.height, width: image.width,
                                                channels: channels, toHeight: height, toWidth: width)
                labels.append(file.contains("/") ? classes.firstIndex(of: String(file.split(separator: "/")[0]))! : 0)
            } catch let failure as ImageFileError {
                unreadable.append(failure.description)
            }
        }
        guard unreadable.isEmpty else {
            let shown = unreadable.prefix(maximumListedFailures)
            let rest = unreadable.count - shown.count
            throw DatasetError(path: folder, "\(groupThousands(unreadable.count)) of \(groupThousands(files.count)) images cannot be read:\n  "
                + shown.joined(separator: "\n  ") + (rest > 0 ? "\n  … and \(groupThousands(rest)) more" : ""))
        }
        let classNote = (classes.isEmpty ? "" : ", classes " + classes.joined(separator: ", "))
            + (files.count < allFiles.count ? ", a random \(groupThousands(files.count)) of \(groupThousands(allFiles.count))" : "")
        return ImageDataset(images: Tensor(shape: [labels.count, height, width, channels], scalars: pixels), labels: labels,
                            name: "images from \(folder) (\(groupThousands(labels.count)) \(labels.count == 1 ? "image" : "images"), \(height)×\(width) \(color.rawValue)\(classNote))",
                            source: folder)
    }
}

/// Bilinear resizing with half-pixel centres, as `tf.image.resize(..., "bilinear")` without
/// antialiasing: output pixel i samples the input at (i + 0.5) · in / out − 0.5, clamped to the edge.
public enum BilinearResize {
    /// `values` (`[height, width, channels]`, row-major) resized to `[toHeight, toWidth, channels]`.
    public static func resize(_ values: [Float], height: Int, width: Int, channels: Int, toHeight: Int, toWidth: Int) -> [Float] {
        if height == toHeight && width == toWidth { return values }
        let rows = taps(from: height, to: toHeight), columns = taps(from: width, to: toWidth)
        var result = [Float](repeating: 0, count: toHeight * toWidth * channels)
        for (y, row) in rows.enumerated() {
            for (x, column) in columns.enumerated() {
                for c in 0..<channels {
                    func at(_ r: Int, _ q: Int) -> Float { values[(r * width + q) * channels + c] }
                    let top = at(row.low, column.low) * (1 - column.weight) + at(row.low, column.high) * column.weight
                    let bottom = at(row.high, column.low) * (1 - column.weight) + at(row.high, column.high) * column.weight
                    result[(y * toWidth + x) * channels + c] = top * (1 - row.weight) + bottom * row.weight
                }
            }
        }
        return result
    }

    /// For each output index, the two input indices it blends and the weight of the second.
    private static func taps(from input: Int, to output: Int) -> [(low: Int, high: Int, weight: Float)] {
        let ratio = Float(input) / Float(output)
        return (0..<output).map { i in
            let source = min(max((Float(i) + 0.5) * ratio - 0.5, 0), Float(input - 1))
            let low = Int(source)
            return (low, min(low + 1, input - 1), source - Float(low))
        }
    }
}
