import LatentKernels

/// Dense symmetric positive definite solves and inverses, in Double for stability: the k x k systems of ALS, fold-in
/// and the ridge solves of every model, and the n x n inverse of EASE. One factorization serves them all.
public enum Cholesky {
    /// Solves `a x = b` for a symmetric positive definite `a` (row-major, n x n); nil when `a` is not positive definite.
    /// Only the upper triangle of `a` is read.
    public static func solve(_ a: [Double], _ b: [Double]) -> [Double]? {
        let n = b.count
        precondition(a.count == n * n)
        guard n > 0 else { return [] }
        var a = a
        var x = b
        let ok = a.withUnsafeMutableBufferPointer { pa -> Bool in
            guard factorUpper(pa.baseAddress!, n: n) else { return false }
            x.withUnsafeMutableBufferPointer { px in solveUpper(pa.baseAddress!, n: n, px.baseAddress!) }
            return true
        }
        return ok ? x : nil
    }

    /// Factors the symmetric positive definite `n` x `n` matrix whose upper triangle is in `a` (row-major; the lower
    /// triangle is neither read nor written) in place into U with a = U^T U, by the outer-product (right-looking)
    /// algorithm whose inner loop is a contiguous `axpy`.
    ///
    /// - Returns: false when `a` is not (numerically) positive definite.
    static func factorUpper(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        // Pivots in blocks of four: the block's own rows are updated at once, the trailing rows by one rank-4
        // update that reads and writes each of them once per block instead of once per pivot.
        var jb = 0
        while jb < n {
            let nb = min(4, n - jb)
            for j in jb..<(jb + nb) {
                let rowJ = a + j * n
                let d = rowJ[j]
                guard d > 0, d.isFinite else { return false }
                let l = d.squareRoot()
                rowJ[j] = l
                let inv = 1 / l
                for c in (j + 1)..<max(j + 1, n) { rowJ[c] *= inv }
                for i in (j + 1)..<(jb + nb) {
                    let u = rowJ[i]
                    let rowI = a + i * n
                    for c in i..<n { rowI[c] -= u * rowJ[c] }
                }
            }
            let end = jb + nb
            if nb == 4 {
                let r0 = a + jb * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
                for i in end..<max(end, n) {
                    let u0 = r0[i], u1 = r1[i], u2 = r2[i], u3 = r3[i]
                    let rowI = a + i * n
                    for c in i..<n { rowI[c] -= (u0 * r0[c] + u1 * r1[c]) + (u2 * r2[c] + u3 * r3[c]) }
                }
            } else {
                for j in jb..<end {
                    let rowJ = a + j * n
                    for i in end..<max(end, n) {
                        let u = rowJ[i]
                        let rowI = a + i * n
                        for c in i..<n { rowI[c] -= u * rowJ[c] }
                    }
                }
            }
            jb = end
        }
        return true
    }

    /// Solves U^T U x = b in place in `b`, with U the factor left by ``factorUpper(_:n:)``.
    static func solveUpper(_ u: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
        // U^T y = b: forward, column by column (axpy on rows of U).
        for k in 0..<n {
            let row = u + k * n
            let y = b[k] / row[k]
            b[k] = y
            for c in (k + 1)..<max(k + 1, n) { b[c] -= row[c] * y }
        }
        // U x = y: backward (dot products on rows of U).
        for i in stride(from: n - 1, through: 0, by: -1) {
            let row = u + i * n
            b[i] = (b[i] - Vector.dot(row + i + 1, b + i + 1, count: n - i - 1)) / row[i]
        }
    }

    /// The inverse of the row-major `n` x `n` symmetric positive definite `a` (only its lower triangle is read), or
    /// nil when `a` is not (numerically) positive definite.
    ///
    /// Block Gauss-Jordan on symmetric pivots (the sweep operator): for each block K of columns in turn, with
    /// D = A_KK^-1 (by ``factorUpper(_:n:)``, which is what detects a matrix that is not positive definite) and
    /// S = A_.K D,
    ///
    ///     A_IJ -= S_I A_KJ  (I, J outside K),   A_IK = S_I,   A_KK = -D;
    ///
    /// after every block has been swept, A holds -A^-1. Each pivot's Schur complement is positive definite, so no
    /// pivoting is needed. That is n^3 / 2 multiply-adds (the count of Cholesky, triangular inverse and product
    /// together), nearly all in one rank-b update of the lower triangle done by 4 x 8 register tiles over packed
    /// panels, split over `threads` threads by rows (the result does not depend on the thread count).
    public static func inverse(_ a: [Double], n: Int, threads: Int = 1) -> [Double]? {
        var m = a
        return invertInPlace(&m, n: n, threads: threads) ? m : nil
    }

    /// Columns swept at once by ``inverse(_:n:threads:)``.
    static let sweepBlock = 128

