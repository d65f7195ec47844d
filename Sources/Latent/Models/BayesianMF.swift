/// Bayesian biased matrix factorization by Gibbs sampling (`bayesian-mf`): r ~ w0 + b_u + b_i + p_u . q_i with
/// Gaussian noise of precision alpha, Gaussian priors on every parameter and Normal-Gamma hyperpriors on their means
/// and precisions (one mean and precision for the user biases, one for the item biases, one per factor dimension for
/// users and for items), as in libFM's and myFM's MCMC for a user-item factorization machine.
///
/// Each sweep draws every parameter from its conditional posterior, one coordinate at a time, keeping the residual
/// of every rating up to date (O(k * ratings) per sweep): for a parameter theta entering rating n with slope h_n,
///
///     precision = alpha sum_n h_n^2 + lambda_theta
///     mean      = (alpha sum_n (e_n + theta h_n) h_n + lambda_theta mu_theta) / precision
///
/// then the hyperparameters and alpha from their Gamma and Normal posteriors. There is no learning rate and no
/// regularization to tune: the priors learn them. Predictions average the samples after the burn-in. The biases are
/// averaged directly; the products p_u . q_i are averaged by stacking the kept samples side by side, scaled by
/// 1 / samples, into one wider factor model, so the result is an ordinary ``FactorModel`` that predicts, ranks and
/// saves like any other.
public struct BayesianMatrixFactorization: Sendable {
    /// The rank k of each sample.
    public var factors: Int
    /// Gibbs sweeps in all.
    public var iterations: Int
    /// Sweeps discarded before averaging.
    public var burnIn: Int
    /// How many of the samples after the burn-in are stacked into the model's factors (evenly spaced); the biases
    /// average every sample.
    public var keptSamples: Int
    /// The standard deviation of the initial factors.
    public var initialScale: Float

    /// The defaults, chosen on validation parts carved from MovieLens 100k's u1..u5.base.
    public static let defaults = BayesianMatrixFactorization(factors: 6, iterations: 200, burnIn: 20, keptSamples: 180, initialScale: 0.1)

    /// The sweeps whose factors are stacked: `keptSamples` evenly spaced over the sweeps after the burn-in.
    func keptSweeps() -> Set<Int> {
        let available = iterations - burnIn
        let s = min(keptSamples, available)
        guard s > 0 else { return [] }
        return Set((0..<s).map { burnIn + (available * ($0 + 1)) / s - 1 })
    }

    /// Samples from the posterior given `data` and returns the averaged model.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        guard iterations > burnIn else {
            throw TrainingError.invalidHyperparameter(name: "burn-in", value: "\(burnIn)", reason: "must be smaller than iterations (\(iterations))")
        }
        var sampler = GibbsSampler(data, factors: factors, initialScale: Double(initialScale), seed: context.seed)
        let kept = keptSweeps()
        let k = factors, users = data.userCount, items = data.itemCount
        var w0Sum = 0.0
        var buSum = [Double](repeating: 0, count: users), biSum = [Double](repeating: 0, count: items)
        var pStack: [[Float]] = [], qStack: [[Float]] = []
        for sweep in 0..<iterations {
            sampler.sweep()
            guard sampler.w0.isFinite, sampler.alpha.isFinite else {
                throw TrainingError.diverged(epoch: sweep + 1, learningRate: 0)
            }
            if sweep >= burnIn {
                w0Sum += sampler.w0
                for u in 0..<users { buSum[u] += sampler.bu[u] }
                for i in 0..<items { biSum[i] += sampler.bi[i] }
            }
            if kept.contains(sweep) {
                pStack.append(sampler.p.map { Float($0) })
                qStack.append(sampler.q.map { Float($0) })
            }
            context.report(TrainingProgress(stage: "sweep", step: sweep + 1, total: iterations,
                                            loss: (sampler.squaredError / Double(data.count)).squareRoot()))
        }
        let n = Double(iterations - burnIn), s = pStack.count
        // Stack the kept samples: row u is [p_u^1, ..., p_u^S] / S, so p . q is the mean of the samples' products.
        var p = Matrix(rows: users, columns: k * s), q = Matrix(rows: items, columns: k * s)
        let scale = 1 / Float(max(1, s))
        for (j, (ps, qs)) in zip(pStack, qStack).enumerated() {
            for u in 0..<users { for f in 0..<k { p[u, j * k + f] = ps[u * k + f] * scale } }
            for i in 0..<items { for f in 0..<k { q[i, j * k + f] = qs[i * k + f] } }
        }
        return FactorModel(
            name: "bayesian-mf", domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: hyperparameters,
            globalMean: Float(w0Sum / n), userBias: buSum.map { Float($0 / n) }, itemBias: biSum.map { Float($0 / n) },
            userFactors: p, itemFactors: q, foldIn: .ridge(lambda: 0.05))
    }
}

