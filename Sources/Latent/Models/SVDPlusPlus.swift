/// SVD++ by stochastic gradient descent (`svdpp`, Koren 2008, "Factorization meets the neighborhood"): biased matrix
/// factorization whose users are also represented by the items they rated,
///
///     r_ui ~ mu + b_u + b_i + q_i . (p_u + s_u sum_{j in N(u)} y_j),     s_u = |N(u)|^-1/2,
///
/// minimizing the sum over the ratings of the per-rating loss (``SVDPlusPlusObjective``)
///
///     1/2 e_ui^2 + lambda_b/2 (b_u^2 + b_i^2) + lambda/2 (|p_u|^2 + |q_i|^2 + sum_{j in N(u)} |y_j|^2).
///
/// Each step follows minus gamma times that loss's gradient, with z_u = p_u + s_u sum y_j:
///
///     b_u += gamma (e - lambda_b b_u)       b_i += gamma (e - lambda_b b_i)
///     q_i += gamma (e z_u - lambda q_i)     p_u += gamma (e q_i - lambda p_u)
///     y_j += gamma (e s_u q_i - lambda y_j)   for every j in N(u)
///
/// The last line is what makes Surprise's SVD++ slow: O(|N(u)| k) per rating. Here the ratings are visited user by
/// user (users in a fresh seeded order each epoch, each user's ratings in a seeded order), z_u is computed once per
/// user and kept up to date as p_u moves, and the y steps of the user's ratings are summed and applied once at the
/// end of the user (Koren's own way): O(k) per rating plus O(|N(u)| k) per user. The learning rate follows `schedule`
/// (by default multiplied by a decay after every epoch). Training is sequential, so the same seed gives the same model.
public struct SVDPlusPlus: ModelConfiguration {
    /// The number of latent factors k.
    public var factors: Int
    /// Passes over the ratings (epochs).
    public var iterations: Int
    /// The initial learning rate gamma.
    public var learningRate: Float
    /// How the learning rate changes over the epochs.
    public var schedule: LearningRateSchedule
    /// lambda, the regularization of p, q and y.
    public var regularization: Float
    /// lambda_b, the regularization of the biases.
    public var biasRegularization: Float
    /// The standard deviation of the initial p, q and y.
    public var initialScale: Float

    /// The defaults, chosen on validation parts carved from MovieLens 100k's u1..u5.base (see the README).
    public static let defaults = SVDPlusPlus(factors: 20, iterations: 60, learningRate: 0.005, schedule: .exponential(decay: 0.97),
                                             regularization: 0.04, biasRegularization: 0.02, initialScale: 0.1)

    /// The initial parameters drawn from `seed`: p, q and y normal with standard deviation `initialScale` (as
    /// Surprise does), biases zero.
    func initialParameters(_ data: RatingMatrix, seed: UInt64) -> (p: [Float], q: [Float], y: [Float]) {
        var rng = SeededGenerator(seed: seed)
        let k = factors
        let p = Matrix(rows: data.userCount, columns: k, normalStandardDeviation: initialScale, using: &rng).storage
        let q = Matrix(rows: data.itemCount, columns: k, normalStandardDeviation: initialScale, using: &rng).storage
        let y = Matrix(rows: data.itemCount, columns: k, normalStandardDeviation: initialScale, using: &rng).storage
        return (p, q, y)
    }

