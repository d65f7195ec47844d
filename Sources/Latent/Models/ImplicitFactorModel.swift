/// A factor model whose users are also represented by the items they rated (SVD++'s implicit feedback), trained by
/// `svdpp` (one sample) and `bayesian-svdpp` (the kept Gibbs samples stacked side by side).
///
/// A training user u is scored as a ``FactorModel``: mu + B_u + B_i + U_u . I_i, with the implicit part already
/// inside U_u and B_u. What the model keeps besides is what a new user needs to be folded in from their ratings:
/// the implicit item weights c_j and factors y_j, and the ridge precisions of the bias and the factors.
public struct ImplicitFactorModel: Recommender {
    /// The averaged model: mu, the total biases B_u and B_i, and the user and item totals U and I (the samples of a
    /// Bayesian model stacked, S of them, the user rows scaled by 1 / S).
    public var averaged: FactorModel
    /// The rank k of each sample (the stacked factors have k x samples columns; one sample for `svdpp`).
    public var rank: Int
    /// The implicit weight c_j of each item (its mean over the samples; zero for `svdpp`, which has none).
    public var implicitWeights: [Float]
    /// The implicit factors y_j of the kept samples, stacked like the user factors (scaled by 1 / samples).
    public var implicitFactors: Matrix
    /// The ridge on a new user's bias: for `bayesian-svdpp` the mean prior precision of the user biases over the
    /// noise precision (lambda_b / alpha); for `svdpp` its bias regularization times the mean ratings per user.
    public var biasPrecision: Float
    /// The ridge on each dimension of a new user's factors p (k entries), the same way.
    public var factorPrecision: [Float]
    /// The time bins of `bayesian-svdpp` with `time-bins`, or nil. With them, ``averaged`` is the model at the
    /// present (the last bin) and a prediction at another time adds the difference (``TimeEffects``).
    public private(set) var time: TimeEffects?

    /// A model from its parts.
    public init(averaged: FactorModel, rank: Int, implicitWeights: [Float], implicitFactors: Matrix,
                biasPrecision: Float, factorPrecision: [Float]) {
        precondition(rank > 0 && averaged.factorCount % rank == 0 && factorPrecision.count == rank)
        precondition(implicitWeights.count == averaged.domain.items.count && implicitFactors.rows == averaged.domain.items.count)
        precondition(implicitFactors.columns == averaged.factorCount)
        self.averaged = averaged
        self.rank = rank
        self.implicitWeights = implicitWeights
        self.implicitFactors = implicitFactors
        self.biasPrecision = biasPrecision
        self.factorPrecision = factorPrecision
    }

    public var name: String { averaged.name }
    public var domain: ModelDomain { averaged.domain }
    public var hyperparameters: Hyperparameters {
        get { averaged.hyperparameters }
        set { averaged.hyperparameters = newValue }
    }

    public func rawPrediction(user: Int?, item: Int?) -> Float { averaged.rawPrediction(user: user, item: item) }

    /// The prediction at the bin of `time`: the prediction at the present plus, with P the last bin and t this one,
    ///
    ///     (b_t - b_P) + U_u . (T_t - T_P) + (1 / S) sum_s (T_t^s - T_P^s) . I_i^s
    ///
    /// (U scaled by 1 / S as stored, I_i the item's stacked factors without T_P); an unknown user or item adds nothing
    /// for its side.
    public func rawPrediction(user: Int?, item: Int?, time: Int64?) -> Float {
        let base = averaged.rawPrediction(user: user, item: item)
        guard let time, let t = self.time else { return base }
        let bin = t.binning.bin(of: time), present = t.binning.count - 1
        guard bin != present else { return base }
        let width = averaged.factorCount, samples = Double(width / rank)
        var change = Double(t.bias[bin] - t.bias[present])
        for x in 0..<width {
            let d = Double(t.factors[bin, x] - t.factors[present, x])
            if let user { change += Double(averaged.userFactors[user, x]) * d }
            if let item { change += Double(averaged.itemFactors[item, x] - t.factors[present, x]) * d / samples }
        }
        return base + Float(change)
    }