/// The state of the Gibbs sampler: parameters, hyperparameters and the residual of every rating (in by-user order).
struct GibbsSampler {
    let k: Int
    let byUser: SparseRows, byItem: SparseRows
    /// For each entry of `byItem`, its position in `byUser` (and in `residual`).
    let itemToUserOrder: [Int]
    var rng: SeededGenerator
    var w0 = 0.0, alpha = 1.0
    var bu: [Double], bi: [Double], p: [Double], q: [Double]
    var residual: [Double]
    // Hyperparameters: mean and precision of the user biases, item biases, and each factor dimension.
    var muBU = 0.0, lambdaBU = 1.0, muBI = 0.0, lambdaBI = 1.0
    var muP: [Double], lambdaP: [Double], muQ: [Double], lambdaQ: [Double]
    /// The sum of squared residuals after the last sweep.
    var squaredError = 0.0

    init(_ data: RatingMatrix, factors k: Int, initialScale: Double, seed: UInt64) {
        self.k = k
        byUser = data.byUser
        byItem = data.byItem
        var next = Array(data.byItem.offsets.dropLast())
        var map = [Int](repeating: 0, count: data.count)
        for u in 0..<data.userCount {
            for n in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[n])
                map[next[i]] = n
                next[i] += 1
            }
        }
        itemToUserOrder = map
        rng = SeededGenerator(seed: seed)
        bu = [Double](repeating: 0, count: data.userCount)
        bi = [Double](repeating: 0, count: data.itemCount)
        var r = rng
        p = (0..<(data.userCount * k)).map { _ in r.nextNormal() * initialScale }
        q = (0..<(data.itemCount * k)).map { _ in r.nextNormal() * initialScale }
        rng = r
        muP = [Double](repeating: 0, count: k)
        lambdaP = [Double](repeating: 1, count: k)
        muQ = muP
        lambdaQ = lambdaP
        residual = [Double](repeating: 0, count: data.count)
        for u in 0..<data.userCount {
            for n in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[n])
                var dot = 0.0
                for f in 0..<k { dot += p[u * k + f] * q[i * k + f] }
                residual[n] = Double(data.byUser.values[n]) - dot
            }
        }
    }

    /// A draw from N(mean, 1 / precision).
    static func normal(mean: Double, precision: Double, _ rng: inout SeededGenerator) -> Double {
        mean + rng.nextNormal() / precision.squareRoot()
    }

    /// One Gibbs sweep over every parameter, then the hyperparameters and the noise precision.
    mutating func sweep() {
        let users = bu.count, items = bi.count, k = self.k, alpha = self.alpha
        // Move the arrays out of `self` so the loops below can hold pointers to them.
        var e = residual, p = self.p, q = self.q, bu = self.bu, bi = self.bi
        residual = []; self.p = []; self.q = []; self.bu = []; self.bi = []
        var rng = self.rng
        let userItems = byUser.indices, itemUsers = byItem.indices, toUserOrder = itemToUserOrder
        let userOffsets = byUser.offsets, itemOffsets = byItem.offsets
        e.withUnsafeMutableBufferPointer { e in
        p.withUnsafeMutableBufferPointer { p in
        q.withUnsafeMutableBufferPointer { q in
            // The global offset w0 (slope 1 in every rating), under a flat prior.
            var s = 0.0
            for n in 0..<e.count { s += e[n] + w0 }
            let w0New = Self.normal(mean: s / Double(e.count), precision: alpha * Double(e.count), &rng)
            for n in 0..<e.count { e[n] -= w0New - w0 }
            w0 = w0New

            // Users: the bias, then each factor, over the user's ratings (contiguous in `e`).
            for u in 0..<users {
                let range = userOffsets[u]..<userOffsets[u + 1]
                bu[u] = Self.draw(bu[u], mu: muBU, lambda: lambdaBU, alpha: alpha, &rng, e, range) { ($0, 1) }
                for f in 0..<k {
                    p[u * k + f] = Self.draw(p[u * k + f], mu: muP[f], lambda: lambdaP[f], alpha: alpha, &rng, e, range) { n in
                        (n, q[Int(userItems[n]) * k + f])
                    }
                }
            }
            // Items: the same over each item's ratings, whose residuals sit at `itemToUserOrder`.
            for i in 0..<items {
                let range = itemOffsets[i]..<itemOffsets[i + 1]
                bi[i] = Self.draw(bi[i], mu: muBI, lambda: lambdaBI, alpha: alpha, &rng, e, range) { (toUserOrder[$0], 1) }
                for f in 0..<k {
                    q[i * k + f] = Self.draw(q[i * k + f], mu: muQ[f], lambda: lambdaQ[f], alpha: alpha, &rng, e, range) { m in
                        (toUserOrder[m], p[Int(itemUsers[m]) * k + f])
                    }
                }
            }
            var sse = 0.0
            for n in 0..<e.count { sse += e[n] * e[n] }
            squaredError = sse
        }}}
        residual = e; self.p = p; self.q = q; self.bu = bu; self.bi = bi
        self.rng = rng
        (muBU, lambdaBU) = drawPrior(bu, mean: muBU)
        (muBI, lambdaBI) = drawPrior(bi, mean: muBI)
        for f in 0..<k {
            (muP[f], lambdaP[f]) = drawPrior((0..<users).map { p[$0 * k + f] }, mean: muP[f])
            (muQ[f], lambdaQ[f]) = drawPrior((0..<items).map { q[$0 * k + f] }, mean: muQ[f])
        }
        // Noise precision: Gamma(1 + n/2, 1 + sse/2).
        self.alpha = self.rng.nextGamma(shape: 1 + Double(residual.count) / 2, rate: 1 + squaredError / 2)
    }

    /// Draws one coordinate theta from its conditional posterior and updates the residuals of its ratings.
    ///
    /// `entry(j)` gives, for each j in `range`, the residual position of a rating theta enters and the slope
    /// d prediction / d theta there.
    @inline(__always)
    static func draw(_ theta: Double, mu: Double, lambda: Double, alpha: Double, _ rng: inout SeededGenerator,
                     _ e: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>, _ entry: (Int) -> (Int, Double)) -> Double {
        var hh = 0.0, he = 0.0
        for j in range {
            let (n, h) = entry(j)
            hh += h * h
            he += (e[n] + theta * h) * h
        }
        let precision = alpha * hh + lambda
        let new = normal(mean: (alpha * he + lambda * mu) / precision, precision: precision, &rng)
        let delta = new - theta
        for j in range {
            let (n, h) = entry(j)
            e[n] -= delta * h
        }
        return new
    }

    /// Draws the precision and then the mean of a group of parameters from their posterior under the Normal-Gamma
    /// hyperprior (prior mean 0 with weight gamma0 = 1, Gamma(1, 1) on the precision), as libFM does:
    ///
    ///     lambda ~ Gamma(1 + (n + 1) / 2, 1 + (sum (v - mu)^2 + mu^2) / 2)     (mu: the current mean)
    ///     mu     ~ N(sum v / (n + 1), 1 / ((n + 1) lambda))
    mutating func drawPrior(_ values: [Double], mean current: Double) -> (mu: Double, lambda: Double) {
        let n = Double(values.count)
        var sum = 0.0, ss = 0.0
        for v in values {
            sum += v
            ss += (v - current) * (v - current)
        }
        let lambda = rng.nextGamma(shape: 1 + (n + 1) / 2, rate: 1 + (ss + current * current) / 2)
        let mu = Self.normal(mean: sum / (n + 1), precision: (n + 1) * lambda, &rng)
        return (mu, lambda)
    }
}

extension BayesianMatrixFactorization: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...1000, "rank k of each sample"),
        .init("iterations", \.iterations, in: 1...100_000, "Gibbs sweeps in all"),
        .init("burn-in", \.burnIn, in: 0...100_000, "sweeps discarded before averaging"),
        .init("samples", \.keptSamples, in: 1...10_000, "samples stacked into the model's factors (k x samples columns)"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
    ]
}

extension ModelDescriptor {
    /// `bayesian-mf`: Bayesian biased MF by Gibbs sampling.
    public static let bayesianMF = ModelDescriptor(
        name: "bayesian-mf", summary: "Bayesian biased MF by Gibbs sampling: priors learn the regularization (as myFM)",
        task: .rating, defaults: BayesianMatrixFactorization.defaults)
}