    /// Trains on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> ImplicitFactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let k = factors, users = data.userCount, items = data.itemCount
        var (p, q, y) = initialParameters(data, seed: context.seed)
        var bu = [Float](repeating: 0, count: users), bi = [Float](repeating: 0, count: items)
        let mu = data.globalMean
        var rng = SeededGenerator(seed: context.seed &+ 1)
        // Each user's ratings in one seeded order, kept for all epochs; the user order is drawn afresh each epoch.
        var order = Array(0..<data.count)
        for u in 0..<users { order[data.byUser.range(of: u)].withUnsafeMutableBufferPointer { rng.shuffle($0) } }
        var userOrder = Array(0..<users)
        let rates = schedule.rates(initial: learningRate, epochs: iterations)
        let rows = data.byUser
        var z = [Float](repeating: 0, count: k), gy = [Float](repeating: 0, count: k)
        for epoch in 0..<iterations {
            let gamma = rates[epoch]
            rng.shuffle(&userOrder)
            var sse = 0.0
            let step = SVDPlusPlusStep(gamma: gamma, lambda: regularization, lambdaB: biasRegularization, mu: mu, k: k)
            p.withUnsafeMutableBufferPointer { p in
            q.withUnsafeMutableBufferPointer { q in
            y.withUnsafeMutableBufferPointer { y in
            z.withUnsafeMutableBufferPointer { z in
            gy.withUnsafeMutableBufferPointer { gy in
                for u in userOrder {
                    sse += step.user(u, rows: rows, order: order, p: p.baseAddress!, q: q.baseAddress!, y: y.baseAddress!,
                                     bu: &bu[u], bi: &bi, z: z.baseAddress!, gy: gy.baseAddress!)
                }
            }}}}}
            guard sse.isFinite else { throw TrainingError.diverged(epoch: epoch + 1, learningRate: gamma) }
            context.report(TrainingProgress(step: epoch + 1, total: iterations, loss: (sse / Double(data.count)).squareRoot()))
        }
        // U_u = p_u + s_u sum y_j: the user's whole vector, so a known user is scored as a plain factor model.
        var total = p
        for u in 0..<users {
            let s = 1 / Float(rows.count(of: u)).squareRoot()
            for n in rows.range(of: u) {
                let j = Int(rows.indices[n])
                for f in 0..<k { total[u * k + f] += s * y[j * k + f] }
            }
        }
        let meanCount = Float(data.count) / Float(users)
        let averaged = FactorModel(
            name: "svdpp", domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: hyperparameters,
            globalMean: mu, userBias: bu, itemBias: bi, userFactors: Matrix(rows: users, columns: k, storage: total),
            itemFactors: Matrix(rows: items, columns: k, storage: q), foldIn: .ridge(lambda: regularization))
        guard averaged.userFactors.isFinite, averaged.itemFactors.isFinite else {
            throw TrainingError.diverged(epoch: iterations, learningRate: learningRate)
        }
        return ImplicitFactorModel(
            averaged: averaged, rank: k, implicitWeights: [Float](repeating: 0, count: items),
            implicitFactors: Matrix(rows: items, columns: k, storage: y), biasPrecision: biasRegularization * meanCount,
            factorPrecision: [Float](repeating: regularization * meanCount, count: k))
    }
}

/// One user's SGD steps of ``SVDPlusPlus`` (the rules in its documentation).
struct SVDPlusPlusStep {
    var gamma: Float, lambda: Float, lambdaB: Float, mu: Float, k: Int

    /// Runs the steps of user `u`'s ratings (in `order`) and returns their summed squared error before each step.
    @inline(__always)
    func user(_ u: Int, rows: SparseRows, order: [Int], p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>,
              y: UnsafeMutablePointer<Float>, bu: inout Float, bi: inout [Float], z: UnsafeMutablePointer<Float>,
              gy: UnsafeMutablePointer<Float>) -> Double {
        let range = rows.range(of: u)
        guard !range.isEmpty else { return 0 }
        let s = 1 / Float(range.count).squareRoot()
        let pu = p + u * k
        for f in 0..<k { z[f] = 0; gy[f] = 0 }
        for n in range { Vector.axpy(1, y + Int(rows.indices[n]) * k, z, count: k) }
        for f in 0..<k { z[f] = pu[f] + s * z[f] }
        var sse = 0.0
        for a in range {
            let n = order[a]
            let i = Int(rows.indices[n])
            let qi = q + i * k
            let e = rows.values[n] - (mu + bu + bi[i] + Vector.dot(qi, UnsafePointer(z), count: k))
            sse += Double(e * e)
            bu += gamma * (e - lambdaB * bu)
            bi[i] += gamma * (e - lambdaB * bi[i])
            for f in 0..<k {
                let qf = qi[f], pf = pu[f]
                qi[f] = qf + gamma * (e * z[f] - lambda * qf)
                let dp = gamma * (e * qf - lambda * pf)
                pu[f] = pf + dp
                z[f] += dp
                gy[f] += e * s * qf
            }
        }
        // The y steps of all the user's ratings at once: y_j += gamma (sum_n e_n s q_i - |N(u)| lambda y_j).
        let shrink = 1 - gamma * lambda * Float(range.count)
        for n in range {
            let yj = y + Int(rows.indices[n]) * k
            for f in 0..<k { yj[f] = shrink * yj[f] + gamma * gy[f] }
        }
        return sse
    }
}

/// The objective SVD++'s SGD steps descend, summed over the ratings, as a function of the flat parameter vector
/// [b_u (users), b_i (items), p (users x k), q (items x k), y (items x k)] (for the gradient check):
///
///     J = sum_(u,i) [ 1/2 e_ui^2 + lambda_b/2 (b_u^2 + b_i^2) + lambda/2 (|p_u|^2 + |q_i|^2 + sum_{j in N(u)} |y_j|^2) ]
///
/// with e_ui = r_ui - mu - b_u - b_i - q_i . (p_u + s_u sum_{j in N(u)} y_j). Each SGD step is minus gamma times the
/// gradient of one rating's term.
public struct SVDPlusPlusObjective: FusedObjective {
    /// The ratings.
    public let data: RatingMatrix
    /// k, lambda and lambda_b.
    public let factors: Int, regularization: Double, biasRegularization: Double

