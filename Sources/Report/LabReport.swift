/// Everything a lab report shows, as plain values: the report is a pure function of this.
public struct LabReport: Sendable {
    /// The lab's title (its first `#` heading).
    public var title: String
    /// The lab file's path as the student gave it.
    public var sourcePath: String
    /// When, where and with what the run happened.
    public var metadata: RunMetadata
    /// The lab's prose and steps, in file order.
    public var blocks: [ReportBlock]
    /// The step that failed and why, if one did.
    public var failure: ReportFailure?

    public init(title: String, sourcePath: String, metadata: RunMetadata, blocks: [ReportBlock], failure: ReportFailure? = nil) {
        self.title = title
        self.sourcePath = sourcePath
        self.metadata = metadata
        self.blocks = blocks
        self.failure = failure
    }
}

extension LabReport {
    /// The file names of every figure the report shows.
    public var figureFileNames: [String] {
        blocks.flatMap { block -> [String] in
            guard case .step(let step) = block else { return [] }
            return step.outputs.compactMap { if case .figure(let figure) = $0 { figure.fileName } else { nil } }
        }
    }
}

/// The facts of a run.
public struct RunMetadata: Sendable {
    public var date: String
    public var machine: String
    /// The settings that change rounding (convolution algorithms, kernels, BLAS, threads): runs
    /// with other settings may differ in the last digits and, over a training, more.
    public var numerics: String?
    /// The data set actually used, in words.
    public var dataset: String?
    public var seed: Int?
    public var parameters: [ReportParameter]
    public var totalSeconds: Double
    /// Things the reader should know about the lab file itself (for example, that it has no
    /// steps), shown under the header.
    public var warnings: [String] = []

    public init(date: String, machine: String, dataset: String? = nil, seed: Int? = nil,
                parameters: [ReportParameter] = [], totalSeconds: Double = 0) {
        self.date = date
        self.machine = machine
        self.dataset = dataset
        self.seed = seed
        self.parameters = parameters
        self.totalSeconds = totalSeconds
    }
}

/// One lab parameter as the run used it.
public struct ReportParameter: Sendable, Equatable {
    public var name: String
    public var value: String
    public var comment: String
    /// True when `-P` replaced the file's value.
    public var overridden: Bool

    public init(name: String, value: String, comment: String, overridden: Bool) {
        self.name = name
        self.value = value
        self.comment = comment
        self.overridden = overridden
    }
}

/// A piece of the lab: prose or a step.
public enum ReportBlock: Sendable {
    /// Markdown prose.
    case prose(String)
    case step(StepReport)
}

/// What happened to one step.
public struct StepReport: Sendable {
    public enum Status: Sendable, Equatable {
        /// Ran in the given seconds; `cached` when its results came from the cache.
        case ran(seconds: Double, cached: Bool)
        case failed(seconds: Double)
        case notRun
    }

    /// 1-based position among the steps.
    public var number: Int
    /// The step's source, split into highlighted tokens.
    public var code: [CodeToken]
    public var status: Status
    public var outputs: [StepOutput]
    /// The line of the step's first code line in the lab file.
    public var line: Int

    public init(number: Int, code: [CodeToken], status: Status, outputs: [StepOutput], line: Int) {
        self.number = number
        self.code = code
        self.status = status
        self.outputs = outputs
        self.line = line
    }
}

/// A piece of source text and how to colour it.
public struct CodeToken: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case plain, keyword, number, string, comment, type, call
    }

    public var text: String
    public var kind: Kind

    public init(_ text: String, _ kind: Kind) {
        self.text = text
        self.kind = kind
    }
}

/// Something a step produced.
public enum StepOutput: Sendable, Equatable {
    /// Printed text.
    case text(String)
    /// Something the student should know about the run, such as which data set stood in for a
    /// missing one; shown as a callout.
    case notice(String)
    /// A table, such as a model summary.
    case table(TableOutput)
    /// A picture beside the report (or embedded, for self-contained reports).
    case figure(FigureOutput)
    /// Files a step saved beside the report under names of its own (`image_at_epoch_0001.png`),
    /// linked from the page rather than shown in it.
    case files(SavedFilesOutput)
}

/// A table with a caption and footer lines.
public struct TableOutput: Sendable, Equatable {
    public var caption: String
    public var headers: [String]
    public var rows: [[String]]
    /// Columns to align right (numbers).
    public var numericColumns: Set<Int>
    public var footer: [String]

    public init(caption: String, headers: [String], rows: [[String]], numericColumns: Set<Int> = [], footer: [String] = []) {
        self.caption = caption
        self.headers = headers
        self.rows = rows
        self.numericColumns = numericColumns
        self.footer = footer
    }
}

/// A figure file.
public struct FigureOutput: Sendable, Equatable {
    /// The file name beside `index.html`.
    public var fileName: String
    /// Alternative text and caption.
    public var caption: String
    /// The PNG bytes, for self-contained reports.
    public var data: [UInt8]?

    public init(fileName: String, caption: String, data: [UInt8]? = nil) {
        self.fileName = fileName
        self.caption = caption
        self.data = data
    }

    /// Whether `name` is one lab gives figures: `figure-` and a step number, `-` and a position,
    /// an optional `-` and hex digest, `.png` or `.gif`. Nothing else (no `/`, no `..`) may become
    /// a file beside the report, whatever a cache entry on disk says.
    public static func isValidFileName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ["png", "gif"].contains(parts[1]), name.utf8.count <= 120 else { return false }
        let fields = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 3, fields.count <= 4, fields[0] == "figure" else { return false }
        return fields.dropFirst().allSatisfy { field in
            !field.isEmpty && field.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        }
    }
}

/// Files a step saves beside the report, as a notebook's `savefig` would: linked, not shown.
public struct SavedFilesOutput: Sendable, Equatable {
    /// What the files are, e.g. "4×4 samples after each epoch".
    public var caption: String
    public var files: [SavedFile]

    /// One file: its name beside `index.html` and its bytes.
    public struct SavedFile: Sendable, Equatable {
        public var name: String
        public var data: [UInt8]

        public init(name: String, data: [UInt8]) {
            self.name = name
            self.data = data
        }
    }

    public init(caption: String, files: [SavedFile]) {
        self.caption = caption
        self.files = files
    }

    /// Whether `name` may become a file beside the report: letters, digits, `_` and `-`, then
    /// `.png` or `.gif`, at most 100 bytes, and not a name the report itself uses (`index…`,
    /// `figure-…`). Nothing else (no `/`, no `..`, no hidden file) whatever a cache entry says.
    public static func isValidFileName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ["png", "gif"].contains(parts[1]), !parts[0].isEmpty, name.utf8.count <= 100 else { return false }
        guard !parts[0].hasPrefix("figure-"), !parts[0].hasPrefix("index") else { return false }
        return parts[0].unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }
}

/// Why the run stopped.
public struct ReportFailure: Sendable, Equatable {
    /// The step that failed, or nil when the lab could not be read at all.
    public var stepNumber: Int?
    /// `file:line:column: error: message`, with the source line and a caret.
    public var message: String

    public init(stepNumber: Int?, message: String) {
        self.stepNumber = stepNumber
        self.message = message
    }
}
