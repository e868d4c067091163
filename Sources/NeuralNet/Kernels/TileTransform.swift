import CKernels

/// `output[a][b] = Σ_i Σ_j left[a][i] · input[i][j] · right[b][j]` on a small tile whose entries
/// are runs of channels: the two-sided matrix product every Winograd transform is. The loops run
/// in `lab_tile_transform` (C, compiled for the CPU's widest vectors; see `CKernels.h`). A side
/// whose matrix is one of the Winograd data-transform matrices (`WinogradMatrices.h`) runs code
/// compiled for exactly those coefficients, which skips the zeros and adds where they are ±1.
struct TileTransform {
    let left: [Float], right: [Float]
    let outputRows: Int, inputRows: Int, outputColumns: Int, inputColumns: Int
    /// `lab_tile_line`'s index of each side's matrix, or −1 for the general code.
    let leftLine: Int32, rightLine: Int32

    /// `left` is outputRows × inputRows and `right` outputColumns × inputColumns, row-major.
    /// `compiledLines: false` keeps every side on the general code (tests compare the two).
    init(left: [Float], outputRows: Int, inputRows: Int, right: [Float], outputColumns: Int, inputColumns: Int,
         compiledLines: Bool = true) {
        precondition(left.count == outputRows * inputRows && right.count == outputColumns * inputColumns)
        precondition([outputRows, inputRows, outputColumns, inputColumns].allSatisfy { $0 <= Int(LAB_TILE_LARGEST) })
        self.left = left
        self.right = right
        self.outputRows = outputRows
        self.inputRows = inputRows
        self.outputColumns = outputColumns
        self.inputColumns = inputColumns
        func line(_ matrix: [Float], _ rows: Int, _ columns: Int) -> Int32 {
            compiledLines ? matrix.withUnsafeBufferPointer { lab_tile_line($0.baseAddress!, Int32(rows), Int32(columns)) } : -1
        }
        leftLine = line(left, outputRows, inputRows)
        rightLine = line(right, outputColumns, inputColumns)
    }

    /// Whether both sides run code compiled for their matrices.
    var runsCompiledLines: Bool { leftLine >= 0 && rightLine >= 0 }

    /// `matrix`, rows × columns, transposed.
    static func transposed(_ matrix: [Float], rows: Int, columns: Int) -> [Float] {
        (0..<(rows * columns)).map { index in matrix[(index % rows) * columns + index / rows] }
    }

    /// The instruction set the transforms run with ("avx512", "avx2" or "baseline").
    static var instructionSet: String { String(cString: lab_kernels_instruction_set()) }

    /// Transforms `channels` channels: input entry (i, j) starts at `input + (i · inputColumns +
    /// j) · inputStride`, output entry (a, b) at `output + (a · outputColumns + b) ·
    /// outputStride` (strides in floats).
    /// `instructionSet` picks the kernel (tests check each; the CPU's widest by default).
    /// `streaming` stores aligned vectors of the output past the caches (see `lab_tile_transform`):
    /// for a whole batch's transform, far larger than the caches and read back much later.
    @inline(__always)
    func apply(
        _ input: UnsafePointer<Float>, inputStride: Int, to output: UnsafeMutablePointer<Float>, outputStride: Int,
        channels: Int, coefficients: (left: UnsafePointer<Float>, right: UnsafePointer<Float>),
        streaming: Bool = false, instructionSet: KernelInstructionSet? = nil
    ) {
        let streamed: Int32 = streaming ? 1 : 0
        if let instructionSet {
            lab_tile_transform_using(Int32(instructionSet.rawValue), coefficients.left, Int32(outputRows), Int32(inputRows), leftLine,
                                     coefficients.right, Int32(outputColumns), Int32(inputColumns), rightLine, input, inputStride,
                                     output, outputStride, Int32(channels), streamed)
        } else {
            lab_tile_transform(coefficients.left, Int32(outputRows), Int32(inputRows), leftLine, coefficients.right,
                               Int32(outputColumns), Int32(inputColumns), rightLine, input, inputStride, output, outputStride,
                               Int32(channels), streamed)
        }
    }

    /// Runs `body` with the coefficient pointers `apply` takes.
    func withCoefficients<R>(_ body: ((left: UnsafePointer<Float>, right: UnsafePointer<Float>)) -> R) -> R {
        left.withUnsafeBufferPointer { l in right.withUnsafeBufferPointer { r in body((l.baseAddress!, r.baseAddress!)) } }
    }
}

/// The instruction sets the C kernels (`CKernels`) are compiled for.
enum KernelInstructionSet: Int, CaseIterable, Sendable {
    case baseline = 0, avx2 = 1, avx512 = 2

    /// Whether this CPU runs the set.
    var isSupported: Bool { Int(lab_supported_instruction_set(Int32(rawValue))) == rawValue }
}
