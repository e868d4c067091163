/// How values become colours, as matplotlib's colour maps do after `vmin`/`vmax` scale them to 0…1.
public enum ColorMap: Sendable, CaseIterable {
    /// matplotlib's `gray`: low values black, high values white (continuous).
    case gray
    /// matplotlib's `Greys`: low values white, high values black (ink on paper); its table.
    case greys
    /// matplotlib's `viridis`, `imshow`'s default: dark blue through green to yellow; its table.
    case viridis
    /// matplotlib's `magma`: black through purple and orange to pale yellow; its table.
    case magma

    /// The name matplotlib gives the map (`cmap='Greys'`).
    public var matplotlibName: String {
        switch self {
        case .gray: "gray"
        case .greys: "Greys"
        case .viridis: "viridis"
        case .magma: "magma"
        }
    }

    /// The map matplotlib calls `name`, if we have it.
    public init?(matplotlibName name: String) {
        guard let map = Self.allCases.first(where: { $0.matplotlibName == name }) else { return nil }
        self = map
    }

    /// The colour of `t` in 0…1 (clamped; NaN as 0): a table entry as matplotlib picks it (`⌊t · 256⌋`,
    /// the last entry for 1) with matplotlib's bytes, or the continuous gray level.
    public func color(_ t: Float) -> Color {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        let table: [UInt8]
        switch self {
        case .gray: return Color(gray: t)
        case .greys: table = Self.greysTable
        case .viridis: table = Self.viridisTable
        case .magma: table = Self.magmaTable
        }
        let index = min(Int(t * 256), 255) * 3
        return Color(red: Float(table[index]) / 255, green: Float(table[index + 1]) / 255, blue: Float(table[index + 2]) / 255)
    }
}

/// Equal images in rows and columns, as matplotlib's `imshow` in a grid of subplots with axes off:
/// values mapped through [vmin, vmax] and a colour map, upscaled by whole pixels (nearest
/// neighbour), with padding, an optional caption under each cell and an optional title.
public struct ImageGrid: Sendable {
    /// Each image's values, row-major, `imageWidth × imageHeight` of them.
    public var images: [[Float]]
    public var imageWidth: Int
    public var imageHeight: Int
    public var rows: Int
    public var columns: Int
    /// The value at the colour map's low end (black with `gray`, white with `greys`).
    public var vmin: Float
    /// The value at the colour map's high end.
    public var vmax: Float
    public var colorMap: ColorMap
    /// Screen pixels per image pixel.
    public var scale: Int
    /// Pixels between cells and around the grid.
    public var padding: Int
    /// One short caption per image (the chapter shows each digit's label), or nil.
    public var captions: [String]?
    public var title: String?

    public init(images: [[Float]], imageWidth: Int, imageHeight: Int, rows: Int, columns: Int,
                vmin: Float = 0, vmax: Float = 1, colorMap: ColorMap = .gray, scale: Int = 3, padding: Int = 6,
                captions: [String]? = nil, title: String? = nil) {
        self.images = images
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.rows = rows
        self.columns = columns
        self.vmin = vmin
        self.vmax = vmax
        self.colorMap = colorMap
        self.scale = scale
        self.padding = padding
        self.captions = captions
        self.title = title
    }

    /// A problem with the grid's inputs, in one sentence.
    /// The largest grid side, in pixels (and rows, columns, scale): 8,192.
    public static let maximumSide = 8_192

    public func validate() -> String? {
        if rows <= 0 || columns <= 0 { return "a grid needs positive rows and columns, got \(rows)×\(columns)" }
        if scale <= 0 { return "the scale must be a positive whole number, got \(scale)" }
        if !(vmax > vmin) { return "vmax (\(vmax)) must be larger than vmin (\(vmin))" }
        if !(vmax - vmin).isFinite {
            return "vmin and vmax must be numbers whose difference a Float can hold (at most about 3.4e38), got \(vmin) and \(vmax)"
        }
        // Checked before anything is multiplied or allocated: sizes from a lab can be absurd.
        if rows > Self.maximumSide || columns > Self.maximumSide || scale > Self.maximumSide
            || imageWidth > Self.maximumSide || imageHeight > Self.maximumSide
            || columns * (imageWidth * scale + padding) > Self.maximumSide || rows * (imageHeight * scale + padding + 20) > Self.maximumSide {
            return "a \(rows)×\(columns) grid of \(imageWidth)×\(imageHeight) images at scale \(scale) would be larger than "
                + "\(Self.maximumSide)×\(Self.maximumSide) pixels"
        }
        if images.count > rows * columns { return "\(images.count) images do not fit a \(rows)×\(columns) grid" }
        if let bad = images.firstIndex(where: { $0.count != imageWidth * imageHeight }) {
            return "image \(bad) has \(images[bad].count) values, expected \(imageWidth)×\(imageHeight)"
        }
        if let captions, captions.count != images.count { return "\(captions.count) captions for \(images.count) images" }
        return nil
    }

    /// The colour of a value (a value that is not a number is shown as `vmin`).
    func color(of value: Float) -> Color {
        colorMap.color(value.isFinite ? (value - vmin) / (vmax - vmin) : 0)
    }

    /// Renders the grid on a white canvas.
    public func render() -> Canvas {
        precondition(validate() == nil, validate() ?? "")
        let captionHeight = captions == nil ? 0 : BitmapFont.small.lineHeight + 4
        let titleHeight = title == nil ? 0 : BitmapFont.regular.lineHeight + 10
        let cellWidth = imageWidth * scale, cellHeight = imageHeight * scale + captionHeight
        var canvas = Canvas(
            width: columns * cellWidth + (columns + 1) * padding,
            height: titleHeight + rows * cellHeight + (rows + 1) * padding)
        if let title {
            canvas.drawText(title, at: Point(Float(canvas.width) / 2, Float(6 + BitmapFont.regular.ascent)),
                            font: .regular, anchor: .center)
        }
        for (index, image) in images.enumerated() {
            let (row, column) = (index / columns, index % columns)
            let x0 = padding + column * (cellWidth + padding)
            let y0 = titleHeight + padding + row * (cellHeight + padding)
            for y in 0..<imageHeight {
                for x in 0..<imageWidth {
                    let color = color(of: image[y * imageWidth + x])
                    for dy in 0..<scale { for dx in 0..<scale { canvas.set(x0 + x * scale + dx, y0 + y * scale + dy, color) } }
                }
            }
            if let captions {
                canvas.drawText(captions[index], at: Point(Float(x0 + cellWidth / 2), Float(y0 + imageHeight * scale + 2 + BitmapFont.small.ascent)),
                                font: .small, anchor: .center)
            }
        }
        return canvas
    }
}
