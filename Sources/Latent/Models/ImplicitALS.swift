/// `implicit-als`: weighted matrix factorization for implicit feedback (Hu, Koren and Volinsky, 2008).
///
/// Every (user, item) pair is a preference p = 1 if the user interacted with the item, else 0, with confidence
/// c = 1 + alpha * w for an interaction of weight w and c = 1 for every unobserved pair. The objective
///
///     sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + lambda (sum ||x_u||^2 + sum ||y_i||^2)
///
/// is minimized by alternating: with the item factors Y fixed, each user's factors solve
/// (Y^T Y + Y^T (C_u - I) Y + lambda I) x_u = Y^T C_u p_u, where Y^T Y is computed once per half-sweep and the
/// correction touches only the user's interactions; then the same for items. The default solver runs a few steps of
/// conjugate gradient warm-started from the previous factors (as Takacs et al. and the `implicit` library do); the
/// exact Cholesky solve is an option. Rows are solved in parallel over disjoint ranges, so the model does not depend
/// on the thread count. The model has no biases; scores are preferences near 0..1, not ratings.
public struct ImplicitALS: Sendable {
    /// How each row's k x k system is solved.
    public enum Solver: String, Sendable, CaseIterable {
        /// A few conjugate-gradient steps from the previous factors (fast, inexact).
        case cg
        /// The exact solution by Cholesky factorization (in Double).
        case cholesky
    }

    /// The number of latent factors k.
    public var factors: Int
    /// lambda, the regularization of user and item factors.
    public var regularization: Float
    /// alpha, how much an interaction of weight w raises the confidence: c = 1 + alpha * w.
    public var alpha: Float
    /// The number of sweeps (users then items).
    public var iterations: Int
    /// The solver of each row.
    public var solver: Solver
    /// Conjugate-gradient steps per row and sweep (with ``Solver/cg``).
    public var cgSteps: Int
    /// The standard deviation of the initial factors.
    public var initialScale: Float

    /// The defaults, chosen on a validation split carved from MovieLens 100k `u1.base` (see the README's figures).
    public static let defaults = ImplicitALS(factors: 64, regularization: 30, alpha: 2, iterations: 15, solver: .cg,
                                             cgSteps: 3, initialScale: 0.01)

