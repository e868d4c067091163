/// Several charts side by side under one optional title, as matplotlib's `plt.subplots(1, n)`
/// with `suptitle`.
public struct Figure: Sendable {
    public var title: String?
    public var panels: [LineChart]
    /// Width of each panel in pixels.
    public var panelWidth: Int
    /// Height of the panels in pixels.
    public var panelHeight: Int

    public init(title: String? = nil, panels: [LineChart], panelWidth: Int = 560, panelHeight: Int = 400) {
        precondition(!panels.isEmpty, "a figure needs at least one panel")
        self.title = title
        self.panels = panels
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
    }

    /// Renders the figure on a white canvas; also returns each panel's layout.
    public func render() -> (canvas: Canvas, layouts: [ChartLayout]) {
        let titleHeight = title == nil ? 0 : BitmapFont.bold.lineHeight + 14
        var canvas = Canvas(width: panelWidth * panels.count, height: panelHeight + titleHeight)
        if let title {
            canvas.drawText(title, at: Point(Float(canvas.width) / 2, Float(10 + BitmapFont.bold.ascent)),
                            font: .bold, anchor: .center)
        }
        let layouts = panels.enumerated().map { index, panel in
            panel.draw(on: &canvas, in: PixelRect(x: index * panelWidth, y: titleHeight, width: panelWidth, height: panelHeight))
        }
        return (canvas, layouts)
    }
}
