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
/// Time bins (`time-bins` B > 0, off by default), as the day bins of Rendle, Zhang and Koren's Bayesian FM: each rating
/// falls into one of B equal-width bins t over the training times (``TimeBinning``), and each bin is one more FM
/// feature with a bias b_t and a factor vector T_t, which pairs with both sides:
///
///     r_uit ~ ... + b_t + U_u . I_i + T_t . U_u + T_t . I_i
///
/// b_t and each dimension of T have their own Normal-Gamma prior. The slope of p_uf (and s_u y_jf) becomes
/// I_if + T_tf, that of q_if (and t_i z_vf) U_uf + T_tf, and T_tf's own slope is U_uf + I_if; the draws are the same
/// Gaussian conditionals, O(k * ratings) per sweep more. The times come from ``RatingMatrix/times`` (the training
/// matrix is built with `keepingTimes` because ``GibbsFactorization/usesTimes`` says so); asking for bins without
/// times is an error. The averaged model is stored at the present, the last bin P: w0 + b_P, item factors I_i + T_P
/// and item biases + T_P . I_i, so that every prediction without a time (recommendations, fold-in, the service) is a
/// rating made now; a prediction with a time (evaluation, ``Recommender/rawPrediction(user:item:time:)``) adds the
/// difference to its own bin (``TimeEffects``). With B = 0 the chain, its draws and the model are those of the model
/// without time.
public typealias BayesianSVDPlusPlus = GibbsFactorization<ImplicitGibbsSampler>

/// The Gibbs sampler of ``BayesianSVDPlusPlus``: the two sides' parameters and priors, and the residual of every
/// rating (in by-user order).
public struct ImplicitGibbsSampler: GibbsSweeps {
    /// One side of the model, users or items, seen from its own rows. For the user side: b_u, the implicit weights
    /// c_j and factors y_j of the items (the other side's entities), p_u, and U_u = p_u + s_u sum_{j in N(u)} y_j;
    /// the item side is its mirror image (b_i, d_v, z_v, q_i, I_i).
    struct Side {
        /// The side's ratings by its own rows, and where each entry's residual sits in `e` (by-user order).
        let rows: SparseRows, position: [Int]
        /// s = |row|^-1/2 for each row.
        let scale: [Double]
        var bias: [Double], implicitWeights: [Double], factors: [Double], implicitFactors: [Double]
        /// The totals: own factors plus the scaled sum of the implicit factors of the row's entries, kept up to date.
        var total: [Double]
        var priorBias = GibbsPrior(), priorImplicit = GibbsPrior(), priorFactors: [GibbsPrior], priorImplicitFactors: [GibbsPrior]

        init(rows: SparseRows, position: [Int], otherCount: Int, factors: [Double], k: Int) {
            self.rows = rows
            self.position = position
            scale = (0..<rows.rowCount).map { 1 / Double(rows.count(of: $0)).squareRoot() }
            bias = [Double](repeating: 0, count: rows.rowCount)
            implicitWeights = [Double](repeating: 0, count: otherCount)
            self.factors = factors
            implicitFactors = [Double](repeating: 0, count: otherCount * k)
            total = factors
            priorFactors = Array(repeating: GibbsPrior(), count: k)
            priorImplicitFactors = priorFactors
        }

        /// The total biases of this sample: b_u + s_u sum_{j in N(u)} c_j for each row.
        func totalBias() -> [Double] {
            var total = bias
            for u in 0..<total.count {
                var s = 0.0
                for n in rows.range(of: u) { s += implicitWeights[Int(rows.indices[n])] }
                total[u] += scale[u] * s
            }
            return total
        }
    }

    /// The time-bin features: each rating's bin, the bins' biases b_t and factors T_t (B x k), and their priors.
    struct TimeSide {
        /// The bin of each rating, by residual position (by-user order).
        let bin: [Int32]
        /// The residual positions grouped by bin: bin b's are `order[offsets[b] ..< offsets[b + 1]]`.
        let offsets: [Int], order: [Int]
        /// The user of each residual position.
        let user: [Int32]
        var bias: [Double], factors: [Double]
        var priorBias = GibbsPrior(), priorFactors: [GibbsPrior]

