/// Bayesian factorization with implicit feedback (`bayesian-svdpp`): the "flipped SVD++" Bayesian factorization
/// machine of Rendle, Zhang and Koren (2019) and myFM, sampled by Gibbs sampling.
///
/// Besides the user and the item, every rating (u, i) carries two implicit groups of features: the normalized
/// indicator of all items u rated, N(u), with weights s_u = |N(u)|^-1/2, and of all users who rated i, R(i), with
/// weights t_i = |R(i)|^-1/2. The prediction pairs the user side with the item side:
///
///     r_ui ~ w0 + b_u + b_i + s_u sum_{j in N(u)} c_j + t_i sum_{v in R(i)} d_v + U_u . I_i
///     U_u = p_u + s_u sum_{j in N(u)} y_j        (SVD++'s user: own factors plus the items they rated)
///     I_i = q_i + t_i sum_{v in R(i)} z_v        (the flipped side: own factors plus the users who rated it)
///
/// with Gaussian noise of precision alpha. Each of the eight groups (b_u, b_i, c, d, and each factor dimension of p,
/// q, y, z) has its own Gaussian prior whose mean and precision get a Normal-Gamma hyperprior, as in libFM and myFM;
/// the interactions within one side (p_u . y_j, y_j . y_j') are left out: they depend on the user alone and so act as
/// a user bias, which b_u already is.
///
/// Every parameter enters every rating linearly, so each sweep draws it from its Gaussian conditional as in
/// ``BayesianMatrixFactorization`` (precision alpha sum h^2 + lambda, mean from sum (e + theta h) h). The implicit
/// parameters touch many ratings (y_j enters every rating of every user who rated j), but only through per-user
/// sums: for dimension f, with G_vf = sum_{i in N(v)} I_if^2 and E_vf = sum_{i in N(v)} I_if e_vi,
///
///     sum h^2 = sum_{v in R(j)} s_v^2 G_vf        sum (e + y_jf h) h = sum_{v in R(j)} (s_v E_vf + y_jf s_v^2 G_vf)
///
/// and a change delta of y_jf moves E_vf by -delta s_v G_vf; the residuals are brought up to date once per dimension
/// (e_vi -= Delta U_vf I_if). A sweep thus costs O(k * ratings), like plain Bayesian MF. The same holds for c (with
/// G_v = |N(v)|, E_v = sum of v's residuals) and, item by item, for d and z.
///
/// The model averages the samples after the burn-in: the total biases B_u = b_u + s_u sum c_j and
/// B_i = b_i + t_i sum d_v directly; the products U_u . I_i by stacking the kept samples into one wider
/// ``FactorModel`` (as `bayesian-mf` does). A new user (fold-in) is represented by their ratings twice: their items give
/// the implicit part s sum y_j and s sum c_j from the kept samples, and the residuals left by it give a bias and, per
/// sample, factors p by ridge regression with the posterior's mean prior precisions (lambda / alpha).
///
/// Time-bin features are not part of this model: ``RatingMatrix`` does not carry timestamps.
public struct BayesianSVDPlusPlus: Sendable {
    /// The rank k of each sample.
    public var factors: Int
    /// Gibbs sweeps in all.
    public var iterations: Int
    /// Sweeps discarded before averaging.
    public var burnIn: Int
    /// How many of the samples after the burn-in are stacked into the model's factors (evenly spaced); the biases
    /// average every sample.
    public var keptSamples: Int
    /// The standard deviation of the initial factors p and q (y and z start at zero).
    public var initialScale: Float

    /// The defaults, chosen on validation parts carved from MovieLens 100k's u1..u5.base (see the README).
    public static let defaults = BayesianSVDPlusPlus(factors: 6, iterations: 200, burnIn: 20, keptSamples: 180, initialScale: 0.1)

