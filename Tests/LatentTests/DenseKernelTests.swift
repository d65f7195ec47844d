import LatentKernels
import Testing
@testable import Latent

/// The C kernels of LatentKernels' dense half (EASE's sweep update, the k = 64 CG pass, Y^T Y) against plain Swift
/// loops that do the same operations in the same order: the results must be equal bit for bit, whichever version
/// (AVX2, AVX, baseline) the loader picked; and against plain sums within rounding.
@Suite struct DenseKernelTests {
    @Test func theLoaderPicksAKernelForThisCPU() {
        #expect(["avx2", "avx", "baseline"].contains(String(cString: latent_dense_kernel_name())))
    }

    /// Packs the `rows` x `width` row-major `x` by groups of `lanes` rows: entry (g, k, r) = x[g * lanes + r][k].
    func pack(_ x: [Double], rows: Int, width: Int, lanes: Int) -> [Double] {
        let groups = (rows + lanes - 1) / lanes
        var out = [Double](repeating: 0, count: groups * lanes * width)
        for i in 0..<rows { for k in 0..<width { out[(i / lanes) * lanes * width + k * lanes + i % lanes] = x[i * width + k] } }
        return out
    }

    @Test func theSweepUpdateSubtractsSTTransposedOnTheLowerTriangleExactly() {
        var rng = SeededGenerator(seed: 11)
        // n not a multiple of 4 or 8 (edge tiles), depth odd, and the groups split in two calls as two threads would.
        for (n, depth) in [(1, 1), (7, 3), (13, 5), (37, 9), (64, 16)] {
            let s = (0..<(n * depth)).map { _ in Double(rng.nextGaussian()) }
            let t = (0..<(n * depth)).map { _ in Double(rng.nextGaussian()) }
            let a0 = (0..<(n * n)).map { _ in Double(rng.nextGaussian()) }
            let s4 = pack(s, rows: n, width: depth, lanes: 4), t8 = pack(t, rows: n, width: depth, lanes: 8)
            var a = a0
            let groups = (n + 3) / 4, half = groups / 2
            a.withUnsafeMutableBufferPointer { ap in
                latent_sweep_update(s4, t8, Int64(depth), ap.baseAddress!, Int64(n), 0, Int64(half))
                latent_sweep_update(s4, t8, Int64(depth), ap.baseAddress!, Int64(n), Int64(half), Int64(groups))
            }
            for i in 0..<n {
                for j in 0...i {
                    var sum = 0.0
                    for k in 0..<depth { sum += s[i * depth + k] * t[j * depth + k] }
                    #expect(a[i * n + j] == a0[i * n + j] - sum, "n \(n) (\(i), \(j))")
                }
            }
        }
    }

