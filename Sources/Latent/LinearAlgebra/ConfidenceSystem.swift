import LatentKernels

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
    /// dot product and its update. For k = 64 (the default) every pass is `latent_confidence_pass64` (LatentKernels:
    /// AVX2, AVX or baseline, chosen for the CPU at load time, the same result on each), and when `gather` has room
    /// for `count` rows of 64 (`gatherRows`), the first pass copies the scattered y_n there, so that the later passes
    /// read them contiguously from cache.
    @inline(__always)
    func conjugateGradient(x: UnsafeMutablePointer<Float>, gram: UnsafePointer<Float>, items: UnsafePointer<Int32>,
                           weights: UnsafePointer<Float>, count: Int, steps: Int, scratch: UnsafeMutablePointer<Float>,
                           gather: UnsafeMutablePointer<Float>? = nil, gatherRows: Int = 0) {
        let r = scratch, p = scratch + k, ap = scratch + 2 * k
        let alpha = self.alpha, y = self.y
        let gathered = k == 64 && count <= gatherRows ? gather : nil
        // out += G v (G symmetric: the sum of its rows scaled by v).
        func addGram(_ v: UnsafeMutablePointer<Float>, sign: Float, into out: UnsafeMutablePointer<Float>) {
            if k == 64 {
                latent_confidence_pass64(64, out, v, gram, nil, nil, 0, latent_scale_vector, sign, nil)
            } else {
                for a in 0..<k { out[a] += sign * Vector.dot(gram + a * k, v, count: k) }
            }
        }
        // out += sum_n s_n y_n, s_n from c_n = 1 + alpha w_n and y_n . v as `mode` says.
        func addInteractions(_ v: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, mode: latent_scale,
                             first: Bool) {
            if k == 64 {
                if let gathered, !first {
                    latent_confidence_pass64(Int64(count), out, v, gathered, nil, weights, alpha, mode, 1, nil)
                } else {
                    latent_confidence_pass64(Int64(count), out, v, y, items, weights, alpha, mode, 1, gathered)
                }
            } else {
                for n in 0..<count {
                    let yn = y + Int(items[n]) * k, c = 1 + alpha * weights[n], d = Vector.dot(yn, v, count: k)
                    Vector.axpy(mode == latent_scale_residual ? c - (c - 1) * d : (c - 1) * d, yn, out, count: k)
                }
            }
        }
        // r = b - A x = sum_n (c_n - (c_n - 1) y_n . x) y_n - G x
        for a in 0..<k { r[a] = 0 }
        addGram(x, sign: -1, into: r)
        addInteractions(x, into: r, mode: latent_scale_residual, first: true)
        for a in 0..<k { p[a] = r[a] }
        var rsOld = Vector.dot(r, r, count: k)
        guard rsOld > 1e-20 else { return }
        for _ in 0..<steps {
            // A p = G p + sum_n (c_n - 1)(y_n . p) y_n
            for a in 0..<k { ap[a] = 0 }
            addGram(p, sign: 1, into: ap)
            addInteractions(p, into: ap, mode: latent_scale_product, first: false)
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
