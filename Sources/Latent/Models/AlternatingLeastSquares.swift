import Foundation

/// Alternating least squares on the biased objective (DESIGN.md item 8):
///
///     min sum_{(u,i) rated} (r_ui - alpha - beta_u - beta_i - gamma_u . delta_i)^2
///         + lambda_f (sum_u ||gamma_u||^2 + sum_i ||delta_i||^2) + lambda_b (sum_u beta_u^2 + sum_i beta_i^2)
///
/// alpha is the unregularized mean residual. Each sweep updates alpha, then every user, then every item:
///
/// - `solver=cholesky` (default): the block form. With the items fixed, user u's factors and bias w = (gamma_u, beta_u)
///   solve exactly the (k+1) x (k+1) system (sum_i z_i z_i^T + diag(lambda_f, ..., lambda_f, lambda_b)) w =
///   sum_i z_i (r_ui - alpha - beta_i) with z_i = (delta_i, 1), by Cholesky; then the same for each item.
/// - `solver=coordinate`: the notes' closed-form coordinate updates, each holding all else fixed:
///   beta_u = sum_i (r_ui - alpha - beta_i - gamma_u . delta_i) / (lambda_b + n_u), and for each k
///   gamma_uk = sum_i (e_ui + gamma_uk delta_ik) delta_ik / (lambda_f + sum_i delta_ik^2), with e the current residual;
///   the same for items.
///
/// With `weighted=true` (the default) both lambdas are multiplied by n^e, with n the row's count (n_u or n_i) and e
/// the `weight-exponent`: e = 1 is the classic count-weighted "ALS-WR" (lambda n_u); the default e = 0.5 is what
/// worked best on MovieLens 100k (protocol R 0.909 against 0.912 for e = 1 at its best lambda 0.12). Users are solved in parallel over disjoint rows (then items), so the model is the same
/// for any thread count. Training cannot diverge (every step solves a positive definite system).
public struct AlternatingLeastSquares: Sendable {
    /// How each row is solved.
    public enum Solver: String, Sendable, CaseIterable {
        /// The exact (k+1) x (k+1) block solve.
        case cholesky
        /// One pass of closed-form coordinate updates per row and sweep.
        case coordinate
    }

    /// The number of latent factors k.
    public var factors: Int
    /// Sweeps (each: alpha, every user, every item).
    public var iterations: Int
    /// lambda_f, the regularization of the factors.
    public var regularization: Float
    /// lambda_b, the regularization of the biases.
    public var biasRegularization: Float
    /// Whether the lambdas are multiplied by (each row's number of ratings)^weightExponent.
    public var weighted: Bool
    /// The exponent e of the count weighting lambda * n^e (1: ALS-WR).
    public var weightExponent: Float
    /// The row solver.
    public var solver: Solver
    /// The standard deviation of the initial factors.
    public var initialScale: Float

    /// The defaults of `als`, chosen on MovieLens 100k (protocol R).
    public static let defaults = AlternatingLeastSquares(factors: 100, iterations: 6, regularization: 1.2,
                                                         biasRegularization: 0.3, weighted: true, weightExponent: 0.5,
                                                         solver: .cholesky, initialScale: 0.1)

    /// The state ALS works on; public so tests and callers can run single steps.
    public struct State: Sendable {
        /// alpha.
        public var alpha: Float
        /// beta_u.
        public var userBias: [Float]
        /// beta_i.
        public var itemBias: [Float]
        /// gamma (users x k).
        public var userFactors: Matrix
        /// delta (items x k).
        public var itemFactors: Matrix
    }

    /// The starting state: alpha the global mean, zero biases, small normal factors drawn from `seed`.
    public func initialState(_ data: RatingMatrix, seed: UInt64) -> State {
        var rng = SeededGenerator(seed: seed)
        let p = Matrix(rows: data.userCount, columns: factors, normalStandardDeviation: initialScale, using: &rng)
        let q = Matrix(rows: data.itemCount, columns: factors, normalStandardDeviation: initialScale, using: &rng)
        return State(alpha: data.globalMean, userBias: [Float](repeating: 0, count: data.userCount),
                     itemBias: [Float](repeating: 0, count: data.itemCount), userFactors: p, itemFactors: q)
    }

