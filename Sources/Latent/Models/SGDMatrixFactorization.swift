/// Matrix factorization by stochastic gradient descent, with or without biases (the course notes' `sgd-mf` and
/// `biased-mf`).
///
/// One observed rating at a time, in a seeded shuffled order, with e = r - prediction:
///
///     b_u += gamma (e - lambda_ub b_u)          b_i += gamma (e - lambda_ib b_i)
///     p_u += gamma (e q_i - lambda_P p_u)        q_i += gamma (e p_u - lambda_Q q_i)
///
/// (both factor updates use the values from before the step). The learning rate gamma is multiplied by `decay`
/// after every epoch. Factors start as small normal draws.
public struct SGDMatrixFactorization: Sendable {
    /// Whether the model has a global mean and user and item biases (`biased-mf`) or only factors (`sgd-mf`).
    public var biased: Bool
    /// The number of latent factors k.
    public var factors: Int
    /// The number of passes over the ratings.
    public var epochs: Int
    /// The initial learning rate gamma.
    public var learningRate: Float
    /// The factor by which the learning rate shrinks after each epoch.
    public var decay: Float
    /// lambda_P, the regularization of the user factors.
    public var userRegularization: Float
    /// lambda_Q, the regularization of the item factors.
    public var itemRegularization: Float
    /// lambda_ub, the regularization of the user biases.
    public var userBiasRegularization: Float
    /// lambda_ib, the regularization of the item biases.
    public var itemBiasRegularization: Float
    /// The standard deviation of the initial factors.
    public var initialScale: Float

    /// The defaults of `biased-mf`, chosen on validation parts carved from MovieLens 100k's u1..u5.base (see the README).
    public static let biasedDefaults = SGDMatrixFactorization(
        biased: true, factors: 300, epochs: 40, learningRate: 0.025, decay: 0.93, userRegularization: 0.08,
        itemRegularization: 0.08, userBiasRegularization: 0.01, itemBiasRegularization: 0.01, initialScale: 0.02)

    /// The defaults of `sgd-mf`.
    public static let plainDefaults = SGDMatrixFactorization(
        biased: false, factors: 50, epochs: 60, learningRate: 0.01, decay: 0.96, userRegularization: 0.1,
        itemRegularization: 0.1, userBiasRegularization: 0, itemBiasRegularization: 0, initialScale: 0.1)

    /// A configuration; every field is described above.
    public init(biased: Bool, factors: Int, epochs: Int, learningRate: Float, decay: Float, userRegularization: Float,
                itemRegularization: Float, userBiasRegularization: Float, itemBiasRegularization: Float,
                initialScale: Float) {
        self.biased = biased
        self.factors = factors
        self.epochs = epochs
        self.learningRate = learningRate
        self.decay = decay
        self.userRegularization = userRegularization
        self.itemRegularization = itemRegularization
        self.userBiasRegularization = userBiasRegularization
        self.itemBiasRegularization = itemBiasRegularization
        self.initialScale = initialScale
    }

    /// The model's name.
    public var name: String { biased ? "biased-mf" : "sgd-mf" }

    /// The hyperparameters as name-value pairs.
    public var hyperparameters: Hyperparameters {
        var v = [
            "factors": "\(factors)", "epochs": "\(epochs)", "learning-rate": "\(learningRate)", "decay": "\(decay)",
            "user-regularization": "\(userRegularization)", "item-regularization": "\(itemRegularization)",
            "init-scale": "\(initialScale)",
        ]
        if biased {
            v["user-bias-regularization"] = "\(userBiasRegularization)"
            v["item-bias-regularization"] = "\(itemBiasRegularization)"
        }
        return Hyperparameters(v)
    }

    /// Trains on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        var rng = SeededGenerator(seed: context.seed)
        let k = factors
        var p = Matrix(rows: data.userCount, columns: k, normalStandardDeviation: initialScale, using: &rng)
        var q = Matrix(rows: data.itemCount, columns: k, normalStandardDeviation: initialScale, using: &rng)
        var bu = [Float](repeating: 0, count: biased ? data.userCount : 0)
        var bi = [Float](repeating: 0, count: biased ? data.itemCount : 0)
        let mu: Float = biased ? data.globalMean : 0
        let (users, items, values) = data.triples()
        var order = [Int32](0..<Int32(data.count))
        var gamma = learningRate
        // Train on rows padded to whole SIMD lanes; the padding stays zero (see `epoch`).
        let stride = (k + 7) / 8 * 8
        var pPadded = Self.restride(p.storage, rows: p.rows, from: k, to: stride)
        var qPadded = Self.restride(q.storage, rows: q.rows, from: k, to: stride)

