import Foundation
import Raster
import Testing
import _TestSupport

/// Charts and image grids: layout invariants, plus PNGs under `.build/figures/` to look at.
@Suite struct ChartTests {
    static let figureFolder = FigureFolder.path

    /// Losses shaped like the chapter's 30 epochs.
    static let epochs = (1...30).map(Float.init)
    static let gLosses = epochs.map { 0.9 + 0.55 * (1 - exp(-$0 / 6)) + 0.04 * sin($0) }
    static let dLosses = epochs.map { 1.35 - 0.22 * (1 - exp(-$0 / 5)) + 0.03 * cos($0 * 1.3) }

    static func lossFigure() -> Figure {
        let loss = LineChart(
            title: "GAN training loss", xLabel: "epoch", yLabel: "loss",
            series: [
                LineSeries(x: epochs, y: gLosses, label: "Generator", color: Color.tab10[0], marker: .circle, markerSize: 5),
                LineSeries(x: epochs, y: dLosses, label: "Discriminator", color: Color.tab10[3], marker: .square, markerSize: 5),
            ],
            referenceLines: [ReferenceLine(y: 0.693, label: "ln 2 = 0.693")])
        let ratio = LineChart(
            title: "G/D loss ratio", xLabel: "epoch", yLabel: "G loss / D loss",
            series: [LineSeries(x: epochs, y: zip(gLosses, dLosses).map(/), color: Color.tab10[2], marker: .triangleUp, markerSize: 6)],
            referenceLines: [ReferenceLine(y: 1, label: "G/D = 1.0")])
        return Figure(title: "Simple GAN training", panels: [loss, ratio])
    }

    @Test func niceTicksUseOneTwoTwoAndAHalfOrFive() {
        #expect(Ticks(low: 0, high: 1, maximumCount: 6).values == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(Ticks(low: 0.62, high: 1.52, maximumCount: 6).labels == ["0.8", "1.0", "1.2", "1.4"])
        #expect(Ticks(low: 0, high: 31, maximumCount: 8).values == [0, 5, 10, 15, 20, 25, 30])
        #expect(Ticks(low: 0, high: 10, maximumCount: 5).step == 2.5)
        #expect(Ticks(low: -3, high: 3, maximumCount: 7).labels == ["-3", "-2", "-1", "0", "1", "2", "3"])
        for (low, high) in [(0.001, 0.0013), (-250.0, 12_000.0), (5.0, 5.0)] {
            let ticks = Ticks(low: low, high: high)
            #expect(ticks.values.allSatisfy { $0 >= low - 1e-9 && $0 <= high + 1e-9 })
            let mantissa = ticks.step / pow(10, floor(log10(ticks.step)))
            #expect([1, 2, 2.5, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(ticks.step)")
        }
    }

    /// Float's whole range and the tiniest steps: labels in scientific notation. The labels of
    /// ticks past Int's range stopped the process (a lab's `lineChart([[3.0e38, -3.0e38]])`).
    @Test func ticksBeyondWholeNumbersAreWrittenScientifically() {
        let huge = Ticks(low: -3e38, high: 3e38, maximumCount: 7)
        #expect(huge.step == 1e38)
        #expect(huge.labels == ["-3e+38", "-2e+38", "-1e+38", "0", "1e+38", "2e+38", "3e+38"])
        #expect(Ticks(low: 1e-9, high: 3e-9, maximumCount: 3).labels == ["1e-09", "2e-09", "3e-09"])
        // The smallest span there is (10⁻¹²): distinct ticks, where rounding to 12 decimals made them all 0.
        let least = Ticks(low: 0, high: 1e-12, maximumCount: 6)
        #expect(least.labels == ["0", "2e-13", "4e-13", "6e-13", "8e-13", "1e-12"])
        #expect(Ticks(low: 0, high: 2e15, maximumCount: 3).labels == ["0", "1e+15", "2e+15"])
        #expect(Ticks(low: 0, high: 4e14, maximumCount: 3).labels == ["0", "200000000000000", "400000000000000"])
    }

    @Test func theLossFigureKeepsTicksLabelsAndLegendInPlace() throws {
        let (canvas, layouts) = Self.lossFigure().render()
        try PNG.write(canvas, to: Self.figureFolder + "/loss-figure.png")
        let figure = PixelRect(x: 0, y: 0, width: canvas.width, height: canvas.height)
        for layout in layouts {
            let plot = layout.plot
            #expect(layout.xTicks.allSatisfy { $0 >= Float(plot.x) && $0 <= Float(plot.x + plot.width) })
            #expect(layout.yTicks.allSatisfy { $0 >= Float(plot.y) && $0 <= Float(plot.y + plot.height) })
            #expect(layout.xTicks.count >= 3 && layout.yTicks.count >= 3)
            for boxes in [layout.xTickLabels, layout.yTickLabels] {
                for (a, b) in zip(boxes, boxes.dropFirst()) {
                    #expect(a.intersection(b).width == 0 || a.intersection(b).height == 0, "tick labels overlap: \(a) \(b)")
                }
                #expect(boxes.allSatisfy { figure.intersection($0) == $0 }, "tick labels inside the figure")
            }
            let legend = try #require(layout.legend)
            #expect(plot.intersection(legend) == legend, "legend inside the axes")
        }
        // The loss legend avoids the data, which fills the upper part: it goes to a lower corner.
        let legend = try #require(layouts[0].legend)
        #expect(legend.y > layouts[0].plot.y + layouts[0].plot.height / 2)
    }