    /// Samples from the posterior given `data` and returns the averaged model.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> ImplicitFactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        guard iterations > burnIn else {
            throw TrainingError.invalidHyperparameter(name: "burn-in", value: "\(burnIn)", reason: "must be smaller than iterations (\(iterations))")
        }
        let kept = keptSweeps()
        var sampler = ImplicitGibbsSampler(data, factors: factors, initialScale: Double(initialScale), seed: context.seed)
        let k = factors, users = data.userCount, items = data.itemCount
        var w0Sum = 0.0
        var buSum = [Double](repeating: 0, count: users), biSum = [Double](repeating: 0, count: items)
        var cSum = [Double](repeating: 0, count: items)
        var uStack: [[Double]] = [], iStack: [[Double]] = [], yStack: [[Double]] = []
        var biasPrecision = 0.0, factorPrecision = [Double](repeating: 0, count: k)
        for sweep in 0..<iterations {
            sampler.sweep()
            guard sampler.w0.isFinite, sampler.alpha.isFinite, sampler.squaredError.isFinite else {
                throw TrainingError.diverged(epoch: sweep + 1, learningRate: 0)
            }
            if sweep >= burnIn {
                w0Sum += sampler.w0
                let (bu, bi) = sampler.totalBiases()
                for u in 0..<users { buSum[u] += bu[u] }
                for i in 0..<items { biSum[i] += bi[i]; cSum[i] += sampler.c[i] }
            }
            if kept.contains(sweep) {
                uStack.append(sampler.userTotal)
                iStack.append(sampler.itemTotal)
                yStack.append(sampler.y)
                biasPrecision += sampler.priorBU.lambda / sampler.alpha
                for f in 0..<k { factorPrecision[f] += sampler.priorP[f].lambda / sampler.alpha }
            }
            context.report(TrainingProgress(stage: "sweep", step: sweep + 1, total: iterations,
                                            loss: (sampler.squaredError / Double(data.count)).squareRoot()))
        }
        let n = Double(iterations - burnIn), s = uStack.count
        // Row u is [U_u^1, ..., U_u^S] / S and row i is [I_i^1, ..., I_i^S], so their product averages the samples.
        var uMatrix = Matrix(rows: users, columns: k * s), iMatrix = Matrix(rows: items, columns: k * s)
        var yMatrix = Matrix(rows: items, columns: k * s)
        let scale = 1 / Double(max(1, s))
        for t in 0..<s {
            for u in 0..<users { for f in 0..<k { uMatrix[u, t * k + f] = Float(uStack[t][u * k + f] * scale) } }
            for i in 0..<items {
                for f in 0..<k {
                    iMatrix[i, t * k + f] = Float(iStack[t][i * k + f])
                    yMatrix[i, t * k + f] = Float(yStack[t][i * k + f] * scale)
                }
            }
        }
        let averaged = FactorModel(
            name: "bayesian-svdpp", domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating),
            hyperparameters: hyperparameters, globalMean: Float(w0Sum / n), userBias: buSum.map { Float($0 / n) },
            itemBias: biSum.map { Float($0 / n) }, userFactors: uMatrix, itemFactors: iMatrix, foldIn: .ridge(lambda: 0))
        return ImplicitFactorModel(
            averaged: averaged, rank: k, implicitWeights: cSum.map { Float($0 / n) }, implicitFactors: yMatrix,
            biasPrecision: Float(biasPrecision * scale), factorPrecision: factorPrecision.map { Float($0 * scale) })
    }
}

/// The Gibbs sampler of ``BayesianSVDPlusPlus``: parameters, their priors, the user and item totals U and I, and the
/// residual of every rating (in by-user order).
struct ImplicitGibbsSampler {
    /// The mean and precision of one group's Gaussian prior.
    struct Prior { var mu = 0.0, lambda = 1.0 }