    /// The objective of `configuration` on `data`.
    public init(_ configuration: SVDPlusPlus, data: RatingMatrix) {
        self.data = data
        factors = configuration.factors
        regularization = Double(configuration.regularization)
        biasRegularization = Double(configuration.biasRegularization)
    }

    public var parameterCount: Int { data.userCount + data.itemCount + (data.userCount + 2 * data.itemCount) * factors }

    public func evaluate(_ x: [Double], gradient g: inout [Double]) -> Double {
        let users = data.userCount, items = data.itemCount, k = factors
        let biOff = users, pOff = users + items, qOff = pOff + users * k, yOff = qOff + items * k
        let mu = Double(data.globalMean), lambda = regularization, lambdaB = biasRegularization
        for a in g.indices { g[a] = 0 }
        var value = 0.0
        let rows = data.byUser
        for u in 0..<users {
            let range = rows.range(of: u)
            guard !range.isEmpty else { continue }
            let s = 1 / Double(range.count).squareRoot()
            var z = (0..<k).map { x[pOff + u * k + $0] }
            for n in range { for f in 0..<k { z[f] += s * x[yOff + Int(rows.indices[n]) * k + f] } }
            var yNorm = 0.0
            for n in range { for f in 0..<k { yNorm += x[yOff + Int(rows.indices[n]) * k + f] * x[yOff + Int(rows.indices[n]) * k + f] } }
            var gz = [Double](repeating: 0, count: k)
            for n in range {
                let i = Int(rows.indices[n])
                var dot = 0.0
                for f in 0..<k { dot += x[qOff + i * k + f] * z[f] }
                let bu = x[u], bi = x[biOff + i]
                let e = Double(rows.values[n]) - mu - bu - bi - dot
                var pNorm = 0.0, qNorm = 0.0
                for f in 0..<k {
                    pNorm += x[pOff + u * k + f] * x[pOff + u * k + f]
                    qNorm += x[qOff + i * k + f] * x[qOff + i * k + f]
                }
                value += 0.5 * e * e + 0.5 * lambdaB * (bu * bu + bi * bi) + 0.5 * lambda * (pNorm + qNorm + yNorm)
                g[u] += -e + lambdaB * bu
                g[biOff + i] += -e + lambdaB * bi
                for f in 0..<k {
                    let qf = x[qOff + i * k + f]
                    g[qOff + i * k + f] += -e * z[f] + lambda * qf
                    g[pOff + u * k + f] += -e * qf + lambda * x[pOff + u * k + f]
                    gz[f] += -e * qf
                }
                for m in range {
                    let j = Int(rows.indices[m])
                    for f in 0..<k { g[yOff + j * k + f] += lambda * x[yOff + j * k + f] }
                }
            }
            for n in range {
                let j = Int(rows.indices[n])
                for f in 0..<k { g[yOff + j * k + f] += s * gz[f] }
            }
        }
        return value
    }
}

extension SVDPlusPlus {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...10_000, "number of latent factors k"),
        .init("iterations", \.iterations, in: 0...100_000, "passes over the ratings (epochs)"),
        .init("learning-rate", \.learningRate, in: 1e-12...10, "initial SGD step gamma"),
        .init("schedule", \.schedule, aliases: ["decay=exponential:*"], "learning rate over the epochs (exponential:D: times D after each)"),
        .init("regularization", \.regularization, in: 0...1000, "lambda on p, q and y"),
        .init("bias-regularization", \.biasRegularization, in: 0...1000, "lambda_b on the biases"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
    ]
}

extension SVDPlusPlus: GradientChecked {
    /// The summed objective with 3 factors and different penalties for the factors and the biases.
    public func gradientCheck(seed: UInt64) -> GradientCheckResult {
        var c = self
        (c.factors, c.regularization, c.biasRegularization) = (3, 0.3, 0.2)
        return GradientCheck.check(seed: seed) { data, _ in SVDPlusPlusObjective(c, data: data) }
    }
}

extension ModelDescriptor {
    /// `svdpp`: SVD++ by SGD.
    public static let svdPlusPlus = ModelDescriptor(
        name: "svdpp", summary: "SVD++ by SGD (Koren 2008): biased MF whose users add up the factors of the items they rated",
        task: .rating, defaults: SVDPlusPlus.defaults)
}
