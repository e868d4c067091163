/// One line of a chart: points, style and a legend label.
public struct LineSeries: Sendable {
    public var x: [Float]
    public var y: [Float]
    public var label: String?
    public var color: Color
    public var marker: MarkerShape?
    /// Line width in pixels (matplotlib's `linewidth=2` at 100 dpi is about 2.8 px).
    public var lineWidth: Float
    /// Marker diameter or side in pixels.
    public var markerSize: Float
    public var dash: DashPattern?

    public init(x: [Float], y: [Float], label: String? = nil, color: Color, marker: MarkerShape? = nil,
                lineWidth: Float = 2.5, markerSize: Float = 6, dash: DashPattern? = nil) {
        precondition(x.count == y.count, "\(x.count) x values for \(y.count) y values")
        self.x = x
        self.y = y
        self.label = label
        self.color = color
        self.marker = marker
        self.lineWidth = lineWidth
        self.markerSize = markerSize
        self.dash = dash
    }
}

/// A horizontal reference line across the whole plot, such as `ln 2 = 0.693`.
public struct ReferenceLine: Sendable {
    public var y: Float
    public var label: String?
    public var color: Color
    public var dashed: Bool

    public init(y: Float, label: String? = nil, color: Color = Color(hex: 0x808080, alpha: 0.8), dashed: Bool = true) {
        self.y = y
        self.label = label
        self.color = color
        self.dashed = dashed
    }
}

/// A line chart in the manner of matplotlib's defaults: title, axis labels, nice ticks, a light
/// grid, series with markers, reference lines, and a legend placed where it hides the least data.
public struct LineChart: Sendable {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var series: [LineSeries]
    public var referenceLines: [ReferenceLine]
    public var showGrid: Bool
    public var showLegend: Bool

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, series: [LineSeries] = [],
                referenceLines: [ReferenceLine] = [], showGrid: Bool = true, showLegend: Bool = true) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.referenceLines = referenceLines
        self.showGrid = showGrid
        self.showLegend = showLegend
    }
}

/// Where a chart's parts ended up, for tests and for placing figures in reports.
public struct ChartLayout: Sendable, Equatable {
    /// The plot area inside the axes, in canvas pixels.
    public var plot: PixelRect
    /// Pixel positions of the x ticks and y ticks.
    public var xTicks: [Float]
    public var yTicks: [Float]
    /// The boxes of the tick labels, in canvas pixels.
    public var xTickLabels: [PixelRect]
    public var yTickLabels: [PixelRect]
    /// The legend box, if drawn.
    public var legend: PixelRect?
}
