/// The inverse of a dense symmetric positive definite matrix, through its Cholesky factor, in Double: what the
/// closed-form item-item model (EASE) needs.
public enum SymmetricInverse {
    /// The inverse of the row-major `n` x `n` symmetric positive definite `a`, or nil when `a` is not (numerically)
    /// positive definite.
    ///
    /// A = L L^T, W = L^-1 (lower triangular), A^-1 = W^T W. About n^3 / 2 multiply-adds, the last third split over
    /// `threads` threads by disjoint rows (the result does not depend on the thread count).
    public static func invert(_ a: [Double], n: Int, threads: Int = 1) -> [Double]? {
        precondition(a.count == n * n)
        guard n > 0 else { return [] }
        var l = a
        // Row-oriented Cholesky: every inner loop is a dot product of two contiguous row prefixes.
        let ok = l.withUnsafeMutableBufferPointer { p -> Bool in
            let l = p.baseAddress!
            for i in 0..<n {
                let ri = l + i * n
                for j in 0...i {
                    let rj = l + j * n
                    var s = ri[j]
                    for k in 0..<j { s -= ri[k] * rj[k] }
                    if j == i {
                        guard s > 0, s.isFinite else { return false }
                        ri[i] = s.squareRoot()
                    } else {
                        ri[j] = s / rj[j]
                    }
                }
                for j in (i + 1)..<n { ri[j] = 0 }
            }
            return true
        }
        guard ok else { return nil }
        // W = L^-1, row by row: w_i = (e_i - sum_{k<i} L_ik w_k) / L_ii.
        var w = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { lp in
            w.withUnsafeMutableBufferPointer { wp in
                let l = lp.baseAddress!, w = wp.baseAddress!
                for i in 0..<n {
                    let wi = w + i * n, li = l + i * n
                    for k in 0..<i {
                        let c = li[k]
                        if c == 0 { continue }
                        let wk = w + k * n
                        for j in 0...k { wi[j] -= c * wk[j] }
                    }
                    let d = 1 / li[i]
                    for j in 0..<i { wi[j] *= d }
                    wi[i] = d
                }
            }
        }
        // A^-1 = W^T W: entry (i, j) = sum_{k >= max(i, j)} W_ki W_kj. Each thread owns rows i.
        var out = [Double](repeating: 0, count: n * n)
        w.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { op in
                let w = SharedReadPointer(wp.baseAddress!), o = SharedPointer(op.baseAddress!)
                Parallel.forEachRange(n, threads: threads) { rows in
                    for i in rows {
                        let oi = o.base + i * n
                        for k in i..<n {
                            let wk = w.base + k * n
                            let c = wk[i]
                            if c == 0 { continue }
                            // Lower part j <= i only; the upper part is mirrored below.
                            for j in 0...i { oi[j] += c * wk[j] }
                        }
                    }
                }
            }
        }
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { out[i * n + j] = out[j * n + i] } }
        return out
    }
}
