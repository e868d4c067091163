/// How much of each pixel of a region a shape covers, in 0…1, before it is painted.
///
/// Shapes add their coverage with `max`, so overlapping parts of one polyline or one dashed
/// line are painted once (no darker joints with translucent colours).
struct CoverageMask {
    let bounds: PixelRect
    private(set) var coverage: [Float]

    /// An empty mask over `bounds`.
    init(bounds: PixelRect) {
        self.bounds = bounds
        coverage = [Float](repeating: 0, count: max(bounds.width * bounds.height, 0))
    }

    /// Raises the coverage of each pixel whose centre is inside `box` (canvas coordinates) to
    /// `value(centre)` where that is larger.
    mutating func accumulate(in box: (minX: Float, minY: Float, maxX: Float, maxY: Float), _ value: (Float, Float) -> Float) {
        let x0 = max(bounds.x, Int((box.minX - 1).rounded(.down))), x1 = min(bounds.x + bounds.width, Int((box.maxX + 1).rounded(.up)))
        let y0 = max(bounds.y, Int((box.minY - 1).rounded(.down))), y1 = min(bounds.y + bounds.height, Int((box.maxY + 1).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            let row = (y - bounds.y) * bounds.width - bounds.x
            for x in x0..<x1 {
                let c = value(Float(x) + 0.5, Float(y) + 0.5)
                if c > coverage[row + x] { coverage[row + x] = min(c, 1) }
            }
        }
    }

    /// Paints `color` onto `canvas` with this coverage.
    func paint(_ color: Color, onto canvas: inout Canvas) {
        for y in 0..<bounds.height {
            for x in 0..<bounds.width {
                let c = coverage[y * bounds.width + x]
                if c > 0 { canvas.blend(bounds.x + x, bounds.y + y, color, coverage: c) }
            }
        }
    }
}

extension Canvas {
    /// A mask over the part of the canvas (within the clip) that `box` may touch.
    func mask(covering box: (minX: Float, minY: Float, maxX: Float, maxY: Float)) -> CoverageMask {
        let area = PixelRect(
            x: Int((box.minX - 1).rounded(.down)), y: Int((box.minY - 1).rounded(.down)),
            width: Int((box.maxX - box.minX + 3).rounded(.up)), height: Int((box.maxY - box.minY + 3).rounded(.up)))
        return CoverageMask(bounds: area.intersection(clip).intersection(PixelRect(x: 0, y: 0, width: width, height: height)))
    }
}
