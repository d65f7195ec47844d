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
                    for j in 0..<k0 {
                        for k in 0..<nb { t[j * nb + k] = a[(k0 + k) * n + j] }
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
                    // A_IJ -= S_I T_J^T on the whole lower triangle (rows and columns K are overwritten below).
                    let chunk = 16, chunks = (groups + chunk - 1) / chunk
                    Parallel.run(min(threads, chunks)) { part in
                        for c in stride(from: part, to: chunks, by: min(threads, chunks)) {
                            let g0 = c * chunk, g1 = min(groups, g0 + chunk)
                            let lastRow = min(n, 4 * g1) - 1
                            for tile in 0...(lastRow / 8) {
                                for g in g0..<g1 where 4 * g + 3 >= 8 * tile {
                                    subtractTile(s4.base + g * 4 * nb, t8.base + tile * 8 * nb, depth: nb,
                                                 from: a.base, n: n, row: 4 * g, column: 8 * tile)
                                }
                            }
                        }
                    }
                    // A_IK = S_I, A_KK = -D (lower triangles only).
                    for i in 0..<k0 {
                        for k in 0..<nb { a[(k0 + k) * n + i] = s[i * nb + k] }
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
        // A holds -A^-1 in its lower triangle: negate and mirror.
        for i in 0..<n {
            for j in 0...i {
                let v = -a[i * n + j]
                a[i * n + j] = v
                a[j * n + i] = v
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

    /// a[row + r][column + c] -= sum_k s4[k][r] t8[k][c] for the 4 x 8 tile at (row, column), inside the matrix.
    @inline(__always)
    private static func subtractTile(_ s4: UnsafePointer<Double>, _ t8: UnsafePointer<Double>, depth: Int,
                                     from a: UnsafeMutablePointer<Double>, n: Int, row: Int, column: Int) {
        var c0 = SIMD8<Double>(), c1 = SIMD8<Double>(), c2 = SIMD8<Double>(), c3 = SIMD8<Double>()
        let sr = UnsafeRawPointer(s4), tr = UnsafeRawPointer(t8)
        for k in 0..<depth {
            let t = tr.loadUnaligned(fromByteOffset: 64 * k, as: SIMD8<Double>.self)
            let s = sr.loadUnaligned(fromByteOffset: 32 * k, as: SIMD4<Double>.self)
            c0 += s[0] * t
            c1 += s[1] * t
            c2 += s[2] * t
            c3 += s[3] * t
        }
        if column + 8 <= n && row + 4 <= n {
            let p = UnsafeMutableRawPointer(a + row * n + column), stride = 8 * n
            p.storeBytes(of: p.loadUnaligned(as: SIMD8<Double>.self) - c0, as: SIMD8<Double>.self)
            p.storeBytes(of: p.loadUnaligned(fromByteOffset: stride, as: SIMD8<Double>.self) - c1,
                         toByteOffset: stride, as: SIMD8<Double>.self)
            p.storeBytes(of: p.loadUnaligned(fromByteOffset: 2 * stride, as: SIMD8<Double>.self) - c2,
                         toByteOffset: 2 * stride, as: SIMD8<Double>.self)
            p.storeBytes(of: p.loadUnaligned(fromByteOffset: 3 * stride, as: SIMD8<Double>.self) - c3,
                         toByteOffset: 3 * stride, as: SIMD8<Double>.self)
        } else {
            for r in 0..<min(4, n - row) {
                let tile = r == 0 ? c0 : r == 1 ? c1 : r == 2 ? c2 : c3
                for c in 0..<min(8, n - column) { a[(row + r) * n + column + c] -= tile[c] }
            }
        }
    }
}