        init(_ data: RatingMatrix, _ binning: TimeBinning, times: [Int64], k: Int) {
            bin = times.map { Int32(binning.bin(of: $0)) }
            var offsets = [Int](repeating: 0, count: binning.count + 1)
            for b in bin { offsets[Int(b) + 1] += 1 }
            for b in 0..<binning.count { offsets[b + 1] += offsets[b] }
            var next = offsets, order = [Int](repeating: 0, count: bin.count)
            for n in bin.indices {
                order[next[Int(bin[n])]] = n
                next[Int(bin[n])] += 1
            }
            self.offsets = offsets
            self.order = order
            user = data.triples().users
            bias = [Double](repeating: 0, count: binning.count)
            factors = [Double](repeating: 0, count: binning.count * k)
            priorFactors = Array(repeating: GibbsPrior(), count: k)
        }

        /// The slopes of the two sides' factors with these bins (I_if + T_tf for p_uf, U_uf + T_tf for q_if). (T laid
        /// out by rating would save a load but is 8k bytes a rating read out of order by the item side: slower.)
        var slopes: BinSlopes { BinSlopes(bin: bin, factors: factors, k: priorFactors.count) }
    }

    let k: Int
    var rng: SeededGenerator
    var w0 = 0.0, alpha = 1.0
    var users: Side, items: Side
    /// The time-bin features, or nil without them.
    var time: TimeSide?
    var e: [Double]
    /// The sum of squared residuals after the last sweep.
    var squaredError = 0.0

    init(_ data: RatingMatrix, factors k: Int, initialScale: Double, seed: UInt64, timeBins: TimeBinning? = nil) {
        self.k = k
        let (p, q, rng) = GibbsSampler.initialFactors(data, k, initialScale, seed)
        self.rng = rng
        users = Side(rows: data.byUser, position: Array(0..<data.count), otherCount: data.itemCount, factors: p, k: k)
        items = Side(rows: data.byItem, position: GibbsSampler.itemToUserOrder(data), otherCount: data.userCount, factors: q, k: k)
        if let timeBins, let times = data.times { time = TimeSide(data, timeBins, times: times, k: k) }
        e = GibbsSampler.residuals(data, p, q, k)
    }

    /// One Gibbs sweep: w0; the user side (b_u, c, p, y); the item side (b_i, d, q, z); the priors; alpha.
    mutating func sweep() {
        let k = self.k
        var s = 0.0
        for n in 0..<e.count { s += e[n] }
        let w0New = GibbsSampler.normal(mean: w0 + s / Double(e.count), precision: alpha * Double(e.count), &rng)
        for n in 0..<e.count { e[n] -= w0New - w0 }
        w0 = w0New
        if var time {
            let slopes = time.slopes
            Self.sweep(&users, other: items, slopes, &e, alpha: alpha, k: k, &rng)
            Self.sweep(&items, other: users, slopes, &e, alpha: alpha, k: k, &rng)
            Self.sweep(&time, users: users, items: items, &e, alpha: alpha, k: k, &rng)
            self.time = time
        } else {
            Self.sweep(&users, other: items, Timeless(), &e, alpha: alpha, k: k, &rng)
            Self.sweep(&items, other: users, Timeless(), &e, alpha: alpha, k: k, &rng)
        }

        var sse = 0.0
        for n in 0..<e.count { sse += e[n] * e[n] }
        squaredError = sse
        func column(_ values: [Double], _ f: Int) -> [Double] { (0..<(values.count / k)).map { values[$0 * k + f] } }
        users.priorBias.resample(users.bias, &rng)
        items.priorBias.resample(items.bias, &rng)
        users.priorImplicit.resample(users.implicitWeights, &rng)
        items.priorImplicit.resample(items.implicitWeights, &rng)
        for f in 0..<k {
            users.priorFactors[f].resample(column(users.factors, f), &rng)
            items.priorImplicitFactors[f].resample(column(items.implicitFactors, f), &rng)
            items.priorFactors[f].resample(column(items.factors, f), &rng)
            users.priorImplicitFactors[f].resample(column(users.implicitFactors, f), &rng)
        }
        if var time {
            time.priorBias.resample(time.bias, &rng)
            for f in 0..<k { time.priorFactors[f].resample(column(time.factors, f), &rng) }
            self.time = time
        }
        alpha = rng.nextGamma(shape: 1 + Double(e.count) / 2, rate: 1 + squaredError / 2)
    }

