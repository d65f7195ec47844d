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
public typealias BayesianMatrixFactorization = GibbsFactorization<GibbsSampler>

/// A factor model trained by Gibbs sampling and averaged over its samples: `bayesian-mf`
/// (``BayesianMatrixFactorization``) and `bayesian-svdpp` (``BayesianSVDPlusPlus``), which differ only in their
/// sampler, `Chain`. The schedule, its hyperparameters and the averaging are written once here.
public struct GibbsFactorization<Chain: GibbsChain>: ModelConfiguration {
    /// The rank k of each sample.
    public var factors: Int
    /// Gibbs sweeps in all.
    public var iterations: Int
    /// Sweeps discarded before averaging.
    public var burnIn: Int
    /// How many of the samples after the burn-in are stacked into the model's factors (evenly spaced); the biases
    /// average every sample.
    public var keptSamples: Int
    /// The standard deviation of the initial factors (for `bayesian-svdpp`, of p and q; y and z start at zero).
    public var initialScale: Float
    /// For `bayesian-svdpp`: the number B of equal-width time bins over the training ratings' times, each with a bias
    /// and a factor vector (``TimeBinning``); 0 for none; nil (`auto`, the default) for ``automaticTimeBins`` when the
    /// ratings have times and none when they have not. Not a hyperparameter of `bayesian-mf`.
    public var timeBins: Int? = nil

    /// The bins of `time-bins=auto` on ratings with times, chosen on validation parts of MovieLens 100k (see the README).
    public static var automaticTimeBins: Int { 32 }

    /// The defaults, chosen on validation parts carved from MovieLens 100k's u1..u5.base (see the README).
    public static var defaults: Self { Self(factors: 6, iterations: 200, burnIn: 20, keptSamples: 180, initialScale: 0.1) }

    public static var parameters: [Hyperparameter<Self>] {
        [
            .init("factors", \.factors, in: 1...1000, "rank k of each sample"),
            .init("iterations", \.iterations, in: 1...100_000, "Gibbs sweeps in all"),
            .init("burn-in", \.burnIn, in: 0...100_000, "sweeps discarded before averaging"),
            .init("samples", \.keptSamples, in: 1...10_000, "samples stacked into the model's factors (k x samples columns)"),
            .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
            .init("time-bins", \.timeBins, in: 0...10_000, defaultText: "auto",
                  "equal-width time bins, each with a bias and factors (auto: \(automaticTimeBins) when the ratings have times, else none; 0: none)"),
        ]
    }

    /// The hyperparameters of this sampler: `time-bins` only for a chain that learns from times.
    public var declarations: [Hyperparameter<Self>] { Self.parameters.filter { Chain.learnsTimes || $0.name != "time-bins" } }

    /// Whether training reads the time of each rating when there is one: `time-bins` auto or above 0 (on a chain that
    /// has them).
    public var usesTimes: Bool { Chain.learnsTimes && timeBins != 0 }

    /// The time bins of `data`: none with `time-bins` 0, or `auto` on data without times; an error when a number of
    /// bins is asked for and `data` has no times.
    func timeBinning(_ data: RatingMatrix) throws -> TimeBinning? {
        guard usesTimes else { return nil }
        guard let times = data.times else {
            if let timeBins { throw TrainingError.missingTimes(bins: timeBins) }
            return nil
        }
        return TimeBinning(covering: times, count: timeBins ?? Self.automaticTimeBins)
    }

    /// Samples from the posterior given `data` and returns the averaged model.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> Chain.Model {
        try Chain.sample(self, data, context)
    }

    /// The sweeps whose factors are stacked: `keptSamples` evenly spaced over the sweeps after the burn-in.
    func keptSweeps() -> Set<Int> {
        let available = iterations - burnIn
        let s = min(keptSamples, available)
        guard s > 0 else { return [] }
        return Set((0..<s).map { burnIn + (available * ($0 + 1)) / s - 1 })
    }

    /// Runs `Sampler` for ``iterations`` sweeps, sums the samples after the burn-in and stacks the kept ones, and
    /// returns `model` of those sums. After each sweep a snapshot (when the context asks for one) is the model of the
    /// sums so far, or of the current sample alone before any is kept; the context may stop the chain there.
    func run<Sampler: GibbsSweeps>(_: Sampler.Type, _ data: RatingMatrix, _ context: TrainingContext,
                                   model: (GibbsAverages) -> Chain.Model) throws -> Chain.Model {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        guard iterations > burnIn else {
            throw TrainingError.invalidHyperparameter(name: "burn-in", value: "\(burnIn)", reason: "must be smaller than iterations (\(iterations))")
        }
        var sampler = Sampler(data, factors: factors, initialScale: Double(initialScale), seed: context.seed,
                              timeBins: try timeBinning(data))
        let kept = keptSweeps()
        var sums = GibbsAverages(rank: factors, samples: kept.count)
        for sweep in 0..<iterations {
            sampler.sweep()
            guard sampler.w0.isFinite, sampler.alpha.isFinite, sampler.squaredError.isFinite else {
                throw TrainingError.diverged(epoch: sweep + 1, learningRate: 0)
            }
            if sweep >= burnIn { sums.add(sampler, kept: kept.contains(sweep)) }
            func current() -> Chain.Model {
                guard sums.kept == 0 else { return model(sums) }
                var one = GibbsAverages(rank: factors, samples: 1)
                one.add(sampler, kept: true)
                return model(one)
            }
            if context.report(TrainingProgress(stage: "sweep", step: sweep + 1, total: iterations,
                                               loss: (sampler.squaredError / Double(data.count)).squareRoot()),
                              snapshot: current) {
                return current()
            }
        }
        return model(sums)
    }
}

