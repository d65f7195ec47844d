import Testing
@testable import Latent

@Suite struct LinearAlgebraTests {
    @Test func dotMatchesNaiveSumForAllLengths() {
        var rng = SeededGenerator(seed: 1)
        for n in 0..<41 {
            let a = (0..<n).map { _ in rng.nextGaussian() }
            let b = (0..<n).map { _ in rng.nextGaussian() }
            var naive: Float = 0
            for i in 0..<n { naive += a[i] * b[i] }
            #expect(abs(Vector.dot(a, b) - naive) <= 1e-5)
        }
    }

    @Test func axpyAndDoubleDotMatchNaiveLoops() {
        var rng = SeededGenerator(seed: 2)
        for n in 0..<27 {
            let x = (0..<n).map { _ in rng.nextGaussian() }
            var y = (0..<n).map { _ in rng.nextGaussian() }
            let expected = zip(x, y).map { 0.5 * $0 + $1 }
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                if n > 0 { Vector.axpy(0.5, xp.baseAddress!, yp.baseAddress!, count: n) }
            } }
            #expect(zip(y, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
            let a = x.map(Double.init), b = expected.map(Double.init)
            let d = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                n > 0 ? Vector.dot(pa.baseAddress!, pb.baseAddress!, count: n) : 0 } }
            #expect(abs(d - zip(a, b).map(*).reduce(0, +)) <= 1e-12)
        }
    }

    @Test func choleskySolvesASmallSystemExactly() throws {
        // [[4, 2], [2, 3]] x = [2, 1]  =>  x = [0.5, 0]
        let x = try #require(Cholesky.solve([4, 2, 2, 3], [2, 1]))
        #expect(abs(x[0] - 0.5) < 1e-12)
        #expect(abs(x[1]) < 1e-12)
    }

    @Test func choleskyRejectsAnIndefiniteMatrix() {
        #expect(Cholesky.solve([1, 2, 2, 1], [1, 1]) == nil)
    }

    @Test func gramOfAMatrixMatchesTheNaiveSumForAnyThreadCount() {
        var rng = SeededGenerator(seed: 3)
        let y = Matrix(rows: 23, columns: 11, normalStandardDeviation: 1, using: &rng)
        let naive = Gram.matrix(y.storage, rows: 23, dimension: 11)
        for threads in [1, 2, 5] {
            let g = Gram.of(y, threads: threads)
            for j in 0..<(11 * 11) { #expect(abs(g[j] - naive[j]) <= 1e-12 * max(1, abs(naive[j]))) }
        }
    }

    @Test func normalEquationsSolveAWeightedRidgeProblemExactly() throws {
        // Rows z = (1, 0), (1, 1) with weights 2, 1 and targets 3, 1, ridge 1:
        // A = 2 [1 0; 0 0] + [1 1; 1 1] + I = [4 1; 1 2], b = 3 (1, 0) + 1 (1, 1) = (4, 1)  =>  x = (1, 0).
        var e = NormalEquations(dimension: 2)
        let rows: [Double] = [1, 0, 1, 1]
        rows.withUnsafeBufferPointer { z in
            e.add(z.baseAddress!, weight: 2, target: 3)
            e.add(z.baseAddress! + 2, weight: 1, target: 1)
        }
        e.addRidge(1)
        let x = try #require(e.solve())
        #expect(abs(x[0] - 1) < 1e-12 && abs(x[1]) < 1e-12)
    }

    @Test func sampleAbsentDrawsOnlyMissingColumnsAndNothingFromAFullRow() {
        let rows = SparseRows(offsets: [0, 3, 6], indices: [0, 1, 3, 0, 1, 2], values: [1, 1, 1, 1, 1, 1])
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<50 { #expect(rows.sampleAbsent(row: 0, columns: 4, using: &rng) == 2) }
        var a = SeededGenerator(seed: 2), b = SeededGenerator(seed: 2)
        #expect(rows.sampleAbsent(row: 1, columns: 3, using: &a) == nil)
        #expect(a.next() == b.next())
    }

    @Test func topKKeepsTheBestInOrderWithDeterministicTies() {
        var top = TopK(k: 3)
        for (i, s) in [Float(0.5), 2, 1, 2, -1, 3].enumerated() { top.offer(index: i, score: s) }
        #expect(top.sorted().map(\.index) == [5, 1, 3])
    }

    @Test func seededGeneratorRepeatsItsSequence() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
        var c = SeededGenerator(seed: 8)
        #expect(a.next() != c.next())
    }
}