    /// The draws of the time bins: each b_t (slope 1 on the bin's ratings), then each T_tf (slope U_uf + I_if).
    static func sweep(_ time: inout TimeSide, users: Side, items: Side, _ e: inout [Double], alpha: Double, k: Int,
                      _ rng: inout SeededGenerator) {
        let itemOf = users.rows.indices, order = time.order, user = time.user, u = users.total, i = items.total
        // The slopes U_uf + I_if of one bin's ratings, dimension by dimension (k a rating).
        var h = [Double](repeating: 0, count: k * (zip(time.offsets.dropFirst(), time.offsets).map { $0 - $1 }.max() ?? 0))
        e.withUnsafeMutableBufferPointer { e in
            for b in 0..<time.bias.count {
                let range = time.offsets[b]..<time.offsets[b + 1], first = range.lowerBound
                time.bias[b] = GibbsSampler.draw(time.bias[b], time.priorBias, alpha: alpha, &rng, e, range) { (order[$0], 1) }
                for m in range {
                    let n = order[m], row = Int(user[n]) * k, column = Int(itemOf[n]) * k
                    for f in 0..<k { h[(m - first) * k + f] = u[row + f] + i[column + f] }
                }
                for f in 0..<k {
                    time.factors[b * k + f] = GibbsSampler.draw(time.factors[b * k + f], time.priorFactors[f], alpha: alpha, &rng, e, range) {
                        (order[$0], h[($0 - first) * k + f])
                    }
                }
            }
        }
    }

    /// The draws of one side, written for the user side: b_u, c_j, p_u, y_j (the item side is the mirror image,
    /// with `other` the user side). Residuals are read and written at `own.position`.
    static func sweep<Time: TimeSlopes>(_ own: inout Side, other: Side, _ time: Time, _ e: inout [Double], alpha: Double, k: Int,
                                        _ rng: inout SeededGenerator) {
        let rows = own.rows, otherRows = other.rows, at = own.position, su = own.scale
        let users = rows.rowCount, items = otherRows.rowCount
        // User biases (slope 1 on the user's ratings).
        for u in 0..<users {
            let range = rows.range(of: u)
            var he = 0.0
            for n in range { he += e[at[n]] + own.bias[u] }
            let new = own.priorBias.draw(alpha: alpha, hh: Double(range.count), he: he, &rng)
            for n in range { e[at[n]] -= new - own.bias[u] }
            own.bias[u] = new
        }
        // c_j: slope s_v on every rating of each user v who rated j, through the users' residual sums.
        var sums = [Double](repeating: 0, count: users), shift = [Double](repeating: 0, count: users)
        for v in 0..<users { for n in rows.range(of: v) { sums[v] += e[at[n]] } }
        for j in 0..<items {
            var hh = 0.0, he = 0.0
            for m in otherRows.range(of: j) {
                let v = Int(otherRows.indices[m]), h2 = su[v] * su[v] * Double(rows.count(of: v))
                hh += h2
                he += su[v] * sums[v] + own.implicitWeights[j] * h2
            }
            let delta = own.priorImplicit.draw(alpha: alpha, hh: hh, he: he, &rng) - own.implicitWeights[j]
            own.implicitWeights[j] += delta
            for m in otherRows.range(of: j) {
                let v = Int(otherRows.indices[m])
                sums[v] -= delta * su[v] * Double(rows.count(of: v))
                shift[v] += delta * su[v]
            }
        }
        for v in 0..<users { for n in rows.range(of: v) { e[at[n]] -= shift[v] } }
        // p_uf: slope I_if on the user's ratings.
        for u in 0..<users {
            let range = rows.range(of: u)
            for f in 0..<k {
                var hh = 0.0, he = 0.0
                let theta = own.factors[u * k + f]
                for n in range {
                    let h = time.slope(other.total[Int(rows.indices[n]) * k + f], at: at[n], f)
                    hh += h * h
                    he += (e[at[n]] + theta * h) * h
                }
                let delta = own.priorFactors[f].draw(alpha: alpha, hh: hh, he: he, &rng) - theta
                own.factors[u * k + f] += delta
                own.total[u * k + f] += delta
                for n in range { e[at[n]] -= delta * time.slope(other.total[Int(rows.indices[n]) * k + f], at: at[n], f) }
            }
        }
        // y_jf: slope s_v I_if on the ratings (v, i) of each user v who rated j, through G_vf and E_vf.
        var g = [Double](repeating: 0, count: users)
        for f in 0..<k {
            for v in 0..<users {
                var gv = 0.0, ev = 0.0
                for n in rows.range(of: v) {
                    let h = time.slope(other.total[Int(rows.indices[n]) * k + f], at: at[n], f)
                    gv += h * h
                    ev += h * e[at[n]]
                }
                g[v] = gv
                sums[v] = ev
                shift[v] = 0
            }
            for j in 0..<items {
                var hh = 0.0, he = 0.0
                let theta = own.implicitFactors[j * k + f]
                for m in otherRows.range(of: j) {
                    let v = Int(otherRows.indices[m]), h2 = su[v] * su[v] * g[v]
                    hh += h2
                    he += su[v] * sums[v] + theta * h2
                }
                let delta = own.priorImplicitFactors[f].draw(alpha: alpha, hh: hh, he: he, &rng) - theta
                own.implicitFactors[j * k + f] += delta
                for m in otherRows.range(of: j) {
                    let v = Int(otherRows.indices[m])
                    sums[v] -= delta * su[v] * g[v]
                    shift[v] += delta * su[v]
                }
            }
            for v in 0..<users where shift[v] != 0 {
                own.total[v * k + f] += shift[v]
                for n in rows.range(of: v) { e[at[n]] -= shift[v] * time.slope(other.total[Int(rows.indices[n]) * k + f], at: at[n], f) }
            }
        }
    }