    let k: Int
    let byUser: SparseRows, byItem: SparseRows
    /// For each entry of `byItem`, its position in `byUser` (and in `e`).
    let toUserOrder: [Int]
    /// s_u = |N(u)|^-1/2 and t_i = |R(i)|^-1/2.
    let su: [Double], ti: [Double]
    var rng: SeededGenerator
    var w0 = 0.0, alpha = 1.0
    var bu: [Double], bi: [Double], c: [Double], d: [Double]
    var p: [Double], q: [Double], y: [Double], z: [Double]
    /// U_u = p_u + s_u sum y_j and I_i = q_i + t_i sum z_v, kept up to date.
    var userTotal: [Double], itemTotal: [Double]
    var e: [Double]
    var priorBU = Prior(), priorBI = Prior(), priorC = Prior(), priorD = Prior()
    var priorP: [Prior], priorQ: [Prior], priorY: [Prior], priorZ: [Prior]
    /// The sum of squared residuals after the last sweep.
    var squaredError = 0.0

    init(_ data: RatingMatrix, factors k: Int, initialScale: Double, seed: UInt64) {
        self.k = k
        byUser = data.byUser
        byItem = data.byItem
        toUserOrder = GibbsSampler.itemToUserOrder(data)
        su = (0..<data.userCount).map { 1 / Double(data.byUser.count(of: $0)).squareRoot() }
        ti = (0..<data.itemCount).map { 1 / Double(data.byItem.count(of: $0)).squareRoot() }
        var r = SeededGenerator(seed: seed)
        p = (0..<(data.userCount * k)).map { _ in r.nextNormal() * initialScale }
        q = (0..<(data.itemCount * k)).map { _ in r.nextNormal() * initialScale }
        rng = r
        bu = [Double](repeating: 0, count: data.userCount)
        d = bu
        bi = [Double](repeating: 0, count: data.itemCount)
        c = bi
        y = [Double](repeating: 0, count: q.count)
        z = [Double](repeating: 0, count: p.count)
        userTotal = p
        itemTotal = q
        priorP = Array(repeating: Prior(), count: k)
        priorQ = priorP
        priorY = priorP
        priorZ = priorP
        e = [Double](repeating: 0, count: data.count)
        for u in 0..<data.userCount {
            for n in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[n])
                var dot = 0.0
                for f in 0..<k { dot += p[u * k + f] * q[i * k + f] }
                e[n] = Double(data.byUser.values[n]) - dot
            }
        }
    }

    /// A draw of a parameter theta from N((alpha he + lambda mu) / precision, 1 / precision), precision =
    /// alpha hh + lambda, where hh = sum h^2 and he = sum (e + theta h) h over the ratings it enters with slope h.
    @inline(__always)
    mutating func draw(_ prior: Prior, hh: Double, he: Double) -> Double {
        let precision = alpha * hh + prior.lambda
        return GibbsSampler.normal(mean: (alpha * he + prior.lambda * prior.mu) / precision, precision: precision, &rng)
    }

    /// The total biases of this sample: B_u = b_u + s_u sum_{j in N(u)} c_j and B_i = b_i + t_i sum_{v in R(i)} d_v.
    func totalBiases() -> (users: [Double], items: [Double]) {
        var users = bu, items = bi
        for u in 0..<users.count {
            var s = 0.0
            for n in byUser.range(of: u) { s += c[Int(byUser.indices[n])] }
            users[u] += su[u] * s
        }
        for i in 0..<items.count {
            var s = 0.0
            for m in byItem.range(of: i) { s += d[Int(byItem.indices[m])] }
            items[i] += ti[i] * s
        }
        return (users, items)
    }

    /// One Gibbs sweep: w0; the user side (b_u, c, p, y); the item side (b_i, d, q, z); the priors; alpha.
    mutating func sweep() {
        let users = bu.count, items = bi.count, k = self.k
        var s = 0.0
        for n in 0..<e.count { s += e[n] }
        let w0New = GibbsSampler.normal(mean: w0 + s / Double(e.count), precision: alpha * Double(e.count), &rng)
        for n in 0..<e.count { e[n] -= w0New - w0 }
        w0 = w0New

        // User biases (slope 1 on the user's ratings).
        for u in 0..<users {
            let range = byUser.range(of: u)
            var he = 0.0
            for n in range { he += e[n] + bu[u] }
            let new = draw(priorBU, hh: Double(range.count), he: he)
            for n in range { e[n] -= new - bu[u] }
            bu[u] = new
        }
        // c_j: slope s_v on every rating of each user v who rated j, through the users' residual sums.
        var sums = [Double](repeating: 0, count: users), shift = [Double](repeating: 0, count: users)
        for v in 0..<users { for n in byUser.range(of: v) { sums[v] += e[n] } }
        for j in 0..<items {
            var hh = 0.0, he = 0.0
            for m in byItem.range(of: j) {
                let v = Int(byItem.indices[m]), h2 = su[v] * su[v] * Double(byUser.count(of: v))
                hh += h2
                he += su[v] * sums[v] + c[j] * h2
            }
            let delta = draw(priorC, hh: hh, he: he) - c[j]
            c[j] += delta
            for m in byItem.range(of: j) {
                let v = Int(byItem.indices[m])
                sums[v] -= delta * su[v] * Double(byUser.count(of: v))
                shift[v] += delta * su[v]
            }
        }
        for v in 0..<users { for n in byUser.range(of: v) { e[n] -= shift[v] } }
        // p_uf: slope I_if on the user's ratings.
        for u in 0..<users {
            let range = byUser.range(of: u)
            for f in 0..<k {
                var hh = 0.0, he = 0.0
                let theta = p[u * k + f]
                for n in range {
                    let h = itemTotal[Int(byUser.indices[n]) * k + f]
                    hh += h * h
                    he += (e[n] + theta * h) * h
                }
                let delta = draw(priorP[f], hh: hh, he: he) - theta
                p[u * k + f] += delta
                userTotal[u * k + f] += delta
                for n in range { e[n] -= delta * itemTotal[Int(byUser.indices[n]) * k + f] }
            }
        }
        // y_jf: slope s_v I_if on the ratings (v, i) of each user v who rated j, through G_vf and E_vf.
        var g = [Double](repeating: 0, count: users)
        for f in 0..<k {
            for v in 0..<users {
                var gv = 0.0, ev = 0.0
                for n in byUser.range(of: v) {
                    let h = itemTotal[Int(byUser.indices[n]) * k + f]
                    gv += h * h
                    ev += h * e[n]
                }
                g[v] = gv
                sums[v] = ev
                shift[v] = 0
            }
            for j in 0..<items {
                var hh = 0.0, he = 0.0
                let theta = y[j * k + f]
                for m in byItem.range(of: j) {
                    let v = Int(byItem.indices[m]), h2 = su[v] * su[v] * g[v]
                    hh += h2
                    he += su[v] * sums[v] + theta * h2
                }
                let delta = draw(priorY[f], hh: hh, he: he) - theta
                y[j * k + f] += delta
                for m in byItem.range(of: j) {
                    let v = Int(byItem.indices[m])
                    sums[v] -= delta * su[v] * g[v]
                    shift[v] += delta * su[v]
                }
            }
            for v in 0..<users where shift[v] != 0 {
                userTotal[v * k + f] += shift[v]
                for n in byUser.range(of: v) { e[n] -= shift[v] * itemTotal[Int(byUser.indices[n]) * k + f] }
            }
        }

        // The item side, the mirror image: residuals of item i's ratings sit at toUserOrder.
        for i in 0..<items {
            let range = byItem.range(of: i)
            var he = 0.0
            for m in range { he += e[toUserOrder[m]] + bi[i] }
            let new = draw(priorBI, hh: Double(range.count), he: he)
            for m in range { e[toUserOrder[m]] -= new - bi[i] }
            bi[i] = new
        }
        var itemSums = [Double](repeating: 0, count: items), itemShift = [Double](repeating: 0, count: items)
        for i in 0..<items { for m in byItem.range(of: i) { itemSums[i] += e[toUserOrder[m]] } }
        for v in 0..<users {
            var hh = 0.0, he = 0.0
            for n in byUser.range(of: v) {
                let i = Int(byUser.indices[n]), h2 = ti[i] * ti[i] * Double(byItem.count(of: i))
                hh += h2
                he += ti[i] * itemSums[i] + d[v] * h2
            }
            let delta = draw(priorD, hh: hh, he: he) - d[v]
            d[v] += delta
            for n in byUser.range(of: v) {
                let i = Int(byUser.indices[n])
                itemSums[i] -= delta * ti[i] * Double(byItem.count(of: i))
                itemShift[i] += delta * ti[i]
            }
        }
        for i in 0..<items { for m in byItem.range(of: i) { e[toUserOrder[m]] -= itemShift[i] } }
        for i in 0..<items {
            let range = byItem.range(of: i)
            for f in 0..<k {
                var hh = 0.0, he = 0.0
                let theta = q[i * k + f]
                for m in range {
                    let h = userTotal[Int(byItem.indices[m]) * k + f]
                    hh += h * h
                    he += (e[toUserOrder[m]] + theta * h) * h
                }
                let delta = draw(priorQ[f], hh: hh, he: he) - theta
                q[i * k + f] += delta
                itemTotal[i * k + f] += delta
                for m in range { e[toUserOrder[m]] -= delta * userTotal[Int(byItem.indices[m]) * k + f] }
            }
        }
        var gi = [Double](repeating: 0, count: items)
        for f in 0..<k {
            for i in 0..<items {
                var gs = 0.0, es = 0.0
                for m in byItem.range(of: i) {
                    let h = userTotal[Int(byItem.indices[m]) * k + f]
                    gs += h * h
                    es += h * e[toUserOrder[m]]
                }
                gi[i] = gs
                itemSums[i] = es
                itemShift[i] = 0
            }
            for v in 0..<users {
                var hh = 0.0, he = 0.0
                let theta = z[v * k + f]
                for n in byUser.range(of: v) {
                    let i = Int(byUser.indices[n]), h2 = ti[i] * ti[i] * gi[i]
                    hh += h2
                    he += ti[i] * itemSums[i] + theta * h2
                }
                let delta = draw(priorZ[f], hh: hh, he: he) - theta
                z[v * k + f] += delta
                for n in byUser.range(of: v) {
                    let i = Int(byUser.indices[n])
                    itemSums[i] -= delta * ti[i] * gi[i]
                    itemShift[i] += delta * ti[i]
                }
            }
            for i in 0..<items where itemShift[i] != 0 {
                itemTotal[i * k + f] += itemShift[i]
                for m in byItem.range(of: i) {
                    e[toUserOrder[m]] -= itemShift[i] * userTotal[Int(byItem.indices[m]) * k + f]
                }
            }
        }

        var sse = 0.0
        for n in 0..<e.count { sse += e[n] * e[n] }
        squaredError = sse
        func prior(_ values: [Double], _ current: Prior) -> Prior {
            let (mu, lambda) = GibbsSampler.drawPrior(values, mean: current.mu, &rng)
            return Prior(mu: mu, lambda: lambda)
        }
        priorBU = prior(bu, priorBU)
        priorBI = prior(bi, priorBI)
        priorC = prior(c, priorC)
        priorD = prior(d, priorD)
        for f in 0..<k {
            priorP[f] = prior((0..<users).map { p[$0 * k + f] }, priorP[f])
            priorZ[f] = prior((0..<users).map { z[$0 * k + f] }, priorZ[f])
            priorQ[f] = prior((0..<items).map { q[$0 * k + f] }, priorQ[f])
            priorY[f] = prior((0..<items).map { y[$0 * k + f] }, priorY[f])
        }
        alpha = rng.nextGamma(shape: 1 + Double(e.count) / 2, rate: 1 + squaredError / 2)
    }
}

extension BayesianSVDPlusPlus: GibbsSampling {
    public static let parameters = gibbsParameters
}

extension ModelDescriptor {
    /// `bayesian-svdpp`: Bayesian factorization with implicit user and item groups by Gibbs sampling.
    public static let bayesianSVDPlusPlus = ModelDescriptor(
        name: "bayesian-svdpp",
        summary: "Bayesian MF with SVD++ implicit groups on both sides (flipped SVD++, as myFM) by Gibbs sampling",
        task: .rating, defaults: BayesianSVDPlusPlus.defaults)
}