    /// ``inverse(_:n:threads:)`` in place (`a` is left undefined when it returns false).
    static func invertInPlace(_ a: inout [Double], n: Int, threads: Int, block: Int = sweepBlock) -> Bool {
        precondition(a.count == n * n)
        guard n > 0 else { return true }
        let b = max(1, min(block, n))
        let groups = (n + 3) / 4, tiles = (n + 7) / 8
        var t = [Double](repeating: 0, count: n * b)           // T[j][k] = A(j, k0 + k)
        var s = [Double](repeating: 0, count: n * b)           // S[i][k] = (T D)[i][k]
        var s4 = [Double](repeating: 0, count: groups * 4 * b)  // S packed by 4 rows: [g][k][r]
        var t8 = [Double](repeating: 0, count: tiles * 8 * b)   // T packed by 8 rows: [tile][k][c]
        var d = [Double](repeating: 0, count: b * b)
        var ok = true
        a.withUnsafeMutableBufferPointer { ap in
            let a = SharedPointer(ap.baseAddress!)
            t.withUnsafeMutableBufferPointer { tp in
            s.withUnsafeMutableBufferPointer { sp in
            s4.withUnsafeMutableBufferPointer { s4p in
            t8.withUnsafeMutableBufferPointer { t8p in
            d.withUnsafeMutableBufferPointer { dp in
                let t = SharedPointer(tp.baseAddress!), s = SharedPointer(sp.baseAddress!)
                let s4 = SharedPointer(s4p.baseAddress!), t8 = SharedPointer(t8p.baseAddress!)
                let d = SharedPointer(dp.baseAddress!)
                var k0 = 0
                while k0 < n {
                    let nb = min(b, n - k0)
                    // T: the columns K of the symmetric A, from its lower triangle.
                    for k in 0..<nb {
                        let row = a.base + (k0 + k) * n
                        for j in 0..<k0 { t[j * nb + k] = row[j] }
                    }
                    for j in k0..<n {
                        let row = a.base + j * n + k0
                        for k in 0..<nb { t[j * nb + k] = k0 + k <= j ? row[k] : a[(k0 + k) * n + j] }
                    }
                    // D = A_KK^-1 (A_KK is rows K of T), by Cholesky and nb solves.
                    let f = UnsafeMutablePointer<Double>.allocate(capacity: nb * nb)
                    defer { f.deallocate() }
                    for r in 0..<nb { for c in 0..<nb { f[r * nb + c] = t[(k0 + r) * nb + c] } }
                    guard factorUpper(f, n: nb) else { ok = false; return }
                    for c in 0..<nb {
                        let col = d.base + c * nb
                        for r in 0..<nb { col[r] = r == c ? 1 : 0 }
                        solveUpper(f, n: nb, col)
                    }
                    // S = T D (D symmetric: row i of S is D times row i of T), then both packed for the tiles.
                    Parallel.forEachRange(n, threads: threads) { rows in
                        for i in rows {
                            let ti = t.base + i * nb, si = s.base + i * nb
                            for k in 0..<nb { si[k] = Vector.dot(d.base + k * nb, ti, count: nb) }
                        }
                    }
                    pack(s.base, rows: n, width: nb, lanes: 4, into: s4.base)
                    pack(t.base, rows: n, width: nb, lanes: 8, into: t8.base)
                    // A_IJ -= S_I T_J^T on the whole lower triangle (rows and columns K are overwritten below), by
                    // `latent_sweep_update` (LatentKernels: AVX2, AVX or baseline, chosen for the CPU at load time).
                    let chunk = 16, chunks = (groups + chunk - 1) / chunk
                    Parallel.run(min(threads, chunks)) { part in
                        for c in stride(from: part, to: chunks, by: min(threads, chunks)) {
                            latent_sweep_update(s4.base, t8.base, Int64(nb), a.base, Int64(n), Int64(c * chunk),
                                                Int64(min(groups, c * chunk + chunk)))
                        }
                    }
                    // A_IK = S_I, A_KK = -D (lower triangles only).
                    for k in 0..<nb {
                        let row = a.base + (k0 + k) * n
                        for i in 0..<k0 { row[i] = s[i * nb + k] }
                    }
                    for r in 0..<nb {
                        for c in 0...r { a[(k0 + r) * n + k0 + c] = -d[r * nb + c] }
                    }
                    for i in (k0 + nb)..<max(k0 + nb, n) {
                        let row = a.base + i * n + k0, si = s.base + i * nb
                        for k in 0..<nb { row[k] = si[k] }
                    }
                    k0 += nb
                }
            }}}}}
        }
        guard ok else { return false }
        // A holds -A^-1 in its lower triangle: negate and mirror, by 64 x 64 blocks (a column of A spans pages),
        // the block rows split over the threads.
        let edge = 64, blocks = (n + edge - 1) / edge
        a.withUnsafeMutableBufferPointer { ap in
            let a = SharedPointer(ap.baseAddress!)
            Parallel.run(min(threads, blocks)) { part in
                for bi in stride(from: part, to: blocks, by: min(threads, blocks)) {
                    for bj in 0...bi {
                        for i in (bi * edge)..<min(n, bi * edge + edge) {
                            for j in (bj * edge)..<min(i + 1, bj * edge + edge) {
                                let v = -a[i * n + j]
                                a[i * n + j] = v
                                a[j * n + i] = v
                            }
                        }
                    }
                }
            }
        }
        return true
    }

    /// Packs the `rows` x `width` row-major `x` by groups of `lanes` rows, entry (g, k, r) = x[g * lanes + r][k],
    /// zero past the last row: the layout the register tiles read contiguously.
    private static func pack(_ x: UnsafePointer<Double>, rows: Int, width: Int, lanes: Int,
                             into out: UnsafeMutablePointer<Double>) {
        let groups = (rows + lanes - 1) / lanes
        for g in 0..<groups {
            let o = out + g * lanes * width
            for r in 0..<lanes {
                let i = g * lanes + r
                if i < rows {
                    let xi = x + i * width
                    for k in 0..<width { o[k * lanes + r] = xi[k] }
                } else {
                    for k in 0..<width { o[k * lanes + r] = 0 }
                }
            }
        }
    }
}