        for epoch in 1...max(1, epochs) where epochs > 0 {
            rng.shuffle(&order)
            let sse = SGDMatrixFactorization.epoch(
                order: order, users: users, items: items, values: values, mu: mu, p: &pPadded, q: &qPadded,
                bu: &bu, bi: &bi, stride: stride, gamma: gamma, lambdaP: userRegularization, lambdaQ: itemRegularization,
                lambdaUB: userBiasRegularization, lambdaIB: itemBiasRegularization)
            guard sse.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: gamma) }
            context.report(TrainingProgress(step: epoch, total: epochs, loss: (sse / Double(data.count)).squareRoot()))
            gamma *= decay
        }
        p.storage = Self.restride(pPadded, rows: p.rows, from: stride, to: k)
        q.storage = Self.restride(qPadded, rows: q.rows, from: stride, to: k)
        guard p.isFinite, q.isFinite else { throw TrainingError.diverged(epoch: epochs, learningRate: learningRate) }
        return FactorModel(
            name: name, domain: ModelDomain(data, ratingScale: context.ratingScale), hyperparameters: hyperparameters,
            globalMean: mu, userBias: bu, itemBias: bi, userFactors: p, itemFactors: q,
            foldIn: .ridge(lambda: userRegularization))
    }

    /// One pass of SGD over the ratings in `order`; returns the sum of squared errors seen before each update.
    ///
    /// `p` and `q` hold rows of `stride` floats, `stride` a multiple of 8 with the padding columns zero: a padding
    /// column's gradient is zero, so it stays zero, and every row is processed in whole SIMD8 lanes.
    static func epoch(order: [Int32], users: [Int32], items: [Int32], values: [Float], mu: Float,
                      p: inout [Float], q: inout [Float], bu: inout [Float], bi: inout [Float], stride: Int, gamma: Float,
                      lambdaP: Float, lambdaQ: Float, lambdaUB: Float, lambdaIB: Float) -> Double {
        precondition(stride % 8 == 0)
        let biased = !bu.isEmpty
        let lanes = stride / 8
        var sse: Double = 0
        order.withUnsafeBufferPointer { order in
        users.withUnsafeBufferPointer { users in
        items.withUnsafeBufferPointer { items in
        values.withUnsafeBufferPointer { values in
        p.withUnsafeMutableBufferPointer { p in
        q.withUnsafeMutableBufferPointer { q in
        bu.withUnsafeMutableBufferPointer { bu in
        bi.withUnsafeMutableBufferPointer { bi in
            let shrinkP = SIMD8<Float>(repeating: 1 - gamma * lambdaP)
            let shrinkQ = SIMD8<Float>(repeating: 1 - gamma * lambdaQ)
            let pBase = UnsafeMutableRawPointer(p.baseAddress!), qBase = UnsafeMutableRawPointer(q.baseAddress!)
            let rowBytes = stride * MemoryLayout<Float>.stride
            for n in order {
                let n = Int(n)
                let u = Int(users[n]), i = Int(items[n])
                let pu = pBase + u * rowBytes, qi = qBase + i * rowBytes
                // Two accumulators halve the dependency chain of the dot product.
                var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
                var l = 0
                while l + 1 < lanes {
                    acc0 += pu.loadUnaligned(fromByteOffset: l * 32, as: SIMD8<Float>.self)
                        * qi.loadUnaligned(fromByteOffset: l * 32, as: SIMD8<Float>.self)
                    acc1 += pu.loadUnaligned(fromByteOffset: l * 32 + 32, as: SIMD8<Float>.self)
                        * qi.loadUnaligned(fromByteOffset: l * 32 + 32, as: SIMD8<Float>.self)
                    l += 2
                }
                if l < lanes {
                    acc0 += pu.loadUnaligned(fromByteOffset: l * 32, as: SIMD8<Float>.self)
                        * qi.loadUnaligned(fromByteOffset: l * 32, as: SIMD8<Float>.self)
                }
                var prediction = mu + (acc0 + acc1).sum()
                if biased { prediction += bu[u] + bi[i] }
                let e = values[n] - prediction
                sse += Double(e * e)
                if biased {
                    bu[u] += gamma * (e - lambdaUB * bu[u])
                    bi[i] += gamma * (e - lambdaIB * bi[i])
                }
                let ge = SIMD8<Float>(repeating: gamma * e)
                for l in 0..<lanes {
                    let pf = pu.loadUnaligned(fromByteOffset: l * 32, as: SIMD8<Float>.self)
                    let qf = qi.loadUnaligned(fromByteOffset: l * 32, as: SIMD8<Float>.self)
                    pu.storeBytes(of: shrinkP * pf + ge * qf, toByteOffset: l * 32, as: SIMD8<Float>.self)
                    qi.storeBytes(of: shrinkQ * qf + ge * pf, toByteOffset: l * 32, as: SIMD8<Float>.self)
                }
            }
        }}}}}}}}
        return sse
    }

    /// Copies row-major `rows` x `from` values into rows of `to` columns (zero padding or truncation).
    static func restride(_ a: [Float], rows: Int, from: Int, to: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * to)
        let c = min(from, to)
        for r in 0..<rows {
            for j in 0..<c { out[r * to + j] = a[r * from + j] }
        }
        return out
    }
}

