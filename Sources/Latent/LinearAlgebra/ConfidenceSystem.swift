/// The k x k system of one row of implicit-feedback least squares (Hu, Koren and Volinsky):
///
///     (G + sum_n (c_n - 1) y_n y_n^T) x = sum_n c_n y_n,    c_n = 1 + alpha w_n,
///
/// with G = Y^T Y + lambda I shared by every row and the sums over the row's interactions n (item y_n, weight w_n).
/// Implicit ALS solves one per user and item each sweep, and its fold-in one per new user; G is computed once per
/// half-sweep (and once per model for fold-in) by ``Gram/of(_:threads:)``.
struct ConfidenceSystem {
    /// The fixed factors Y (rows x k, row-major).
    let y: UnsafePointer<Float>
    /// k.
    let k: Int
    /// alpha.
    let alpha: Float

    /// Linear conjugate gradient from the current `x`, at most `steps` steps (as Takacs et al. and the `implicit`
    /// library do: a few steps warm-started from the previous factors are enough for ALS). `gram` is G in Float;
    /// `scratch` holds 3 k Floats. Each step passes once over the interactions, with each y_n loaded once for its
    /// dot product and its update.
    @inline(__always)
    func conjugateGradient(x: UnsafeMutablePointer<Float>, gram: UnsafePointer<Float>, items: UnsafePointer<Int32>,
                           weights: UnsafePointer<Float>, count: Int, steps: Int, scratch: UnsafeMutablePointer<Float>) {
        let r = scratch, p = scratch + k, ap = scratch + 2 * k
        // r = b - A x = sum_n (c_n - (c_n - 1) y_n . x) y_n - G x
        for a in 0..<k { r[a] = -Vector.dot(gram + a * k, x, count: k) }
        for n in 0..<count {
            let yn = y + Int(items[n]) * k
            let c = 1 + alpha * weights[n]
            Vector.axpy(c - (c - 1) * Vector.dot(yn, x, count: k), yn, r, count: k)
        }
        for a in 0..<k { p[a] = r[a] }
        var rsOld = Vector.dot(r, r, count: k)
        guard rsOld > 1e-20 else { return }
        for _ in 0..<steps {
            // A p = G p + sum_n (c_n - 1)(y_n . p) y_n
            for a in 0..<k { ap[a] = Vector.dot(gram + a * k, p, count: k) }
            for n in 0..<count {
                let yn = y + Int(items[n]) * k
                let c = 1 + alpha * weights[n]
                Vector.axpy((c - 1) * Vector.dot(yn, p, count: k), yn, ap, count: k)
            }
            let pap = Vector.dot(p, ap, count: k)
            guard pap > 0 else { return }
            let step = rsOld / pap
            Vector.axpy(step, p, x, count: k)
            Vector.axpy(-step, ap, r, count: k)
            let rsNew = Vector.dot(r, r, count: k)
            if rsNew < 1e-20 { return }
            let beta = rsNew / rsOld
            for a in 0..<k { p[a] = r[a] + beta * p[a] }
            rsOld = rsNew
        }
    }

    /// The exact solution by Cholesky in Double over `gram` = G (k x k, Double), or zeros when the system is not
    /// positive definite.
    func exactSolution(gram: [Double], items: UnsafePointer<Int32>, weights: UnsafePointer<Float>, count: Int) -> [Float] {
        var equations = NormalEquations(dimension: k, base: gram)
        for n in 0..<count {
            let c = 1 + Double(alpha) * Double(weights[n])
            equations.add(y + Int(items[n]) * k, weight: c - 1, target: c)
        }
        guard let solution = equations.solve() else { return [Float](repeating: 0, count: k) }
        return solution.map { Float($0) }
    }
}
