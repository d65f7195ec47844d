import LatentKernels

/// Gram-matrix kernels: the normal equations of least squares (ALS, implicit ALS, ridge fold-in, the alternating
/// solves of `cofi`, content-based users) are built from them.
///
/// Matrices are row-major `d` x `d`; the symmetric rank-1 updates touch only the upper triangle (column >= row),
/// which is all ``Cholesky`` reads.
public enum Gram {
    /// Y^T Y (full, in Double) of the factor matrix `y`: G_ac = sum_r y_ra y_rc, every entry the sum of the Double
    /// products of its two columns over the rows in order from zero, so the result is the same for any thread count.
    /// The upper triangle is `latent_gram_upper` (LatentKernels: 4 x 8 register tiles over chunks of rows, AVX2, AVX
    /// or baseline, chosen for the CPU at load time, the same result on each), its row groups split over `threads`;
    /// the lower triangle is its mirror (y_ra y_rc = y_rc y_ra exactly).
    public static func of(_ y: Matrix, threads: Int = 1) -> [Double] {
        let k = y.columns
        var g = [Double](repeating: 0, count: k * k)
        guard k > 0 else { return g }
        g.withUnsafeMutableBufferPointer { gp in
            y.storage.withUnsafeBufferPointer { yp in
                let g = SharedPointer(gp.baseAddress!), yb = SharedReadPointer(yp.baseAddress!)
                let rows = y.rows
                Parallel.forEachRange((k + 3) / 4, threads: threads) { groups in
                    latent_gram_upper(yb.base, Int64(rows), Int64(k), Int64(4 * groups.lowerBound),
                                      Int64(min(k, 4 * groups.upperBound)), g.base)
                }
                for a in 0..<k {
                    for c in 0..<a { g[a * k + c] = g[c * k + a] }
                }
            }
        }
        return g
    }

    /// A += z z^T on the upper triangle (a symmetric rank-1 update).
    @inlinable
    static func addOuterProduct<T: BinaryFloatingPoint>(_ z: UnsafePointer<T>, into a: UnsafeMutablePointer<T>, dimension d: Int) {
        for r in 0..<d {
            let zr = z[r]
            let row = a + r * d
            for c in r..<d { row[c] += zr * z[c] }
        }
    }

    /// A += z0 z0^T + z1 z1^T + z2 z2^T + z3 z3^T on the upper triangle, for the four consecutive rows of `z`
    /// (4 x d, row-major): a rank-4 update that reads and writes A once for four rows.
    @inlinable
    static func addOuterProducts4(_ z: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, dimension d: Int) {
        let z0 = z, z1 = z + d, z2 = z + 2 * d, z3 = z + 3 * d
        for r in 0..<d {
            let w0 = z0[r], w1 = z1[r], w2 = z2[r], w3 = z3[r]
            let row = a + r * d
            for c in r..<d { row[c] += (w0 * z0[c] + w1 * z1[c]) + (w2 * z2[c] + w3 * z3[c]) }
        }
    }
}

/// The normal equations (A + sum_n w_n z_n z_n^T + ridge) x = sum_n t_n z_n of a small weighted least-squares
/// problem, in Double, solved by ``Cholesky``: every ridge and fold-in solve of the models (one user's or item's
/// factors against fixed factors on the other side) is built with it.
struct NormalEquations {
    /// The dimension d.
    let dimension: Int
    /// A (only its upper triangle is kept up to date).
    var a: [Double]
    /// The right-hand side.
    var b: [Double]

    /// Equations over a starting matrix `base` (d x d; zero when nil), with a zero right-hand side.
    init(dimension d: Int, base: [Double]? = nil) {
        dimension = d
        a = base ?? [Double](repeating: 0, count: d * d)
        b = [Double](repeating: 0, count: d)
    }

    /// Resets A and b to zero, keeping the storage.
    mutating func reset() {
        for j in a.indices { a[j] = 0 }
        for j in b.indices { b[j] = 0 }
    }

    /// Adds the row `z` with weight `w` in A and `t` in b: A += w z z^T, b += t z.
    mutating func add<T: BinaryFloatingPoint>(_ z: UnsafePointer<T>, weight w: Double = 1, target t: Double) {
        let d = dimension
        a.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                for r in 0..<d {
                    let zr = Double(z[r])
                    bp[r] += t * zr
                    let wr = w * zr, row = ap.baseAddress! + r * d
                    for c in r..<d { row[c] += wr * Double(z[c]) }
                }
            }
        }
    }

    /// Adds `lambda` to the diagonal entries `from..<dimension`.
    mutating func addRidge(_ lambda: Double, from start: Int = 0) {
        for j in start..<dimension { a[j * dimension + j] += lambda }
    }

    /// The solution, or nil when A is not positive definite.
    func solve() -> [Double]? { Cholesky.solve(a, b) }
}