    /// Trains on the interactions in `data` (each stored value is an interaction weight w).
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        var rng = SeededGenerator(seed: context.seed)
        var x = Matrix(rows: data.userCount, columns: factors, normalStandardDeviation: initialScale, using: &rng)
        var y = Matrix(rows: data.itemCount, columns: factors, normalStandardDeviation: initialScale, using: &rng)
        for sweep in 0..<iterations {
            solveRows(data.byUser, solving: &x, fixed: y, threads: context.threads)
            solveRows(data.byItem, solving: &y, fixed: x, threads: context.threads)
            guard x.isFinite, y.isFinite else { throw TrainingError.diverged(epoch: sweep + 1, learningRate: 0) }
            context.report(TrainingProgress(stage: "sweep", step: sweep + 1, total: iterations))
        }
        return FactorModel(name: "implicit-als", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                           globalMean: 0, userBias: [], itemBias: [], userFactors: x, itemFactors: y,
                           foldIn: .implicit(alpha: alpha, lambda: regularization))
    }

    /// Y^T Y + lambda I in Double, row-major k x k.
    static func gram(_ y: Matrix, lambda: Float) -> [Double] {
        let k = y.columns
        var g = [Double](repeating: 0, count: k * k)
        y.storage.withUnsafeBufferPointer { yp in
            g.withUnsafeMutableBufferPointer { gp in
                for r in 0..<y.rows {
                    let row = yp.baseAddress! + r * k
                    for a in 0..<k {
                        let ya = Double(row[a])
                        for b in a..<k { gp[a * k + b] += ya * Double(row[b]) }
                    }
                }
            }
        }
        for a in 0..<k {
            for b in 0..<a { g[a * k + b] = g[b * k + a] }
            g[a * k + a] += Double(lambda)
        }
        return g
    }

    /// Solves every row of `x` against the fixed factors `y`, the interactions of row r being `rows` row r.
    func solveRows(_ rows: SparseRows, solving x: inout Matrix, fixed y: Matrix, threads: Int) {
        let k = factors
        let gram = ImplicitALS.gram(y, lambda: regularization)
        let gramFloat = gram.map { Float($0) }
        let alpha = self.alpha, steps = cgSteps, solver = self.solver
        x.storage.withUnsafeMutableBufferPointer { xp in
            y.storage.withUnsafeBufferPointer { yp in
                let xs = SharedPointer(xp.baseAddress!), ys = SharedReadPointer(yp.baseAddress!)
                Parallel.forEachRange(rows.rowCount, threads: threads) { range in
                    switch solver {
                    case .cg:
                        var scratch = [Float](repeating: 0, count: 3 * k)
                        gramFloat.withUnsafeBufferPointer { g in
                            scratch.withUnsafeMutableBufferPointer { s in
                                for r in range {
                                    ImplicitALS.conjugateGradient(
                                        x: xs.base + r * k, y: ys.base, gram: g.baseAddress!, k: k,
                                        items: rows.indices, weights: rows.values, range: rows.range(of: r), alpha: alpha,
                                        steps: steps, scratch: s.baseAddress!)
                                }
                            }
                        }
                    case .cholesky:
                        for r in range {
                            let solution = ImplicitALS.exactSolve(
                                gram: gram, y: ys.base, k: k, items: rows.indices, weights: rows.values,
                                range: rows.range(of: r), alpha: alpha)
                            for f in 0..<k { xs[r * k + f] = solution[f] }
                        }
                    }
                }
            }
        }
    }

    /// A few conjugate-gradient steps on (G + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i from the current x.
    @inline(__always)
    static func conjugateGradient(x: UnsafeMutablePointer<Float>, y: UnsafePointer<Float>, gram: UnsafePointer<Float>,
                                  k: Int, items: [Int32], weights: [Float], range: Range<Int>, alpha: Float, steps: Int,
                                  scratch: UnsafeMutablePointer<Float>) {
        let r = scratch, p = scratch + k, ap = scratch + 2 * k
        // r = b - A x
        for a in 0..<k { r[a] = -Vector.dot(gram + a * k, x, count: k) }
        items.withUnsafeBufferPointer { items in
            weights.withUnsafeBufferPointer { weights in
                for n in range {
                    let yi = y + Int(items[n]) * k
                    let c = 1 + alpha * weights[n]
                    Vector.axpy(c - (c - 1) * Vector.dot(yi, x, count: k), yi, r, count: k)
                }
                for a in 0..<k { p[a] = r[a] }
                var rsOld = Vector.dot(r, r, count: k)
                guard rsOld > 1e-20 else { return }
                for _ in 0..<steps {
                    for a in 0..<k { ap[a] = Vector.dot(gram + a * k, p, count: k) }
                    for n in range {
                        let yi = y + Int(items[n]) * k
                        let c = 1 + alpha * weights[n]
                        Vector.axpy((c - 1) * Vector.dot(yi, p, count: k), yi, ap, count: k)
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
        }
    }


    /// The exact solution of (G + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i by Cholesky, in Double.
    static func exactSolve(gram: [Double], y: UnsafePointer<Float>, k: Int, items: [Int32], weights: [Float],
                           range: Range<Int>, alpha: Float) -> [Float] {
        var a = gram
        var b = [Double](repeating: 0, count: k)
        for n in range {
            let yi = y + Int(items[n]) * k
            let c = 1 + Double(alpha) * Double(weights[n])
            for s in 0..<k {
                let ys = Double(yi[s])
                b[s] += c * ys
                for t in 0..<k { a[s * k + t] += (c - 1) * ys * Double(yi[t]) }
            }
        }
        guard let solution = Cholesky.solve(a, b) else { return [Float](repeating: 0, count: k) }
        return solution.map { Float($0) }
    }
}

extension ImplicitALS: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...10_000, "number of latent factors k"),
        .init("regularization", \.regularization, in: 0...1e9, "lambda for user and item factors"),
        .init("alpha", \.alpha, in: 0...1e9, "confidence c = 1 + alpha * weight"),
        .init("iterations", \.iterations, in: 0...10_000, "alternating sweeps"),
        .init("solver", \.solver, "cg (conjugate gradient, warm-started) or cholesky (exact)"),
        .init("cg-steps", \.cgSteps, in: 1...1000, "conjugate-gradient steps per row and sweep"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
    ]
}

extension ImplicitALS.Solver: HyperparameterChoice {}

extension ModelDescriptor {
    /// `implicit-als`: weighted matrix factorization for implicit feedback.
    public static let implicitALS = ModelDescriptor(
        name: "implicit-als", summary: "implicit-feedback matrix factorization by alternating least squares (Hu, Koren, Volinsky)",
        task: .ranking, defaults: ImplicitALS.defaults)
}
