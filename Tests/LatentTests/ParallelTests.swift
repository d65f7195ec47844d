import Testing
@testable import Latent

@Suite struct ParallelTests {
    @Test func rangesCoverEveryIndexOnceEvenWithMorePartsThanIndices() {
        for (total, parts) in [(10, 3), (2, 4), (0, 2), (7, 1)] {
            let r = Parallel.ranges(total, parts: parts)
            #expect(r.count == max(1, parts))
            #expect(r.flatMap { Array($0) } == Array(0..<total))
        }
    }

    @Test func forEachRangeVisitsEachIndexExactlyOnce() {
        var hits = [Int](repeating: 0, count: 1000)
        hits.withUnsafeMutableBufferPointer { b in
            let shared = SharedPointer(b.baseAddress!)
            Parallel.forEachRange(1000, threads: 3) { range in
                for i in range { shared[i] += 1 }
            }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }
}
