import Testing
@testable import Latent

@Suite struct LinearAlgebraTests {
    @Test func dotMatchesNaiveSumForAllLengths() {
        var rng = SeededGenerator(seed: 1)
        for n in 0..<13 {
            let a = (0..<n).map { _ in rng.nextGaussian() }
            let b = (0..<n).map { _ in rng.nextGaussian() }
            var naive: Float = 0
            for i in 0..<n { naive += a[i] * b[i] }
            #expect(abs(Vector.dot(a, b) - naive) <= 1e-5)
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