/// The sampler of a ``GibbsFactorization``: it runs the chain and builds the averaged model.
public protocol GibbsChain {
    /// What the averaged samples make.
    associatedtype Model: Recommender
    /// Samples from the posterior given `data` with the schedule of `configuration`; returns the averaged model.
    static func sample(_ configuration: GibbsFactorization<Self>, _ data: RatingMatrix, _ context: TrainingContext) throws -> Model
    /// Whether the sampler has time-bin features (`time-bins`); false unless it says so.
    static var learnsTimes: Bool { get }
}

extension GibbsChain {
    public static var learnsTimes: Bool { false }
}

/// A Gibbs sampler as ``GibbsFactorization/run(_:_:_:model:)`` drives it.
protocol GibbsSweeps {
    init(_ data: RatingMatrix, factors k: Int, initialScale: Double, seed: UInt64, timeBins: TimeBinning?)
    /// The global offset, the noise precision, and the sum of squared residuals after the last sweep.
    var w0: Double { get }
    var alpha: Double { get }
    var squaredError: Double { get }
    /// One sweep over every parameter, then the priors and alpha.
    mutating func sweep()
    /// What is averaged over every sweep after the burn-in: user biases, item biases, then any others.
    func averagedParts() -> [[Double]]
    /// What is stacked for the kept sweeps, each row-major with k columns: user factors, item factors, then others.
    func stackedParts() -> [[Double]]
    /// What is averaged over the kept sweeps.
    func keptScalars() -> [Double]
}

/// The sums of a chain's samples after the burn-in.
struct GibbsAverages {
    /// The rank k of each sample, and how many samples are kept in all.
    let rank: Int, samples: Int
    /// The sweeps summed, and how many of them were kept.
    var sweeps = 0, kept = 0
    /// The sum of w0.
    var w0 = 0.0
    /// The sums of the sampler's averaged parts.
    var sums: [[Double]] = []
    /// The kept samples' stacked parts, sample t in columns t k ..< (t + 1) k, as drawn (not scaled).
    var stacks: [Matrix] = []
    /// The sums of the kept scalars.
    var scalars: [Double] = []

    mutating func add(_ sampler: some GibbsSweeps, kept isKept: Bool) {
        sweeps += 1
        w0 += sampler.w0
        let parts = sampler.averagedParts()
        if sums.isEmpty { sums = parts } else { for p in parts.indices { for j in parts[p].indices { sums[p][j] += parts[p][j] } } }
        guard isKept else { return }
        let stacked = sampler.stackedParts(), keptScalars = sampler.keptScalars()
        if stacks.isEmpty { stacks = stacked.map { Matrix(rows: $0.count / rank, columns: rank * samples) } }
        for (s, part) in stacked.enumerated() {
            for r in 0..<stacks[s].rows { for f in 0..<rank { stacks[s][r, kept * rank + f] = Float(part[r * rank + f]) } }
        }
        if scalars.isEmpty { scalars = keptScalars } else { for j in scalars.indices { scalars[j] += keptScalars[j] } }
        kept += 1
    }

    /// The mean of averaged part `p` over the summed sweeps.
    func mean(_ p: Int) -> [Float] { sums[p].map { Float($0 / Double(sweeps)) } }

    /// The mean of kept scalar `j` over the kept sweeps.
    func keptMean(_ j: Int) -> Float { Float(scalars[j] * (1 / Double(max(1, kept)))) }

