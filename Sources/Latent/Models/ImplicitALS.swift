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
            if context.report(TrainingProgress(stage: "sweep", step: sweep + 1, total: iterations),
                              snapshot: { model(data, x, y) }) { break }
        }
        return model(data, x, y)
    }

    /// The model of user factors `x` and item factors `y`.
    private func model(_ data: RatingMatrix, _ x: Matrix, _ y: Matrix) -> FactorModel {
        FactorModel(name: "implicit-als", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                    globalMean: 0, userBias: [], itemBias: [], userFactors: x, itemFactors: y,
                    foldIn: .implicit(alpha: alpha, lambda: regularization))
    }

    /// Y^T Y + lambda I in Double, row-major k x k: the part of every row's system that the rows share.
    static func gram(_ y: Matrix, lambda: Float, threads: Int = 1) -> [Double] {
        var g = Gram.of(y, threads: threads)
        for a in 0..<y.columns { g[a * y.columns + a] += Double(lambda) }
        return g
    }

    /// The most interactions of one row whose factors the CG gathers into a contiguous buffer (8,192 rows of 64
    /// Floats, 2 MiB per thread); longer rows are read in place.
    static let gatherLimit = 8192

    /// Solves every row of `x` against the fixed factors `y`, the interactions of row r being `rows` row r.
    func solveRows(_ rows: SparseRows, solving x: inout Matrix, fixed y: Matrix, threads: Int) {
        let k = factors
        let gram = ImplicitALS.gram(y, lambda: regularization, threads: threads)
        let gramFloat = gram.map { Float($0) }
        let alpha = self.alpha, steps = cgSteps, solver = self.solver
        x.storage.withUnsafeMutableBufferPointer { xp in
        y.storage.withUnsafeBufferPointer { yp in
        rows.indices.withUnsafeBufferPointer { ip in
        rows.values.withUnsafeBufferPointer { wp in
        gramFloat.withUnsafeBufferPointer { gp in
            let xs = SharedPointer(xp.baseAddress!), ys = SharedReadPointer(yp.baseAddress!)
            let items = SharedReadPointer(ip.baseAddress!), weights = SharedReadPointer(wp.baseAddress!)
            let g = SharedReadPointer(gp.baseAddress!), offsets = rows.offsets
            Parallel.forEachRange(rows.rowCount, threads: threads) { range in
                let system = ConfidenceSystem(y: ys.base, k: k, alpha: alpha)
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * k)
                defer { scratch.deallocate() }
                // Room to gather the factors of the longest row of the range (up to 2 MiB), for the k = 64 CG.
                var longest = 0
                if k == 64, solver == .cg { for r in range { longest = max(longest, offsets[r + 1] - offsets[r]) } }
                let gatherRows = min(longest, ImplicitALS.gatherLimit)
                let gather = UnsafeMutablePointer<Float>.allocate(capacity: max(1, gatherRows * k))
                defer { gather.deallocate() }
                for r in range {
                    let lo = offsets[r], count = offsets[r + 1] - lo
                    switch solver {
                    case .cg:
                        system.conjugateGradient(x: xs.base + r * k, gram: g.base, items: items.base + lo,
                                                 weights: weights.base + lo, count: count, steps: steps, scratch: scratch,
                                                 gather: gather, gatherRows: gatherRows)
                    case .cholesky:
                        let solution = system.exactSolution(gram: gram, items: items.base + lo, weights: weights.base + lo,
                                                            count: count)
                        for f in 0..<k { xs[r * k + f] = solution[f] }
                    }
                }
            }
        }}}}}
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
