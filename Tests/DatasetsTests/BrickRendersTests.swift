@testable import Datasets
import Foundation
import NeuralNet
import Raster
import Testing
import _TestSupport

/// The built-in bricks (the 004 lab's stand-in data): deterministic, bricks on a light
/// background, and the coverage painter they are drawn with.
@Suite struct BrickRendersTests {
    @Test func theSameSeedGivesTheSameImagesAndAGridToLookAt() throws {
        let first = try BrickRenders.generate(count: 300, seed: 7)
        let again = try BrickRenders.generate(count: 300, seed: 7)
        let other = try BrickRenders.generate(count: 300, seed: 8)
        #expect(first.images.scalars == again.images.scalars && first.labels == again.labels)
        #expect(first.images.scalars != other.images.scalars)
        #expect(first.images.shape == [300, 64, 64, 1])
        #expect(Set(first.labels) == Set(BrickRenders.shapes.indices))
        // A prefix of a larger set is the smaller set: image i depends on the seed and i only.
        let larger = try BrickRenders.generate(count: 500, seed: 7)
        #expect(Array(larger.images.scalars.prefix(300 * 64 * 64)) == first.images.scalars)
        let grid = ImageGrid(images: (0..<30).map { Array(first.images.rows($0..<($0 + 1)).scalars) },
                             imageWidth: 64, imageHeight: 64, rows: 3, columns: 10, vmin: 0, vmax: 255,
                             colorMap: .greys, scale: 2, padding: 4, title: "Built-in bricks")
        try PNG.write(grid.render(), to: FigureFolder.path + "/builtin-bricks.png")
    }

    /// Every image is a brick on a background: whole numbers 0…255, the corners are background
    /// (light, and equal within an image), and at least 4 % of the pixels differ (a thin plate seen
    /// from above at the smallest scale, lit like the background, is the least).
    @Test func everyImageIsABrickOnALightBackground() throws {
        let data = try BrickRenders.generate(count: 400, seed: 11)
        let side = 64
        for index in 0..<data.count {
            let image = Array(data.images.scalars[(index * side * side)..<((index + 1) * side * side)])
            #expect(image.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() })
            let corners = [image[0], image[side - 1], image[(side - 1) * side], image[side * side - 1]]
            #expect(Set(corners).count == 1 && corners[0] >= 0.82 * 255 - 1, "image \(index): corners \(corners)")
            let differing = image.filter { abs($0 - corners[0]) > 8 }.count
            #expect(differing > side * side / 25, "image \(index): only \(differing) pixels differ from the background")
        }
    }

    @Test func absurdCountsAndSizesAreErrors() {
        #expect(throws: DatasetError.self) { try BrickRenders.generate(count: 0) }
        #expect(throws: DatasetError.self) { try BrickRenders.generate(count: BrickRenders.maximumCount + 1) }
        #expect(throws: DatasetError.self) { try BrickRenders.generate(count: 10, size: 4) }
    }

    /// The painter: a square on pixel edges covers its pixels fully, a half-pixel edge gives half
    /// coverage, a triangle's coverage sums to its area, and both windings paint the same.
    @Test func convexPolygonsPaintTheirExactCoverage() {
        var canvas = GrayCoverageCanvas(size: 8, background: 0)
        canvas.fill(convex: [(2, 2), (5, 2), (5, 4), (2, 4)], value: 1)
        for y in 0..<8 {
            for x in 0..<8 {
                #expect(canvas.values[y * 8 + x] == ((2..<5).contains(x) && (2..<4).contains(y) ? 1 : 0))
            }
        }
        var half = GrayCoverageCanvas(size: 4, background: 0.2)
        half.fill(convex: [(0, 0), (1.5, 0), (1.5, 4), (0, 4)], value: 1)
        #expect(half.values[0] == 1 && abs(half.values[1] - 0.6) < 1e-6 && half.values[2] == 0.2)

        var triangle = GrayCoverageCanvas(size: 16, background: 0)
        triangle.fill(convex: [(1, 1), (13, 2), (4, 14)], value: 1)
        var reversed = GrayCoverageCanvas(size: 16, background: 0)
        reversed.fill(convex: [(4, 14), (13, 2), (1, 1)], value: 1)
        // A sample exactly on an edge may fall either side with the other winding: one sample of 16.
        #expect(zip(triangle.values, reversed.values).allSatisfy { abs($0 - $1) <= 1.0 / 16 })
        let area: Float = 0.5 * abs((13 - 1) * (14 - 1) - (4 - 1) * (2 - 1))
        #expect(abs(triangle.values.reduce(0, +) - area) < 0.02 * area)
    }

    @Test func theHullOfTwoCirclesIsConvexAndHoldsEveryPoint() {
        let points = (0..<12).flatMap { k -> [(Float, Float)] in
            let t = Float(k) * .pi / 6
            return [(cos(t), sin(t)), (3 + cos(t), 1 + sin(t))]
        } + [(1.5, 0.5)]
        let hull = ConvexHull.of(points)
        #expect(hull.count < points.count && !hull.contains { $0 == (1.5, 0.5) })
        for k in hull.indices {
            let (o, a) = (hull[k], hull[(k + 1) % hull.count])
            for p in points {
                #expect((a.0 - o.0) * (p.1 - o.1) - (a.1 - o.1) * (p.0 - o.0) >= -1e-5)
            }
        }
    }
}
