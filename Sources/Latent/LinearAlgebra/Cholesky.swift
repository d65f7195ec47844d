/// Dense symmetric positive definite solves, in Double for stability: the k x k systems of ALS and fold-in.
public enum Cholesky {
    /// Factors the row-major `n` x `n` symmetric matrix `a` in place into its lower Cholesky factor L (a = L L^T).
    ///
    /// - Returns: false when `a` is not (numerically) positive definite.
    public static func factor(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        for j in 0..<n {
            let d = a[j * n + j] - Vector.dot(a + j * n, a + j * n, count: j)
            guard d > 0, d.isFinite else { return false }
            let l = d.squareRoot()
            a[j * n + j] = l
            let inv = 1 / l
            for i in (j + 1)..<max(j + 1, n) {
                a[i * n + j] = (a[i * n + j] - Vector.dot(a + i * n, a + j * n, count: j)) * inv
            }
        }
        return true
    }

    /// Solves L L^T x = b in place in `b`, with L the factor left by ``factor(_:n:)``.
    public static func solveFactored(_ l: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            b[i] = (b[i] - Vector.dot(l + i * n, b, count: i)) / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = b[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * b[k] }
            b[i] = s / l[i * n + i]
        }
    }

    /// Solves `a x = b` for a symmetric positive definite `a` (row-major, n x n); nil when `a` is not positive definite.
    public static func solve(_ a: [Double], _ b: [Double]) -> [Double]? {
        let n = b.count
        precondition(a.count == n * n)
        var a = a
        var x = b
        let ok = a.withUnsafeMutableBufferPointer { pa -> Bool in
            guard factor(pa.baseAddress!, n: n) else { return false }
            x.withUnsafeMutableBufferPointer { px in solveFactored(pa.baseAddress!, n: n, px.baseAddress!) }
            return true
        }
        return ok ? x : nil
    }

    /// Factors the symmetric positive definite `n` x `n` matrix whose upper triangle is in `a` (row-major; the lower
    /// triangle is neither read nor written) in place into U with a = U^T U, by the outer-product (right-looking)
    /// algorithm whose inner loop is a contiguous `axpy` (vectorizable, unlike the dot products of ``factor(_:n:)``).
    ///
    /// - Returns: false when `a` is not (numerically) positive definite.
    public static func factorUpper(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
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
    public static func solveUpper(_ u: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
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
}