    /// out += sum_m s_m z_m as the kernel documents it, in scalar Swift in the kernel's order.
    func referencePass(_ z: [Float], rows index: [Int], v: [Float], weights: [Float], alpha: Float, mode: latent_scale,
                       sign: Float, out: [Float]) -> [Float] {
        var acc = [Float](repeating: 0, count: 64)
        for (m, row) in index.enumerated() {
            let zm = Array(z[(row * 64)..<(row * 64 + 64)])
            let s: Float
            if mode == latent_scale_vector {
                s = sign * v[m]
            } else {
                var lane = [Float](repeating: 0, count: 8)
                for j in 0..<8 {
                    func p(_ i: Int) -> Float { zm[8 * i + j] * v[8 * i + j] }
                    lane[j] = ((p(0) + p(1)) + (p(2) + p(3))) + ((p(4) + p(5)) + (p(6) + p(7)))
                }
                let d = ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]))
                let c = 1 + alpha * weights[m]
                s = mode == latent_scale_residual ? c - (c - 1) * d : (c - 1) * d
            }
            for j in 0..<64 { acc[j] += s * zm[j] }
        }
        return (0..<64).map { out[$0] + acc[$0] }
    }

    @Test func theConfidencePassMatchesTheScalarLoopExactlyInEveryMode() {
        var rng = SeededGenerator(seed: 12)
        let z = (0..<(64 * 64)).map { _ in rng.nextGaussian() }
        let v = (0..<64).map { _ in rng.nextGaussian() }, out0 = (0..<64).map { _ in rng.nextGaussian() }
        // Scattered, one row twice, past the prefetch distance and past one block of 64 rows, not a multiple of 4.
        let index: [Int32] = (0..<71).map { Int32(($0 * 13 + $0 / 9) % 40) }
        let weights = index.indices.map { Float($0 % 4 + 1) }
        for mode in [latent_scale_residual, latent_scale_product] {
            let expected = referencePass(z, rows: index.map(Int.init), v: v, weights: weights, alpha: 2, mode: mode,
                                         sign: 1, out: out0)
            // In place through the index, gathering on the way; then over the gathered copy without an index.
            var out = out0, gathered = [Float](repeating: .nan, count: index.count * 64)
            latent_confidence_pass64(Int64(index.count), &out, v, z, index, weights, 2, mode, 1, &gathered)
            #expect(out == expected)
            for (m, row) in index.enumerated() { #expect(Array(gathered[(m * 64)..<(m * 64 + 64)]) == Array(z[(Int(row) * 64)..<(Int(row) * 64 + 64)])) }
            var again = out0
            latent_confidence_pass64(Int64(index.count), &again, v, gathered, nil, weights, 2, mode, 1, nil)
            #expect(again == expected)
            // And within rounding of the plain sum.
            for j in 0..<64 {
                var plain = Double(out0[j])
                for (m, row) in index.enumerated() {
                    let d = (0..<64).reduce(0.0) { $0 + Double(z[Int(row) * 64 + $1]) * Double(v[$1]) }
                    let c = 1 + 2 * Double(weights[m])
                    plain += (mode == latent_scale_residual ? c - (c - 1) * d : (c - 1) * d) * Double(z[Int(row) * 64 + j])
                }
                #expect(abs(Double(out[j]) - plain) < 1e-4 * max(1, abs(plain)))
            }
        }
        // G v: the rows of a 64 x 64 matrix scaled by the entries of v (and the sign).
        let gram = Array(z[0..<(64 * 64)])
        var out = out0
        latent_confidence_pass64(64, &out, v, gram, nil, nil, 0, latent_scale_vector, -1, nil)
        #expect(out == referencePass(gram, rows: Array(0..<64), v: v, weights: [], alpha: 0, mode: latent_scale_vector,
                                     sign: -1, out: out0))
    }

    @Test func theGramKernelMatchesTheNaiveSumExactlyForAnyShapeAndThreadCount() {
        var rng = SeededGenerator(seed: 13)
        // Rows past one chunk of 64 and not a multiple of it; k with and without whole 4 x 8 tiles.
        for (rows, k) in [(1, 1), (23, 11), (130, 64), (65, 13), (200, 70)] {
            let y = Matrix(rows: rows, columns: k, normalStandardDeviation: 1, using: &rng)
            let naive = Gram.matrix(y.storage, rows: rows, dimension: k)
            for threads in [1, 2, 5] { #expect(Gram.of(y, threads: threads) == naive, "\(rows) x \(k), \(threads) threads") }
        }
    }
    @Test func theCGGivesTheSameFactorsWithAndWithoutGatheringTheRows() {
        var rng = SeededGenerator(seed: 14)
        let k = 64
        let y = Matrix(rows: 50, columns: k, normalStandardDeviation: 0.3, using: &rng)
        let items: [Int32] = (0..<20).map { Int32(($0 * 7) % 50) }, weights = (0..<20).map { Float($0 % 3 + 1) }
        let g = ImplicitALS.gram(y, lambda: 5).map { Float($0) }
        let start = (0..<k).map { _ in rng.nextGaussian() * 0.1 }
        var plain = start, gathered = start, scratch = [Float](repeating: 0, count: 3 * k)
        var buffer = [Float](repeating: 0, count: 20 * k)
        y.storage.withUnsafeBufferPointer { yp in
            let system = ConfidenceSystem(y: yp.baseAddress!, k: k, alpha: 2)
            system.conjugateGradient(x: &plain, gram: g, items: items, weights: weights, count: 20, steps: 3, scratch: &scratch)
            system.conjugateGradient(x: &gathered, gram: g, items: items, weights: weights, count: 20, steps: 3,
                                     scratch: &scratch, gather: &buffer, gatherRows: 20)
        }
        #expect(plain == gathered)
        #expect(plain != start)
    }
}