    /// Stacked part `p` of the kept samples (k x kept columns); scaled by 1 / kept for the user side, so that its
    /// product with the unscaled item side is the mean of the samples' products.
    func stacked(_ p: Int, scaled: Bool) -> Matrix {
        let scale = scaled ? 1 / Float(max(1, kept)) : 1, columns = rank * kept, all = stacks[p]
        var m = Matrix(rows: all.rows, columns: columns)
        for r in 0..<all.rows { for c in 0..<columns { m.storage[r * columns + c] = all.storage[r * all.columns + c] * scale } }
        return m
    }

    /// The averaged factor model: mean w0 and biases (parts 0 and 1), the stacked user and item factors.
    func factorModel(_ name: String, _ data: RatingMatrix, _ context: TrainingContext, _ hyperparameters: Hyperparameters,
                     foldIn: FoldInRule) -> FactorModel {
        FactorModel(name: name, domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating),
                    hyperparameters: hyperparameters, globalMean: Float(w0 / Double(sweeps)), userBias: mean(0),
                    itemBias: mean(1), userFactors: stacked(0, scaled: true), itemFactors: stacked(1, scaled: false),
                    foldIn: foldIn)
    }
}

/// The mean and precision of one group's Gaussian prior, with its Normal-Gamma hyperprior.
struct GibbsPrior {
    var mu = 0.0, lambda = 1.0

    /// A draw of a parameter theta from N((alpha he + lambda mu) / precision, 1 / precision), precision =
    /// alpha hh + lambda, where hh = sum h^2 and he = sum (e + theta h) h over the ratings it enters with slope h.
    @inline(__always)
    func draw(alpha: Double, hh: Double, he: Double, _ rng: inout SeededGenerator) -> Double {
        let precision = alpha * hh + lambda
        return GibbsSampler.normal(mean: (alpha * he + lambda * mu) / precision, precision: precision, &rng)
    }

    /// Draws the precision and then the mean of the group `values` from their posterior under the Normal-Gamma
    /// hyperprior (prior mean 0 with weight gamma0 = 1, Gamma(1, 1) on the precision), as libFM does:
    ///
    ///     lambda ~ Gamma(1 + (n + 1) / 2, 1 + (sum (v - mu)^2 + mu^2) / 2)     (mu: the current mean)
    ///     mu     ~ N(sum v / (n + 1), 1 / ((n + 1) lambda))
    mutating func resample(_ values: [Double], _ rng: inout SeededGenerator) {
        let n = Double(values.count)
        var sum = 0.0, ss = 0.0
        for v in values {
            sum += v
            ss += (v - mu) * (v - mu)
        }
        lambda = rng.nextGamma(shape: 1 + (n + 1) / 2, rate: 1 + (ss + mu * mu) / 2)
        mu = GibbsSampler.normal(mean: sum / (n + 1), precision: (n + 1) * lambda, &rng)
    }
}

/// The Gibbs sampler of `bayesian-mf`: parameters, hyperparameters and the residual of every rating (in by-user
/// order).
public struct GibbsSampler: GibbsSweeps {
    let k: Int
    let byUser: SparseRows, byItem: SparseRows
    /// For each entry of `byItem`, its position in `byUser` (and in `residual`).
    let itemToUserOrder: [Int]
    var rng: SeededGenerator
    var w0 = 0.0, alpha = 1.0
    var bu: [Double], bi: [Double], p: [Double], q: [Double]
    var residual: [Double]
    /// The priors of the user biases, the item biases, and each factor dimension of users and of items.
    var priorBU = GibbsPrior(), priorBI = GibbsPrior(), priorP: [GibbsPrior], priorQ: [GibbsPrior]
    /// The sum of squared residuals after the last sweep.
    var squaredError = 0.0

    init(_ data: RatingMatrix, factors k: Int, initialScale: Double, seed: UInt64, timeBins _: TimeBinning? = nil) {
        self.k = k
        byUser = data.byUser
        byItem = data.byItem
        itemToUserOrder = Self.itemToUserOrder(data)
        bu = [Double](repeating: 0, count: data.userCount)
        bi = [Double](repeating: 0, count: data.itemCount)
        (p, q, rng) = Self.initialFactors(data, k, initialScale, seed)
        priorP = Array(repeating: GibbsPrior(), count: k)
        priorQ = priorP
        residual = Self.residuals(data, p, q, k)
    }

    /// Factors p and q drawn from N(0, initialScale^2) (users first), and the generator after them.
    static func initialFactors(_ data: RatingMatrix, _ k: Int, _ initialScale: Double, _ seed: UInt64)
        -> (p: [Double], q: [Double], rng: SeededGenerator) {
        var r = SeededGenerator(seed: seed)
        let p = (0..<(data.userCount * k)).map { _ in r.nextNormal() * initialScale }
        let q = (0..<(data.itemCount * k)).map { _ in r.nextNormal() * initialScale }
        return (p, q, r)
    }