    /// Adds the time bins `t` to a model without them, averaged over all times: the present (last) bin P goes into the
    /// averaged model (w0 += b_P, I_i += T_P, B_i += (1 / S) sum_s T_P^s . I_i^s).
    public mutating func setTime(_ t: TimeEffects) {
        precondition(time == nil && t.factors.rows == t.binning.count && t.factors.columns == averaged.factorCount)
        let present = t.binning.count - 1, width = averaged.factorCount, samples = Double(width / rank)
        averaged.globalMean += t.bias[present]
        var factors = averaged.itemFactors
        for i in 0..<factors.rows {
            var dot = 0.0
            for x in 0..<width {
                dot += Double(t.factors[present, x]) * Double(factors[i, x])
                factors.storage[i * width + x] += t.factors[present, x]
            }
            averaged.itemBias[i] += Float(dot / samples)
        }
        averaged.itemFactors = factors
        time = t
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        averaged.scoreItems(user: user, into: &scores)
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        let (bias, vector) = foldIn(ratings)
        averaged.score(vector: vector, offset: averaged.globalMean + bias, into: &scores)
    }

    /// The bias and stacked factor vector of a new user with the given ratings:
    ///
    ///     implicit part:  b = s sum_j c_j,  U = s sum_j y_j           (s = n^-1/2 over the n rated items)
    ///     residuals:      e_j = r_j - w0 - B_j - b - U . I_j
    ///     bias:           b += sum e_j / (n + lambda_b / alpha),  e_j -= that
    ///     each sample t:  (sum_j I_j^t I_j^t^T + diag(lambda_P / alpha)) p^t = sum_j I_j^t e_j,  U^t += p^t / S
    public func foldIn(_ ratings: [(item: Int, value: Float)]) -> (bias: Float, factors: [Float]) {
        let width = averaged.factorCount, k = rank, samples = width / rank
        var vector = [Double](repeating: 0, count: width)
        guard !ratings.isEmpty else { return (0, vector.map { Float($0) }) }
        let s = 1 / Double(ratings.count).squareRoot()
        var bias = 0.0
        for (j, _) in ratings {
            bias += s * Double(implicitWeights[j])
            for x in 0..<width { vector[x] += s * Double(implicitFactors[j, x]) }
        }
        var e = ratings.map { (j, r) -> Double in
            var dot = 0.0
            for x in 0..<width { dot += vector[x] * Double(averaged.itemFactors[j, x]) }
            return Double(r - averaged.globalMean - averaged.itemBias[j]) - bias - dot
        }
        let shift = e.reduce(0, +) / (Double(e.count) + Double(biasPrecision))
        bias += shift
        for n in e.indices { e[n] -= shift }
        for t in 0..<samples {
            var equations = NormalEquations(dimension: k)
            averaged.itemFactors.storage.withUnsafeBufferPointer { q in
                for (n, (j, _)) in ratings.enumerated() { equations.add(q.baseAddress! + j * width + t * k, target: e[n]) }
            }
            for x in 0..<k { equations.a[x * k + x] += Double(factorPrecision[x]) + 1e-9 }
            guard let p = equations.solve() else { continue }
            for x in 0..<k { vector[t * k + x] += p[x] / Double(samples) }
        }
        return (Float(bias), vector.map { Float($0) })
    }

    public var itemVectors: Matrix? { averaged.itemVectors }
    public var userVectors: Matrix? { averaged.userVectors }

    /// The stacked factor vector of the fold-in (``foldIn(_:)``), the one its scores use.
    public func userVector(foldingIn ratings: [(item: Int, value: Float)]) -> [Float]? {
        averaged.factorCount > 0 ? foldIn(ratings).factors : nil
    }

    /// The archive kind of implicit factor models.
    public static let archiveKind = "implicit-factors"

