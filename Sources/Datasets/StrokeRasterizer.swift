/// Anti-aliased round-capped strokes into a small gray image: the ink of the built-in digits.
///
/// Each pixel takes the largest coverage of any segment near it, where coverage falls from 1 to 0
/// over the pixel at the stroke's edge. Overlapping strokes therefore do not darken twice, as
/// with a pen on paper.
struct StrokeRasterizer {
    let width: Int
    let height: Int
    /// Coverage 0…1 per pixel, row-major.
    private(set) var coverage: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        coverage = [Float](repeating: 0, count: width * height)
    }

    /// Draws the segment from `a` to `b` (pixel units; pixel (i, j) has its centre at i + 0.5,
    /// j + 0.5) with the given half width; the ink fades to nothing over `softness` pixels at the
    /// edge (1 is a crisp anti-aliased edge, more is a softer pen, like MNIST's scanned strokes).
    mutating func segment(from a: (x: Float, y: Float), to b: (x: Float, y: Float), radius: Float, softness: Float = 1) {
        let reach = radius + softness / 2
        let fade = 1 / softness
        let x0 = max(0, Int((min(a.x, b.x) - reach).rounded(.down)))
        let x1 = min(width - 1, Int((max(a.x, b.x) + reach).rounded(.up)))
        let y0 = max(0, Int((min(a.y, b.y) - reach).rounded(.down)))
        let y1 = min(height - 1, Int((max(a.y, b.y) + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        let inverse = lengthSquared > 1e-12 ? 1 / lengthSquared : 0
        for y in y0...y1 {
            let py = Float(y) + 0.5
            for x in x0...x1 {
                let px = Float(x) + 0.5
                // The nearest point of the segment, then the distance to it.
                let t = min(1, max(0, ((px - a.x) * dx + (py - a.y) * dy) * inverse))
                let ex = px - (a.x + t * dx), ey = py - (a.y + t * dy)
                let value = min(1, (reach - (ex * ex + ey * ey).squareRoot()) * fade)
                let index = y * width + x
                if value > coverage[index] { coverage[index] = value }
            }
        }
    }
}