    /// The residual r - p_u . q_i of every rating, in by-user order.
    static func residuals(_ data: RatingMatrix, _ p: [Double], _ q: [Double], _ k: Int) -> [Double] {
        var e = [Double](repeating: 0, count: data.count)
        for u in 0..<data.userCount {
            for n in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[n])
                var dot = 0.0
                for f in 0..<k { dot += p[u * k + f] * q[i * k + f] }
                e[n] = Double(data.byUser.values[n]) - dot
            }
        }
        return e
    }

    /// For each entry of `data.byItem`, its position in `data.byUser`.
    static func itemToUserOrder(_ data: RatingMatrix) -> [Int] {
        var next = Array(data.byItem.offsets.dropLast())
        var map = [Int](repeating: 0, count: data.count)
        for u in 0..<data.userCount {
            for n in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[n])
                map[next[i]] = n
                next[i] += 1
            }
        }
        return map
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
                bu[u] = Self.draw(bu[u], priorBU, alpha: alpha, &rng, e, range) { ($0, 1) }
                for f in 0..<k {
                    p[u * k + f] = Self.draw(p[u * k + f], priorP[f], alpha: alpha, &rng, e, range) { n in
                        (n, q[Int(userItems[n]) * k + f])
                    }
                }
            }
            // Items: the same over each item's ratings, whose residuals sit at `itemToUserOrder`.
            for i in 0..<items {
                let range = itemOffsets[i]..<itemOffsets[i + 1]
                bi[i] = Self.draw(bi[i], priorBI, alpha: alpha, &rng, e, range) { (toUserOrder[$0], 1) }
                for f in 0..<k {
                    q[i * k + f] = Self.draw(q[i * k + f], priorQ[f], alpha: alpha, &rng, e, range) { m in
                        (toUserOrder[m], p[Int(itemUsers[m]) * k + f])
                    }
                }
            }
            var sse = 0.0
            for n in 0..<e.count { sse += e[n] * e[n] }
            squaredError = sse
        }}}
        residual = e; self.p = p; self.q = q; self.bu = bu; self.bi = bi
        priorBU.resample(bu, &rng)
        priorBI.resample(bi, &rng)
        for f in 0..<k {
            priorP[f].resample((0..<users).map { p[$0 * k + f] }, &rng)
            priorQ[f].resample((0..<items).map { q[$0 * k + f] }, &rng)
        }
        // Noise precision: Gamma(1 + n/2, 1 + sse/2).
        self.alpha = rng.nextGamma(shape: 1 + Double(residual.count) / 2, rate: 1 + squaredError / 2)
        self.rng = rng
    }

    /// Draws one coordinate theta from its conditional posterior and updates the residuals of its ratings.
    ///
    /// `entry(j)` gives, for each j in `range`, the residual position of a rating theta enters and the slope
    /// d prediction / d theta there.
    @inline(__always)
    static func draw(_ theta: Double, _ prior: GibbsPrior, alpha: Double, _ rng: inout SeededGenerator,
                     _ e: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>, _ entry: (Int) -> (Int, Double)) -> Double {
        var hh = 0.0, he = 0.0
        for j in range {
            let (n, h) = entry(j)
            hh += h * h
            he += (e[n] + theta * h) * h
        }
        let new = prior.draw(alpha: alpha, hh: hh, he: he, &rng)
        let delta = new - theta
        for j in range {
            let (n, h) = entry(j)
            e[n] -= delta * h
        }
        return new
    }

    func averagedParts() -> [[Double]] { [bu, bi] }
    func stackedParts() -> [[Double]] { [p, q] }
    func keptScalars() -> [Double] { [] }
}

extension GibbsSampler: GibbsChain {
    public static func sample(_ configuration: BayesianMatrixFactorization, _ data: RatingMatrix,
                              _ context: TrainingContext) throws -> FactorModel {
        try configuration.run(Self.self, data, context) {
            $0.factorModel("bayesian-mf", data, context, configuration.hyperparameters, foldIn: .ridge(lambda: 0.05))
        }
    }
}

extension ModelDescriptor {
    /// `bayesian-mf`: Bayesian biased MF by Gibbs sampling.
    public static let bayesianMF = ModelDescriptor(
        name: "bayesian-mf", summary: "Bayesian biased MF by Gibbs sampling: priors learn the regularization (as myFM)",
        task: .rating, defaults: BayesianMatrixFactorization.defaults)
}