    public func archive() -> ModelArchive {
        var a = averaged.archive()
        a.kind = Self.archiveKind
        a.int64s["rank"] = [Int64(rank)]
        a.floats["implicit.weights"] = implicitWeights
        a.setMatrix(implicitFactors, as: "implicit.factors")
        a.floats["fold_in.precision"] = [biasPrecision] + factorPrecision
        if let time {
            a.int64s["time.bins"] = [time.binning.start, time.binning.width, Int64(time.binning.count)]
            a.floats["time.bias"] = time.bias
            a.setMatrix(time.factors, as: "time.factors")
        }
        return a
    }

    /// Reads a model written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let averaged = try FactorModel(archive: a)
        let rank = try a.int64s("rank")
        guard rank.count == 1, rank[0] > 0, averaged.factorCount % Int(rank[0]) == 0,
              averaged.itemBias.count == averaged.domain.items.count
        else { throw ModelFileError.inconsistent("the rank does not divide the stacked factors") }
        let k = Int(rank[0])
        let weights = try a.floats("implicit.weights", count: averaged.domain.items.count)
        let y = try a.matrix("implicit.factors")
        let precision = try a.floats("fold_in.precision", count: k + 1)
        guard y.rows == averaged.domain.items.count, y.columns == averaged.factorCount else {
            throw ModelFileError.inconsistent("the implicit factors do not match the items")
        }
        self.init(averaged: averaged, rank: k, implicitWeights: weights, implicitFactors: y,
                  biasPrecision: precision[0], factorPrecision: Array(precision.dropFirst()))
        // Files written before time bins (and models without them) have no `time.` arrays.
        guard let bins = a.int64s["time.bins"] else { return }
        guard bins.count == 3, bins[1] > 0, (1...10_000).contains(bins[2]) else { throw ModelFileError.inconsistent("bad time bins") }
        let binning = TimeBinning(start: bins[0], width: bins[1], count: Int(bins[2]))
        let bias = try a.floats("time.bias", count: binning.count)
        let factors = try a.matrix("time.factors")
        guard factors.rows == binning.count, factors.columns == averaged.factorCount else {
            throw ModelFileError.inconsistent("the time-bin factors do not match the bins and the factors")
        }
        time = TimeEffects(binning: binning, bias: bias, factors: factors)
    }
}

/// Equal-width time bins over the training ratings' times: bin b holds the times in [start + b width,
/// start + (b + 1) width); a time before the first bin falls into bin 0, one after the last into the last bin (the
/// present). Equal width rather than one bin a day keeps B a small hyperparameter whatever the data's time span.
public struct TimeBinning: Sendable, Equatable {
    /// The first bin's start (seconds since 1970), each bin's width in seconds (at least 1), and the number of bins.
    public let start: Int64, width: Int64, count: Int

    /// Bins from their parts.
    public init(start: Int64, width: Int64, count: Int) {
        precondition(width > 0 && count > 0)
        self.start = start
        self.width = width
        self.count = count
    }

    /// `count` bins of equal width covering the earliest to the latest of `times` (width (max - min) / count + 1
    /// seconds, so the latest time falls into the last bin's range).
    public init(covering times: [Int64], count: Int) {
        let lo = times.min() ?? 0, hi = times.max() ?? 0
        // hi - lo as an unsigned number is exact for any two Int64.
        let span = UInt64(bitPattern: hi &- lo)
        self.init(start: lo, width: Int64(min(UInt64(Int64.max), span / UInt64(count) + 1)), count: count)
    }

    /// The bin of `time`, clamped to 0 ..< count.
    public func bin(of time: Int64) -> Int {
        guard time > start else { return 0 }
        return Int(min(UInt64(count - 1), UInt64(bitPattern: time &- start) / UInt64(width)))
    }
}

/// What the time bins add to an ``ImplicitFactorModel`` (`bayesian-svdpp` with `time-bins`): the bins, the mean bias
/// b_t of each, and the kept samples' factors T_t stacked like the item factors (unscaled, one row per bin).
public struct TimeEffects: Sendable, Equatable {
    /// The bins.
    public var binning: TimeBinning
    /// The mean bias b_t of each bin over the sweeps after the burn-in.
    public var bias: [Float]
    /// T_t of each kept sample side by side (bins x k samples), not scaled.
    public var factors: Matrix
}
