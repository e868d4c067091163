extension LineChart {
    /// The data range with matplotlib's 5 % margins; a flat range is widened.
    func ranges() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let xs = series.flatMap(\.x).filter(\.isFinite).map(Double.init)
        let ys = (series.flatMap(\.y) + referenceLines.map(\.y)).filter(\.isFinite).map(Double.init)
        func padded(_ values: [Double]) -> ClosedRange<Double> {
            guard var low = values.min(), var high = values.max() else { return 0...1 }
            if high - low < 1e-9 { low -= max(abs(low) * 0.05, 0.5); high += max(abs(high) * 0.05, 0.5) }
            let margin = (high - low) * 0.05
            return (low - margin)...(high + margin)
        }
        return (padded(xs), padded(ys))
    }

    /// Draws the chart into `area` of `canvas` and returns where its parts went.
    @discardableResult
    public func draw(on canvas: inout Canvas, in area: PixelRect) -> ChartLayout {
        let small = BitmapFont.small, regular = BitmapFont.regular
        let (xRange, yRange) = ranges()
        let yTicks = Ticks(low: yRange.lowerBound, high: yRange.upperBound, maximumCount: max(3, area.height / 45))
        let yLabelWidth = yTicks.labels.map(small.width(of:)).max() ?? 0
        let left = area.x + 8 + (yLabel == nil ? 0 : regular.lineHeight + 6) + yLabelWidth + 8
        let top = area.y + 8 + (title == nil ? 0 : regular.lineHeight + 8)
        let bottom = area.y + area.height - 8 - (xLabel == nil ? 0 : regular.lineHeight + 4) - small.lineHeight - 8
        let right = area.x + area.width - 12
        let plot = PixelRect(x: left, y: top, width: max(right - left, 10), height: max(bottom - top, 10))

        // x ticks: as many as fit without their labels touching.
        var xTicks = Ticks(low: xRange.lowerBound, high: xRange.upperBound, maximumCount: max(3, plot.width / 60))
        while xTicks.values.count > 2 {
            let widest = xTicks.labels.map(small.width(of:)).max() ?? 0
            let spacing = Double(plot.width) * xTicks.step / (xRange.upperBound - xRange.lowerBound)
            if spacing >= Double(widest + 10) { break }
            xTicks = Ticks(low: xRange.lowerBound, high: xRange.upperBound, maximumCount: xTicks.values.count - 1)
        }
        func px(_ x: Double) -> Float {
            Float(plot.x) + Float((x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)) * Float(plot.width)
        }
        func py(_ y: Double) -> Float {
            Float(plot.y + plot.height) - Float((y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)) * Float(plot.height)
        }
        let (plotLeft, plotTop) = (Float(plot.x), Float(plot.y))
        let (plotRight, plotBottom) = (Float(plot.x + plot.width), Float(plot.y + plot.height))

        // Grid, then data clipped to the plot, then the frame and ticks on top.
        if showGrid {
            let grid = Color.grid.withAlpha(0.3)
            for t in xTicks.values { canvas.strokeLine(from: Point(px(t), plotTop), to: Point(px(t), plotBottom), color: grid, width: 1) }
            for t in yTicks.values { canvas.strokeLine(from: Point(plotLeft, py(t)), to: Point(plotRight, py(t)), color: grid, width: 1) }
        }
        let savedClip = canvas.clip
        canvas.clip = plot.intersection(savedClip)
        for line in referenceLines {
            canvas.strokeLine(from: Point(plotLeft, py(Double(line.y))), to: Point(plotRight, py(Double(line.y))),
                              color: line.color, width: 1.5, dash: line.dashed ? .dashed(width: 1.5) : nil)
        }
        var dataPoints: [Point] = []
        for s in series {
            let points = zip(s.x, s.y).filter { $0.isFinite && $1.isFinite }.map { Point(px(Double($0)), py(Double($1))) }
            dataPoints += points
            canvas.strokePolyline(points, color: s.color, width: s.lineWidth, dash: s.dash)
            if let marker = s.marker {
                for p in points { canvas.drawMarker(marker, at: p, size: s.markerSize, color: s.color) }
            }
        }
        canvas.clip = savedClip
        canvas.strokeRectangle(x: plotLeft, y: plotTop, width: Float(plot.width), height: Float(plot.height),
                               color: .ink, lineWidth: 1)

        var xLabelBoxes: [PixelRect] = [], yLabelBoxes: [PixelRect] = []
        let xTickPositions = xTicks.values.map(px), yTickPositions = yTicks.values.map(py)
        for (x, label) in zip(xTickPositions, xTicks.labels) {
            canvas.strokeLine(from: Point(x, plotBottom), to: Point(x, plotBottom + 4), color: .ink, width: 1)
            let baseline = plotBottom + 6 + Float(small.ascent)
            canvas.drawText(label, at: Point(x, baseline), font: small, anchor: .center)
            let width = small.width(of: label)
            xLabelBoxes.append(PixelRect(x: Int((x - Float(width) / 2).rounded()), y: Int(baseline) - small.ascent,
                                         width: width, height: small.lineHeight))
        }
        for (y, label) in zip(yTickPositions, yTicks.labels) {
            canvas.strokeLine(from: Point(plotLeft - 4, y), to: Point(plotLeft, y), color: .ink, width: 1)
            let baseline = y + Float(small.ascent) / 2 - 1
            canvas.drawText(label, at: Point(plotLeft - 6, baseline), font: small, anchor: .right)
            let width = small.width(of: label)
            yLabelBoxes.append(PixelRect(x: Int(plotLeft) - 6 - width, y: Int(baseline) - small.ascent,
                                         width: width, height: small.lineHeight))
        }
        if let title {
            canvas.drawText(title, at: Point(plotLeft + Float(plot.width) / 2, Float(area.y + 8 + regular.ascent)),
                            font: regular, anchor: .center)
        }
        if let xLabel {
            canvas.drawText(xLabel, at: Point(plotLeft + Float(plot.width) / 2, Float(area.y + area.height - 8 - regular.descent)),
                            font: regular, anchor: .center)
        }
        if let yLabel {
            canvas.drawText(yLabel, at: Point(Float(area.x + 8 + regular.ascent), plotTop + Float(plot.height) / 2),
                            font: regular, anchor: .center, direction: .upward)
        }
        let legend = showLegend ? drawLegend(on: &canvas, plot: plot, avoiding: dataPoints) : nil
        return ChartLayout(plot: plot, xTicks: xTickPositions, yTicks: yTickPositions,
                           xTickLabels: xLabelBoxes, yTickLabels: yLabelBoxes, legend: legend)
    }

    /// A legend of every labelled series and reference line, in the corner of the plot that
    /// covers the fewest data points (ties go to upper right, then upper left, lower left, lower right).
    private func drawLegend(on canvas: inout Canvas, plot: PixelRect, avoiding points: [Point]) -> PixelRect? {
        struct Entry { let label: String; let color: Color; let marker: MarkerShape?; let width: Float; let dash: DashPattern? }
        let entries = series.compactMap { s in s.label.map { Entry(label: $0, color: s.color, marker: s.marker, width: s.lineWidth, dash: s.dash) } }
            + referenceLines.compactMap { r in r.label.map { Entry(label: $0, color: r.color, marker: nil, width: 1.5, dash: r.dashed ? .dashed(width: 1.5) : nil) } }
        guard !entries.isEmpty else { return nil }
        let font = BitmapFont.small
        let rowHeight = font.lineHeight + 5
        let width = 12 + 28 + 6 + (entries.map { font.width(of: $0.label) }.max() ?? 0) + 10
        let height = 8 + rowHeight * entries.count + 4
        let inset = 8
        let corners = [
            PixelRect(x: plot.x + plot.width - width - inset, y: plot.y + inset, width: width, height: height),
            PixelRect(x: plot.x + inset, y: plot.y + inset, width: width, height: height),
            PixelRect(x: plot.x + inset, y: plot.y + plot.height - height - inset, width: width, height: height),
            PixelRect(x: plot.x + plot.width - width - inset, y: plot.y + plot.height - height - inset, width: width, height: height),
        ]
        let box = corners.min { a, b in
            let covered = { (r: PixelRect) in points.filter { r.contains(Int($0.x), Int($0.y)) }.count }
            return covered(a) < covered(b)
        }!
        canvas.fillRectangle(x: Float(box.x), y: Float(box.y), width: Float(box.width), height: Float(box.height),
                             color: Color.white.withAlpha(0.85))
        canvas.strokeRectangle(x: Float(box.x) + 0.5, y: Float(box.y) + 0.5, width: Float(box.width - 1),
                               height: Float(box.height - 1), color: Color(hex: 0xCCCCCC), lineWidth: 1)
        for (i, entry) in entries.enumerated() {
            let middle = Float(box.y + 8 + i * rowHeight + rowHeight / 2) - 1
            let x0 = Float(box.x + 12)
            canvas.strokeLine(from: Point(x0, middle), to: Point(x0 + 28, middle), color: entry.color,
                              width: entry.width, dash: entry.dash)
            if let marker = entry.marker {
                canvas.drawMarker(marker, at: Point(x0 + 14, middle), size: 6, color: entry.color)
            }
            canvas.drawText(entry.label, at: Point(x0 + 34, middle + Float(font.ascent) / 2 - 1), font: font)
        }
        return box
    }
}