    @Test func imageGridsScaleCaptionAndMapValues() throws {
        let digit = (0..<(28 * 28)).map { i -> Float in
            let (x, y) = (Float(i % 28) - 13.5, Float(i / 28) - 13.5)
            return abs((x * x + y * y).squareRoot() - 8) < 2.2 ? 1 : -1
        }
        let grid = ImageGrid(images: Array(repeating: digit, count: 16), imageWidth: 28, imageHeight: 28, rows: 2, columns: 8,
                             vmin: -1, vmax: 1, scale: 2, padding: 4,
                             captions: (0..<16).map { String($0 % 10) }, title: "MNIST samples")
        #expect(grid.validate() == nil)
        let canvas = grid.render()
        try PNG.write(canvas, to: Self.figureFolder + "/image-grid.png")
        let captionHeight = BitmapFont.small.lineHeight + 4, titleHeight = BitmapFont.regular.lineHeight + 10
        #expect(canvas.width == 8 * 56 + 9 * 4)
        #expect(canvas.height == titleHeight + 2 * (56 + captionHeight) + 3 * 4)
        // The first cell's top-left image pixel (value −1 → black) covers 2×2 screen pixels.
        let (x0, y0) = (4, titleHeight + 4)
        #expect(canvas.rgba(x0, y0) == [0, 0, 0, 255] && canvas.rgba(x0 + 1, y0 + 1) == [0, 0, 0, 255])
        #expect(canvas.rgba(x0 - 1, y0) == [255, 255, 255, 255], "padding stays white")
        var greys = grid
        greys.colorMap = .greys
        #expect(greys.render().rgba(x0, y0) == [255, 255, 255, 255], "Greys maps low values to white")
        // matplotlib's tables, as imshow draws them (`cmap(t, bytes=True)`): the ends and the middle.
        var viridis = grid
        viridis.colorMap = .viridis
        #expect(viridis.render().rgba(x0, y0) == [68, 1, 84, 255], "viridis's first entry")
        #expect(ColorMap.viridis.color(0.5) == ColorMap.viridis.color(128.0 / 256))
        func bytes(_ c: Color) -> [UInt8] { [c.red, c.green, c.blue].map { UInt8(($0 * 255).rounded()) } }
        #expect(bytes(ColorMap.viridis.color(0.5)) == [32, 144, 140] && bytes(ColorMap.viridis.color(1)) == [253, 231, 36])
        #expect(bytes(ColorMap.greys.color(0.5)) == [149, 149, 149] && bytes(ColorMap.greys.color(1)) == [0, 0, 0])
        #expect(bytes(ColorMap.magma.color(0)) == [0, 0, 3] && bytes(ColorMap.magma.color(1)) == [251, 252, 191])
        #expect(ColorMap(matplotlibName: "Greys") == .greys && ColorMap(matplotlibName: "greys") == nil)
        var wrong = grid
        wrong.captions = ["1"]
        #expect(wrong.validate() == "1 captions for 16 images")
    }

    /// Bounds that a Float holds only as infinities (a lab's `vmin: -1e300, vmax: 1e300`) made
    /// every value NaN and stopped the process when the pixel was written; now an error. NaN
    /// reaching a colour map or a pixel is drawn as 0 rather than stopping it.
    @Test func imageGridBoundsMustBeFiniteApartAndNaNIsDrawnAsZero() {
        var grid = ImageGrid(images: [[-1, 0, 1, .nan]], imageWidth: 2, imageHeight: 2, rows: 1, columns: 1,
                             vmin: -.infinity, vmax: .infinity, scale: 1, padding: 0)
        #expect(grid.validate() == "vmin and vmax must be numbers whose difference a Float can hold (at most about 3.4e38), got -inf and inf")
        (grid.vmin, grid.vmax) = (-3e38, 3e38)
        #expect(grid.validate()?.hasPrefix("vmin and vmax must be numbers whose difference") == true)
        (grid.vmin, grid.vmax) = (-1, 1)
        #expect(grid.validate() == nil)
        let canvas = grid.render()
        #expect(canvas.rgba(0, 0) == [0, 0, 0, 255] && canvas.rgba(1, 1) == [0, 0, 0, 255], "NaN as the lowest value")
        #expect(canvas.rgba(1, 0) == [128, 128, 128, 255] && canvas.rgba(0, 1) == [255, 255, 255, 255])
        for map in ColorMap.allCases { #expect(map.color(.nan) == map.color(0), "\(map)") }
        var pixel = Canvas(width: 1, height: 1)
        pixel.set(0, 0, Color(red: .nan, green: .infinity, blue: -.infinity))
        #expect(pixel.rgba(0, 0) == [0, 255, 0, 255])
    }
}
