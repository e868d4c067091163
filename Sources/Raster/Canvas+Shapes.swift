/// Marker shapes, named as in matplotlib.
public enum MarkerShape: String, Sendable, CaseIterable {
    /// `o`: a disk.
    case circle = "o"
    /// `s`: an axis-aligned square.
    case square = "s"
    /// `^`: a triangle pointing up.
    case triangleUp = "^"
}

extension Canvas {
    /// Fills the rectangle [x, x + width) × [y, y + height) in canvas coordinates, anti-aliased at
    /// fractional edges.
    public mutating func fillRectangle(x: Float, y: Float, width: Float, height: Float, color: Color) {
        guard width > 0, height > 0 else { return }
        var mask = self.mask(covering: (x, y, x + width, y + height))
        mask.accumulate(in: (x, y, x + width, y + height)) { px, py in
            let cx = min(px + 0.5, x + width) - max(px - 0.5, x)
            let cy = min(py + 0.5, y + height) - max(py - 0.5, y)
            return max(cx, 0) * max(cy, 0)
        }
        mask.paint(color, onto: &self)
    }

    /// Strokes the outline of a rectangle with lines of `lineWidth` centred on its edges.
    public mutating func strokeRectangle(x: Float, y: Float, width: Float, height: Float, color: Color, lineWidth: Float = 1) {
        let corners = [Point(x, y), Point(x + width, y), Point(x + width, y + height), Point(x, y + height), Point(x, y)]
        strokePolyline(corners, color: color, width: lineWidth)
    }

    /// Draws a filled marker of `size` pixels (its diameter or side) centred at `center`.
    public mutating func drawMarker(_ shape: MarkerShape, at center: Point, size: Float, color: Color) {
        let r = size / 2
        var mask = self.mask(covering: (center.x - r, center.y - r, center.x + r, center.y + r))
        let box = (center.x - r, center.y - r, center.x + r, center.y + r)
        switch shape {
        case .circle:
            mask.accumulate(in: box) { x, y in
                r + 0.5 - ((x - center.x) * (x - center.x) + (y - center.y) * (y - center.y)).squareRoot()
            }
        case .square:
            mask.accumulate(in: box) { x, y in
                min(max(r + 0.5 - abs(x - center.x), 0), 1) * min(max(r + 0.5 - abs(y - center.y), 0), 1)
            }
        case .triangleUp:
            // matplotlib's `^`: apex at the top centre, base along the bottom of the size × size box;
            // coverage from the nearest edge.
            let top = Point(center.x, center.y - r)
            let left = Point(center.x - r, center.y + r), right = Point(center.x + r, center.y + r)
            let edges = [(top, right), (right, left), (left, top)]
            mask.accumulate(in: box) { x, y in
                edges.map { a, b in
                    // Signed distance, positive inside (the vertices run clockwise on screen).
                    let (ex, ey) = (b.x - a.x, b.y - a.y)
                    return ((x - a.x) * ey - (y - a.y) * ex) / (ex * ex + ey * ey).squareRoot() * -1 + 0.5
                }.min()!
            }
        }
        mask.paint(color, onto: &self)
    }
}
