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
