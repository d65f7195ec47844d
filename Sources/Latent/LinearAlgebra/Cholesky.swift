/// Dense symmetric positive definite solves, in Double for stability: the k x k systems of ALS and fold-in.
public enum Cholesky {
    /// Factors the row-major `n` x `n` symmetric matrix `a` in place into its lower Cholesky factor L (a = L L^T).
    ///
    /// - Returns: false when `a` is not (numerically) positive definite.
    public static func factor(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
            guard d > 0, d.isFinite else { return false }
            let l = d.squareRoot()
            a[j * n + j] = l
            let inv = 1 / l
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = s * inv
            }
        }
        return true
    }

    /// Solves L L^T x = b in place in `b`, with L the factor left by ``factor(_:n:)``.
    public static func solveFactored(_ l: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i * n + k] * b[k] }
            b[i] = s / l[i * n + i]
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
}
