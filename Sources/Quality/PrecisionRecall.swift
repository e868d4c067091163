import NeuralNet

/// Improved precision and recall (Kynkäänniemi et al. 2019, "Improved precision and recall
/// metric for assessing generative models"): each set's manifold is the union of hyperspheres
/// around its feature vectors, each with the radius to its k-th nearest neighbour in the same set
/// (k = 3 in the paper). Precision is the share of generated vectors inside the real manifold;
/// recall the share of real vectors inside the generated one. Distances are Euclidean, computed
/// in blocks through one matrix product each (`‖a‖² + ‖b‖² − 2 a·b`).
public enum PrecisionRecall {
    public static func compute(real: [Float], generated: [Float], dimension: Int, k: Int = 3) throws -> (precision: Double, recall: Double) {
        let realCount = real.count / max(dimension, 1), generatedCount = generated.count / max(dimension, 1)
        guard dimension > 0, realCount > k, generatedCount > k, real.count == realCount * dimension,
              generated.count == generatedCount * dimension else {
            throw NeuralNetError("precision and recall need more than \(k) vectors of \(dimension) values in each set")
        }
        let realRadii = kthNeighbourDistances(real, count: realCount, dimension: dimension, k: k)
        let generatedRadii = kthNeighbourDistances(generated, count: generatedCount, dimension: dimension, k: k)
        let precision = fractionInside(generated, count: generatedCount, of: real, count: realCount, radii: realRadii, dimension: dimension)
        let recall = fractionInside(real, count: realCount, of: generated, count: generatedCount, radii: generatedRadii, dimension: dimension)
        return (precision, recall)
    }

    static let blockRows = 1_024

    /// Squared norms of each row.
    static func squaredNorms(_ x: [Float], count: Int, dimension: Int) -> [Float] {
        (0..<count).map { row in
            var sum: Float = 0
            for j in 0..<dimension { let v = x[row * dimension + j]; sum += v * v }
            return sum
        }
    }

    /// Squared distances from rows `start..<end` of `a` to every row of `b`, `[end − start, bCount]`.
    static func squaredDistances(_ a: [Float], rows range: Range<Int>, aNorms: [Float], _ b: [Float], count bCount: Int,
                                 bNorms: [Float], dimension: Int) -> [Float] {
        let block = Array(a[(range.lowerBound * dimension)..<(range.upperBound * dimension)])
        var products = LinearAlgebra.productWithTranspose(block, rows: range.count, b, rows: bCount, columns: dimension)
        for (i, row) in range.enumerated() {
            for j in 0..<bCount { products[i * bCount + j] = max(aNorms[row] + bNorms[j] - 2 * products[i * bCount + j], 0) }
        }
        return products
    }

    /// The squared distance from each vector to its k-th nearest other vector of the same set.
    static func kthNeighbourDistances(_ x: [Float], count: Int, dimension: Int, k: Int) -> [Float] {
        let norms = squaredNorms(x, count: count, dimension: dimension)
        var radii = [Float](repeating: 0, count: count)
        for start in stride(from: 0, to: count, by: blockRows) {
            let range = start..<min(start + blockRows, count)
            let distances = squaredDistances(x, rows: range, aNorms: norms, x, count: count, bNorms: norms, dimension: dimension)
            for (i, row) in range.enumerated() {
                // The k + 1 smallest, the vector itself (distance 0) being the first.
                var smallest = [Float](repeating: .infinity, count: k + 1)
                for j in 0..<count {
                    let d = j == row ? 0 : distances[i * count + j]
                    if d < smallest[k] {
                        var position = k
                        while position > 0 && smallest[position - 1] > d { smallest[position] = smallest[position - 1]; position -= 1 }
                        smallest[position] = d
                    }
                }
                radii[row] = smallest[k]
            }
        }
        return radii
    }

    /// The share of `queries` within the radius of at least one vector of `set`.
    static func fractionInside(_ queries: [Float], count queryCount: Int, of set: [Float], count setCount: Int,
                               radii: [Float], dimension: Int) -> Double {
        let queryNorms = squaredNorms(queries, count: queryCount, dimension: dimension)
        let setNorms = squaredNorms(set, count: setCount, dimension: dimension)
        var inside = 0
        for start in stride(from: 0, to: queryCount, by: blockRows) {
            let range = start..<min(start + blockRows, queryCount)
            let distances = squaredDistances(queries, rows: range, aNorms: queryNorms, set, count: setCount, bNorms: setNorms, dimension: dimension)
            for i in 0..<range.count where (0..<setCount).contains(where: { distances[i * setCount + $0] <= radii[$0] }) {
                inside += 1
            }
        }
        return Double(inside) / Double(queryCount)
    }
}