extension SGDMatrixFactorization {
    /// A configuration read from name-value hyperparameters over `defaults`.
    public init(_ h: Hyperparameters, defaults d: SGDMatrixFactorization) throws {
        let regularization = try h.float("regularization", default: d.userRegularization)
        let biasRegularization = try h.float("bias-regularization", default: d.userBiasRegularization)
        self.init(
            biased: d.biased,
            factors: try h.int("factors", default: d.factors, in: 1...10_000),
            epochs: try h.int("epochs", default: d.epochs, in: 0...100_000),
            learningRate: try h.float("learning-rate", default: d.learningRate, in: 1e-12...10),
            decay: try h.float("decay", default: d.decay, in: 0.01...1),
            userRegularization: try h.float("user-regularization", default: regularization),
            itemRegularization: try h.float("item-regularization", default: regularization),
            userBiasRegularization: try h.float("user-bias-regularization", default: biasRegularization),
            itemBiasRegularization: try h.float("item-bias-regularization", default: biasRegularization),
            initialScale: try h.float("init-scale", default: d.initialScale, in: 0...10))
    }

    static func parameterSpecs(_ d: SGDMatrixFactorization) -> [ParameterSpec] {
        var specs = [
            ParameterSpec("factors", "\(d.factors)", "number of latent factors k"),
            ParameterSpec("epochs", "\(d.epochs)", "passes over the ratings"),
            ParameterSpec("learning-rate", "\(d.learningRate)", "initial SGD step gamma"),
            ParameterSpec("decay", "\(d.decay)", "learning rate multiplier after each epoch"),
            ParameterSpec("regularization", "\(d.userRegularization)", "lambda for user and item factors"),
            ParameterSpec("user-regularization", "\(d.userRegularization)", "lambda_P, user factors (overrides regularization)"),
            ParameterSpec("item-regularization", "\(d.itemRegularization)", "lambda_Q, item factors (overrides regularization)"),
            ParameterSpec("init-scale", "\(d.initialScale)", "standard deviation of the initial factors"),
        ]
        if d.biased {
            specs += [
                ParameterSpec("bias-regularization", "\(d.userBiasRegularization)", "lambda for user and item biases"),
                ParameterSpec("user-bias-regularization", "\(d.userBiasRegularization)", "lambda_ub (overrides bias-regularization)"),
                ParameterSpec("item-bias-regularization", "\(d.itemBiasRegularization)", "lambda_ib (overrides bias-regularization)"),
            ]
        }
        return specs
    }
}

extension ModelDescriptor {
    /// `biased-mf`: r ~ mu + b_u + b_i + p_u . q_i by SGD.
    public static let biasedMF = ModelDescriptor(
        name: "biased-mf", summary: "biased matrix factorization by SGD: r ~ mu + b_u + b_i + p_u.q_i", task: .rating,
        parameters: SGDMatrixFactorization.parameterSpecs(.biasedDefaults)
    ) { data, h, context in
        try SGDMatrixFactorization(h, defaults: .biasedDefaults).fit(data, context: context)
    }

    /// `sgd-mf`: r ~ p_u . q_i by SGD.
    public static let sgdMF = ModelDescriptor(
        name: "sgd-mf", summary: "matrix factorization by SGD: r ~ p_u.q_i", task: .rating,
        parameters: SGDMatrixFactorization.parameterSpecs(.plainDefaults)
    ) { data, h, context in
        try SGDMatrixFactorization(h, defaults: .plainDefaults).fit(data, context: context)
    }
}