    func averagedParts() -> [[Double]] { [users.totalBias(), items.totalBias(), users.implicitWeights] + (time.map { [$0.bias] } ?? []) }
    func stackedParts() -> [[Double]] { [users.total, items.total, users.implicitFactors] + (time.map { [$0.factors] } ?? []) }
    func keptScalars() -> [Double] { [users.priorBias.lambda / alpha] + users.priorFactors.map { $0.lambda / alpha } }
}

/// How the slopes of the two sides' factors depend on the time of a rating: not at all (``Timeless``, the model
/// without time bins, at no cost), or through the rating's bin vector (``BinSlopes``).
protocol TimeSlopes {
    /// The slope of a factor whose slope without time is `base`, on the rating at residual position `position`,
    /// dimension `f`.
    func slope(_ base: Double, at position: Int, _ f: Int) -> Double
}

/// No time bins: the slope is the other side's factor.
struct Timeless: TimeSlopes {
    @inline(__always) func slope(_ base: Double, at position: Int, _ f: Int) -> Double { base }
}

/// Time bins: the other side's factor plus the rating's bin factor T_tf.
struct BinSlopes: TimeSlopes {
    let bin: [Int32], factors: [Double], k: Int
    @inline(__always) func slope(_ base: Double, at position: Int, _ f: Int) -> Double { base + factors[Int(bin[position]) * k + f] }
}

extension ImplicitGibbsSampler: GibbsChain {
    public static var learnsTimes: Bool { true }

    public static func sample(_ configuration: BayesianSVDPlusPlus, _ data: RatingMatrix,
                              _ context: TrainingContext) throws -> ImplicitFactorModel {
        let binning = try configuration.timeBinning(data)
        // The model records the bins used (auto resolved).
        var used = configuration
        used.timeBins = binning?.count ?? 0
        return try configuration.run(Self.self, data, context) { a in
            var model = ImplicitFactorModel(
                averaged: a.factorModel("bayesian-svdpp", data, context, used.hyperparameters, foldIn: .ridge(lambda: 0)),
                rank: configuration.factors, implicitWeights: a.mean(2), implicitFactors: a.stacked(2, scaled: true),
                biasPrecision: a.keptMean(0), factorPrecision: (1...configuration.factors).map { a.keptMean($0) })
            if let binning { model.setTime(TimeEffects(binning: binning, bias: a.mean(3), factors: a.stacked(3, scaled: false))) }
            return model
        }
    }
}

extension ModelDescriptor {
    /// `bayesian-svdpp`: Bayesian factorization with implicit user and item groups by Gibbs sampling.
    public static let bayesianSVDPlusPlus = ModelDescriptor(
        name: "bayesian-svdpp",
        summary: "Bayesian MF with SVD++ implicit groups on both sides (flipped SVD++, as myFM) by Gibbs sampling",
        task: .rating, defaults: BayesianSVDPlusPlus.defaults)
}
