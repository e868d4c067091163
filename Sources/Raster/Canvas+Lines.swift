/// A dash pattern: lengths in pixels of drawn and skipped stretches, repeated along the line.
public struct DashPattern: Sendable, Equatable {
    public var on: Float
    public var off: Float

    public init(on: Float, off: Float) {
        precondition(on > 0 && off >= 0, "dash lengths must be positive, got \(on), \(off)")
        self.on = on
        self.off = off
    }

    /// matplotlib's `--` at a given line width: 3.7 w on, 1.6 w off.
    public static func dashed(width: Float) -> DashPattern {
        DashPattern(on: 3.7 * max(width, 1), off: 1.6 * max(width, 1))
    }
}

extension Canvas {
    /// Draws an anti-aliased line of `width` pixels through `points` (round joins and caps),
    /// solid or dashed. Coverage at a pixel centre is `width/2 + 0.5 − distance`, clamped to 0…1.
    public mutating func strokePolyline(_ points: [Point], color: Color, width: Float = 1, dash: DashPattern? = nil) {
        guard points.count >= 2, width > 0 else { return }
        let segments = dash.map { Self.dashSegments(points, $0) } ?? zip(points, points.dropFirst()).map { ($0, $1) }
        guard !segments.isEmpty else { return }
        let half = width / 2
        let all = segments.flatMap { [$0.0, $0.1] }
        var mask = self.mask(covering: (all.map(\.x).min()! - half, all.map(\.y).min()! - half,
                                        all.map(\.x).max()! + half, all.map(\.y).max()! + half))
        for (a, b) in segments {
            let box = (min(a.x, b.x) - half, min(a.y, b.y) - half, max(a.x, b.x) + half, max(a.y, b.y) + half)
            mask.accumulate(in: box) { x, y in half + 0.5 - Self.distance(from: Point(x, y), toSegment: a, b) }
        }
        mask.paint(color, onto: &self)
    }

    /// Draws one anti-aliased line segment.
    public mutating func strokeLine(from a: Point, to b: Point, color: Color, width: Float = 1, dash: DashPattern? = nil) {
        strokePolyline([a, b], color: color, width: width, dash: dash)
    }

    static func distance(from p: Point, toSegment a: Point, _ b: Point) -> Float {
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? min(max(((p.x - a.x) * dx + (p.y - a.y) * dy) / length2, 0), 1) : 0
        let (ex, ey) = (p.x - (a.x + t * dx), p.y - (a.y + t * dy))
        return (ex * ex + ey * ey).squareRoot()
    }

    /// The drawn stretches of a dashed polyline; the pattern continues across vertices.
    static func dashSegments(_ points: [Point], _ dash: DashPattern) -> [(Point, Point)] {
        var result: [(Point, Point)] = []
        var drawing = true
        var left = dash.on
        for (a, b) in zip(points, points.dropFirst()) {
            let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
            var position: Float = 0
            while position < length {
                let step = min(left, length - position)
                if drawing {
                    let (t0, t1) = (position / length, (position + step) / length)
                    result.append((Point(a.x + (b.x - a.x) * t0, a.y + (b.y - a.y) * t0),
                                   Point(a.x + (b.x - a.x) * t1, a.y + (b.y - a.y) * t1)))
                }
                position += step
                left -= step
                if left <= 0 {
                    drawing.toggle()
                    left = drawing ? dash.on : dash.off
                    if left == 0 { drawing.toggle(); left = dash.on }
                }
            }
        }
        return result
    }
}
