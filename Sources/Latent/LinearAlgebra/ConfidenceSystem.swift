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
    /// dot product and its update; for k = 64 (the default) the pass keeps its sums in registers.
    @inline(__always)
    func conjugateGradient(x: UnsafeMutablePointer<Float>, gram: UnsafePointer<Float>, items: UnsafePointer<Int32>,
                           weights: UnsafePointer<Float>, count: Int, steps: Int, scratch: UnsafeMutablePointer<Float>) {
        let r = scratch, p = scratch + k, ap = scratch + 2 * k
        let alpha = self.alpha, y = self.y
        // out += G v (G symmetric: the sum of its rows scaled by v), and out += sum_n s_n y_n with s_n from y_n . v.
        func addGram(_ v: UnsafeMutablePointer<Float>, sign: Float, into out: UnsafeMutablePointer<Float>) {
            if k == 64 {
                Self.accumulate64(k, into: out, dotted: false, with: v, row: { gram + $0 * 64 }, scale: { a, _ in sign * v[a] })
            } else {
                for a in 0..<k { out[a] += sign * Vector.dot(gram + a * k, v, count: k) }
            }
        }
        func addInteractions(_ v: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, scale: (Float, Float) -> Float) {
            if k == 64 {
                Self.accumulate64(count, into: out, dotted: true, with: v, row: { y + Int(items[$0]) * 64 },
                                  scale: { n, d in scale(1 + alpha * weights[n], d) })
            } else {
                for n in 0..<count {
                    let yn = y + Int(items[n]) * k
                    Vector.axpy(scale(1 + alpha * weights[n], Vector.dot(yn, v, count: k)), yn, out, count: k)
                }
            }
        }
        // r = b - A x = sum_n (c_n - (c_n - 1) y_n . x) y_n - G x
        for a in 0..<k { r[a] = 0 }
        addGram(x, sign: -1, into: r)
        addInteractions(x, into: r) { c, d in c - (c - 1) * d }
        for a in 0..<k { p[a] = r[a] }
        var rsOld = Vector.dot(r, r, count: k)
        guard rsOld > 1e-20 else { return }
        for _ in 0..<steps {
            // A p = G p + sum_n (c_n - 1)(y_n . p) y_n
            for a in 0..<k { ap[a] = 0 }
            addGram(p, sign: 1, into: ap)
            addInteractions(p, into: ap) { c, d in (c - 1) * d }
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

    /// out = sum_m s_m z_m over `count` rows z_m of 64 Floats (row(m)), with s_m = scale(m, z_m . v) (v read only
    /// when `dotted`): the one pass of the k = 64 CG, its accumulators and v held in registers across the rows.
    @inline(__always)
    static func accumulate64(_ count: Int, into out: UnsafeMutablePointer<Float>, dotted: Bool, with v: UnsafePointer<Float>,
                             row: (Int) -> UnsafePointer<Float>, scale: (Int, Float) -> Float) {
        typealias V = SIMD8<Float>
        let vr = UnsafeRawPointer(v)
        let v0 = vr.loadUnaligned(fromByteOffset: 0, as: V.self), v1 = vr.loadUnaligned(fromByteOffset: 32, as: V.self)
        let v2 = vr.loadUnaligned(fromByteOffset: 64, as: V.self), v3 = vr.loadUnaligned(fromByteOffset: 96, as: V.self)
        let v4 = vr.loadUnaligned(fromByteOffset: 128, as: V.self), v5 = vr.loadUnaligned(fromByteOffset: 160, as: V.self)
        let v6 = vr.loadUnaligned(fromByteOffset: 192, as: V.self), v7 = vr.loadUnaligned(fromByteOffset: 224, as: V.self)
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V(), a6 = V(), a7 = V()
        for m in 0..<count {
            let z = UnsafeRawPointer(row(m))
            let z0 = z.loadUnaligned(fromByteOffset: 0, as: V.self), z1 = z.loadUnaligned(fromByteOffset: 32, as: V.self)
            let z2 = z.loadUnaligned(fromByteOffset: 64, as: V.self), z3 = z.loadUnaligned(fromByteOffset: 96, as: V.self)
            let z4 = z.loadUnaligned(fromByteOffset: 128, as: V.self), z5 = z.loadUnaligned(fromByteOffset: 160, as: V.self)
            let z6 = z.loadUnaligned(fromByteOffset: 192, as: V.self), z7 = z.loadUnaligned(fromByteOffset: 224, as: V.self)
            var d: Float = 0
            if dotted { d = (((z0 * v0 + z1 * v1) + (z2 * v2 + z3 * v3)) + ((z4 * v4 + z5 * v5) + (z6 * v6 + z7 * v7))).sum() }
            let s = V(repeating: scale(m, d))
            a0 += s * z0; a1 += s * z1; a2 += s * z2; a3 += s * z3
            a4 += s * z4; a5 += s * z5; a6 += s * z6; a7 += s * z7
        }
        let o = UnsafeMutableRawPointer(out)
        func add(_ a: V, _ c: Int) {
            o.storeBytes(of: o.loadUnaligned(fromByteOffset: 32 * c, as: V.self) + a, toByteOffset: 32 * c, as: V.self)
        }
        add(a0, 0); add(a1, 1); add(a2, 2); add(a3, 3); add(a4, 4); add(a5, 5); add(a6, 6); add(a7, 7)
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