    /// Trains on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        var state = initialState(data, seed: context.seed)
        for sweep in 0..<iterations {
            self.sweep(&state, data, threads: context.threads)
            if context.report(TrainingProgress(stage: "sweep", step: sweep + 1, total: iterations), snapshot: { model(state, data, context) }) {
                break
            }
        }
        return model(state, data, context)
    }

    /// The model of `state`.
    private func model(_ state: State, _ data: RatingMatrix, _ context: TrainingContext) -> FactorModel {
        FactorModel(
            name: "als", domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: hyperparameters,
            globalMean: state.alpha, userBias: state.userBias, itemBias: state.itemBias,
            userFactors: state.userFactors, itemFactors: state.itemFactors,
            foldIn: .ridge(lambda: weighted ? regularization / 10 : regularization / 50))
    }

    /// One sweep: alpha, then every user given the items, then every item given the users.
    public func sweep(_ state: inout State, _ data: RatingMatrix, threads: Int) {
        updateAlpha(&state, data)
        updateUsers(&state, data, threads: threads)
        updateItems(&state, data, threads: threads)
    }

    /// alpha = mean over ratings of r - beta_u - beta_i - gamma_u . delta_i.
    public func updateAlpha(_ state: inout State, _ data: RatingMatrix) {
        let k = factors
        var s = 0.0
        state.userFactors.storage.withUnsafeBufferPointer { p in
            state.itemFactors.storage.withUnsafeBufferPointer { q in
                for u in 0..<data.userCount {
                    for e in data.byUser.range(of: u) {
                        let i = Int(data.byUser.indices[e])
                        s += Double(data.byUser.values[e] - state.userBias[u] - state.itemBias[i]
                                    - Vector.dot(p.baseAddress! + u * k, q.baseAddress! + i * k, count: k))
                    }
                }
            }
        }
        state.alpha = Float(s / Double(data.count))
    }

    /// Every user's factors and bias given the items.
    public func updateUsers(_ state: inout State, _ data: RatingMatrix, threads: Int) {
        solveRows(data.byUser, offsets: state.itemBias, alpha: state.alpha, fixed: state.itemFactors,
                  solved: &state.userFactors, solvedBias: &state.userBias, threads: threads)
    }

    /// Every item's factors and bias given the users.
    public func updateItems(_ state: inout State, _ data: RatingMatrix, threads: Int) {
        solveRows(data.byItem, offsets: state.userBias, alpha: state.alpha, fixed: state.userFactors,
                  solved: &state.itemFactors, solvedBias: &state.itemBias, threads: threads)
    }

    /// For each row r of `rows` (a user's ratings, or an item's), solve its factors and bias with the other side fixed.
    func solveRows(_ rows: SparseRows, offsets otherBias: [Float], alpha: Float, fixed: Matrix, solved: inout Matrix,
                   solvedBias: inout [Float], threads: Int) {
        let k = factors, d = k + 1
        let lambdaB = biasRegularization, weighted = self.weighted, solver = self.solver
        let exponent = Double(weightExponent), lambdaF = regularization
        fixed.storage.withUnsafeBufferPointer { q in
        otherBias.withUnsafeBufferPointer { ob in
        solved.storage.withUnsafeMutableBufferPointer { pBuffer in
        solvedBias.withUnsafeMutableBufferPointer { bBuffer in
        rows.indices.withUnsafeBufferPointer { idx in
        rows.values.withUnsafeBufferPointer { val in
            let p = SharedPointer(pBuffer.baseAddress!), bias = SharedPointer(bBuffer.baseAddress!)
            let q = SharedReadPointer(q.baseAddress!), ob = SharedReadPointer(ob.baseAddress!)
            let idx = SharedReadPointer(idx.baseAddress!), val = SharedReadPointer(val.baseAddress!)
            Parallel.forEachRange(rows.rowCount, threads: threads) { range in
                var a = [Float](repeating: 0, count: d * d), b = [Float](repeating: 0, count: d)
                var ad = [Double](repeating: 0, count: d * d), bd = [Double](repeating: 0, count: d)
                var z = [Float](repeating: 0, count: d)
                var residual = [Float]()
                for r in range {
                    let lo = rows.offsets[r], hi = rows.offsets[r + 1]
                    let n = hi - lo
                    guard n > 0 else { continue }
                    let scale: Float = weighted ? Float(pow(Double(n), exponent)) : 1
                    let row = p.base + r * k
                    switch solver {
                    case .cholesky:
                        Self.blockSolve(lo: lo, hi: hi, idx: idx, val: val, q: q, ob: ob, alpha: alpha, k: k, lambdaF: lambdaF * scale,
                                        lambdaB: lambdaB * scale, a: &a, b: &b, ad: &ad, bd: &bd, z: &z, row: row, bias: bias.base + r)
                    case .coordinate:
                        Self.coordinateSolve(lo: lo, hi: hi, idx: idx, val: val, q: q, ob: ob, alpha: alpha, k: k,
                                             lambdaF: lambdaF * scale, lambdaB: lambdaB * scale, residual: &residual, row: row,
                                             bias: bias.base + r)
                    }
                }
            }
        }}}}}}
    }

    /// The exact solve of one row: (Z^T Z + diag(lambda_f..., lambda_b)) (gamma, beta) = Z^T t.
    static func blockSolve(lo: Int, hi: Int, idx: SharedReadPointer<Int32>, val: SharedReadPointer<Float>,
                           q: SharedReadPointer<Float>, ob: SharedReadPointer<Float>, alpha: Float, k: Int,
                           lambdaF: Float, lambdaB: Float, a: inout [Float], b: inout [Float], ad: inout [Double],
                           bd: inout [Double], z: inout [Float], row: UnsafeMutablePointer<Float>,
                           bias: UnsafeMutablePointer<Float>) {
        let d = k + 1
        if z.count < 4 * d { z = [Float](repeating: 0, count: 4 * d) }
        a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in
                z.withUnsafeMutableBufferPointer { z in
                    a.update(repeating: 0)
                    b.update(repeating: 0)
                    // Z^T Z four rows at a time (z = (delta_j, 1)), Z^T t one row at a time.
                    var filled = 0
                    for e in lo..<hi {
                        let j = Int(idx[e])
                        let zr = z.baseAddress! + filled * d
                        let qj = q.base + j * k
                        for f in 0..<k { zr[f] = qj[f] }
                        zr[k] = 1
                        let t = val[e] - alpha - ob[j]
                        for f in 0..<d { b[f] += t * zr[f] }
                        filled += 1
                        if filled == 4 {
                            Gram.addOuterProducts4(z.baseAddress!, into: a.baseAddress!, dimension: d)
                            filled = 0
                        }
                    }
                    for m in 0..<filled { Gram.addOuterProduct(z.baseAddress! + m * d, into: a.baseAddress!, dimension: d) }
                }
                ad.withUnsafeMutableBufferPointer { ad in
                    bd.withUnsafeMutableBufferPointer { bd in
                        for r in 0..<d {
                            for c in r..<d { ad[r * d + c] = Double(a[r * d + c]) }
                            bd[r] = Double(b[r])
                        }
                        for f in 0..<k { ad[f * d + f] += Double(lambdaF) }
                        ad[k * d + k] += Double(lambdaB)
                        guard Cholesky.factorUpper(ad.baseAddress!, n: d) else { return }
                        Cholesky.solveUpper(ad.baseAddress!, n: d, bd.baseAddress!)
                        for f in 0..<k { row[f] = Float(bd[f]) }
                        bias.pointee = Float(bd[k])
                    }
                }
            }
        }
    }

    /// The notes' coordinate updates of one row: its bias, then each factor, in closed form, keeping residuals.
    static func coordinateSolve(lo: Int, hi: Int, idx: SharedReadPointer<Int32>, val: SharedReadPointer<Float>,
                                q: SharedReadPointer<Float>, ob: SharedReadPointer<Float>, alpha: Float, k: Int,
                                lambdaF: Float, lambdaB: Float, residual: inout [Float],
                                row: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>) {
        let n = hi - lo
        if residual.count < n { residual = [Float](repeating: 0, count: n) }
        residual.withUnsafeMutableBufferPointer { e in
            // e = r - alpha - beta_other - beta_row - gamma . delta
            var sum: Double = 0
            for m in 0..<n {
                let j = Int(idx[lo + m])
                e[m] = val[lo + m] - alpha - ob[j] - bias.pointee - Vector.dot(row, q.base + j * k, count: k)
                sum += Double(e[m] + bias.pointee)
            }
            let newBias = Float(sum / (Double(lambdaB) + Double(n)))
            let shift = newBias - bias.pointee
            for m in 0..<n { e[m] -= shift }
            bias.pointee = newBias
            for f in 0..<k {
                var numerator: Double = 0, denominator = Double(lambdaF)
                let old = row[f]
                for m in 0..<n {
                    let qf = q[Int(idx[lo + m]) * k + f]
                    numerator += Double((e[m] + old * qf) * qf)
                    denominator += Double(qf * qf)
                }
                let new = Float(numerator / denominator)
                let delta = new - old
                if delta != 0 {
                    for m in 0..<n { e[m] -= delta * q[Int(idx[lo + m]) * k + f] }
                }
                row[f] = new
            }
        }
    }
}

extension AlternatingLeastSquares: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...10_000, "number of latent factors k"),
        .init("iterations", \.iterations, in: 0...100_000, "alternating sweeps (users, then items)"),
        .init("regularization", \.regularization, also: [\.biasRegularization],
              "lambda_f on the factors (times the row's count when weighted); also lambda_b unless that is given"),
        .init("bias-regularization", \.biasRegularization, "lambda_b on the biases"),
        .init("weighted", \.weighted, "multiply the lambdas by n^weight-exponent, n the row's number of ratings"),
        .init("weight-exponent", \.weightExponent, in: 0...2, "e in lambda * n^e when weighted (1: ALS-WR, lambda * n_u)"),
        .init("solver", \.solver, "cholesky (exact (k+1)x(k+1) solve) or coordinate (the notes' closed-form coordinate updates)"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
    ]
}

extension AlternatingLeastSquares.Solver: HyperparameterChoice {}

extension ModelDescriptor {
    /// `als`: alternating least squares with biases.
    public static let als = ModelDescriptor(
        name: "als", summary: "alternating least squares with biases: r ~ alpha + b_u + b_i + p_u.q_i, exact row solves",
        task: .rating, defaults: AlternatingLeastSquares.defaults
    ).withRestarts()
}
