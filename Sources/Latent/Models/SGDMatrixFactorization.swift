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
    /// The update rule: plain SGD (the notes' rules above, the default) or an adaptive one (see SGDOptimizers.swift).
    public var optimizer: StepRule = .sgd

    /// The defaults of `biased-mf`, chosen on MovieLens 100k (see the README's figures).
    public static let biasedDefaults = SGDMatrixFactorization(
        biased: true, factors: 100, epochs: 60, learningRate: 0.007, decay: 0.96, userRegularization: 0.06,
        itemRegularization: 0.06, userBiasRegularization: 0.01, itemBiasRegularization: 0.01, initialScale: 0.1)

    /// The defaults of `sgd-mf`.
    public static let plainDefaults = SGDMatrixFactorization(
        biased: false, factors: 50, epochs: 60, learningRate: 0.01, decay: 0.96, userRegularization: 0.05,
        itemRegularization: 0.05, userBiasRegularization: 0, itemBiasRegularization: 0, initialScale: 0.1)

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
        if optimizer != .sgd { v["optimizer"] = optimizer.rawValue }
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
        let constants = StepConstants<Float>()
        var adaptive = optimizer == .sgd ? nil
            : AdaptiveState(users: data.userCount, items: data.itemCount, k: k, biased: biased, constants: constants)

        for epoch in 1...max(1, epochs) where epochs > 0 {
            rng.shuffle(&order)
            let sse: Double
            if adaptive != nil {
                sse = SGDMatrixFactorization.adaptiveEpoch(
                    rule: optimizer, constants: constants, state: &adaptive!, order: order, users: users, items: items,
                    values: values, mu: mu, p: &p.storage, q: &q.storage, bu: &bu, bi: &bi, k: k, gamma: gamma,
                    lambdaP: userRegularization, lambdaQ: itemRegularization, lambdaUB: userBiasRegularization,
                    lambdaIB: itemBiasRegularization)
            } else {
                sse = SGDMatrixFactorization.epoch(
                    order: order, users: users, items: items, values: values, mu: mu, p: &p.storage, q: &q.storage,
                    bu: &bu, bi: &bi, k: k, gamma: gamma, lambdaP: userRegularization, lambdaQ: itemRegularization,
                    lambdaUB: userBiasRegularization, lambdaIB: itemBiasRegularization)
            }
            guard sse.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: gamma) }
            context.report(TrainingProgress(step: epoch, total: epochs, loss: (sse / Double(data.count)).squareRoot()))
            gamma *= decay
        }
        guard p.isFinite, q.isFinite else { throw TrainingError.diverged(epoch: epochs, learningRate: learningRate) }
        return FactorModel(
            name: name, domain: ModelDomain(data, ratingScale: context.ratingScale), hyperparameters: hyperparameters,
            globalMean: mu, userBias: bu, itemBias: bi, userFactors: p, itemFactors: q,
            foldIn: .ridge(lambda: userRegularization))
    }

    /// One pass of SGD over the ratings in `order`; returns the sum of squared errors seen before each update.
    static func epoch(order: [Int32], users: [Int32], items: [Int32], values: [Float], mu: Float,
                      p: inout [Float], q: inout [Float], bu: inout [Float], bi: inout [Float], k: Int, gamma: Float,
                      lambdaP: Float, lambdaQ: Float, lambdaUB: Float, lambdaIB: Float) -> Double {
        let biased = !bu.isEmpty
        var sse: Double = 0
        order.withUnsafeBufferPointer { order in
        users.withUnsafeBufferPointer { users in
        items.withUnsafeBufferPointer { items in
        values.withUnsafeBufferPointer { values in
        p.withUnsafeMutableBufferPointer { p in
        q.withUnsafeMutableBufferPointer { q in
        bu.withUnsafeMutableBufferPointer { bu in
        bi.withUnsafeMutableBufferPointer { bi in
            let shrinkP = 1 - gamma * lambdaP, shrinkQ = 1 - gamma * lambdaQ
            for n in order {
                let n = Int(n)
                let u = Int(users[n]), i = Int(items[n])
                let pu = p.baseAddress! + u * k, qi = q.baseAddress! + i * k
                var prediction = mu + Vector.dot(pu, qi, count: k)
                if biased { prediction += bu[u] + bi[i] }
                let e = values[n] - prediction
                sse += Double(e * e)
                if biased {
                    bu[u] += gamma * (e - lambdaUB * bu[u])
                    bi[i] += gamma * (e - lambdaIB * bi[i])
                }
                let ge = gamma * e
                for f in 0..<k {
                    let pf = pu[f], qf = qi[f]
                    pu[f] = shrinkP * pf + ge * qf
                    qi[f] = shrinkQ * qf + ge * pf
                }
            }
        }}}}}}}}
        return sse
    }
}

extension SGDMatrixFactorization {
    /// A configuration read from name-value hyperparameters over `defaults`.
    public init(_ h: Hyperparameters, defaults d: SGDMatrixFactorization) throws {
        let regularization = try h.float("regularization", default: d.userRegularization)
        let biasRegularization = try h.float("bias-regularization", default: d.userBiasRegularization)
        let optimizer = StepRule(rawValue: try h.string("optimizer", default: d.optimizer.rawValue, allowed: StepRule.allCases.map(\.rawValue)))!
        self.init(
            biased: d.biased,
            factors: try h.int("factors", default: d.factors, in: 1...10_000),
            epochs: try h.int("epochs", default: d.epochs, in: 0...100_000),
            learningRate: try h.float("learning-rate", default: Self.defaultLearningRate(for: optimizer, plain: d.learningRate), in: 1e-12...1e12),
            decay: try h.float("decay", default: d.decay, in: 0.01...1),
            userRegularization: try h.float("user-regularization", default: regularization),
            itemRegularization: try h.float("item-regularization", default: regularization),
            userBiasRegularization: try h.float("user-bias-regularization", default: biasRegularization),
            itemBiasRegularization: try h.float("item-bias-regularization", default: biasRegularization),
            initialScale: try h.float("init-scale", default: d.initialScale, in: 0...10))
        self.optimizer = optimizer
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
            ParameterSpec("optimizer", "sgd", "sgd, momentum, adagrad, rmsprop or adam (per-parameter state)"),
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
    }.withRestarts()

    /// `sgd-mf`: r ~ p_u . q_i by SGD.
    public static let sgdMF = ModelDescriptor(
        name: "sgd-mf", summary: "matrix factorization by SGD: r ~ p_u.q_i", task: .rating,
        parameters: SGDMatrixFactorization.parameterSpecs(.plainDefaults)
    ) { data, h, context in
        try SGDMatrixFactorization(h, defaults: .plainDefaults).fit(data, context: context)
    }.withRestarts()
}
