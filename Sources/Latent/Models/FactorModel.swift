/// How a ``FactorModel`` solves the factors of a new user from their ratings (fold-in).
public enum FoldInRule: Sendable, Equatable {
    /// Ridge regression on the residuals r - mu - b_i with the item factors fixed: (Q_S^T Q_S + lambda I) p = Q_S^T e.
    case ridge(lambda: Float)
    /// The implicit-feedback objective with confidence 1 + alpha * weight over all items (Hu, Koren and Volinsky).
    case implicit(alpha: Float, lambda: Float)
}

/// A latent-factor model: prediction = mu + b_u + b_i + p_u . q_i.
///
/// Most models of Latent train into this one shape and differ only in how they find the numbers: biased MF by SGD
/// has all four parts; plain MF only the factors; mean-normalized collaborative filtering has item offsets
/// (b_i = mu_i - mu) and no user bias; content-based recommendation has item features as fixed item factors.
/// An unknown user gets mu + b_i, an unknown item mu + b_u, and neither gives mu.
public struct FactorModel: Recommender {
    public let name: String
    public var domain: ModelDomain
    public var hyperparameters: Hyperparameters
    /// The global offset mu.
    public var globalMean: Float
    /// One bias per user, or empty when the model has none.
    public var userBias: [Float]
    /// One bias per item, or empty when the model has none.
    public var itemBias: [Float]
    /// One row of factors per user.
    public var userFactors: Matrix
    /// One row of factors per item.
    public var itemFactors: Matrix {
        didSet { foldInGram = Self.foldInGram(foldIn, itemFactors) }
    }
    /// How a new user's factors are solved.
    public var foldIn: FoldInRule {
        didSet { foldInGram = Self.foldInGram(foldIn, itemFactors) }
    }
    /// Y^T Y + lambda I of the item factors for ``FoldInRule/implicit(alpha:lambda:)`` (empty otherwise): the part of
    /// every new user's system that does not depend on the user, computed once with the model.
    private(set) var foldInGram: [Double]

    private static func foldInGram(_ rule: FoldInRule, _ itemFactors: Matrix) -> [Double] {
        guard case let .implicit(_, lambda) = rule, itemFactors.columns > 0 else { return [] }
        return ImplicitALS.gram(itemFactors, lambda: lambda)
    }

    /// A factor model from its parts.
    public init(name: String, domain: ModelDomain, hyperparameters: Hyperparameters, globalMean: Float,
                userBias: [Float], itemBias: [Float], userFactors: Matrix, itemFactors: Matrix, foldIn: FoldInRule) {
        precondition(userFactors.rows == domain.users.count && itemFactors.rows == domain.items.count)
        precondition(userFactors.columns == itemFactors.columns)
        precondition(userBias.isEmpty || userBias.count == domain.users.count)
        precondition(itemBias.isEmpty || itemBias.count == domain.items.count)
        self.name = name
        self.domain = domain
        self.hyperparameters = hyperparameters
        self.globalMean = globalMean
        self.userBias = userBias
        self.itemBias = itemBias
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.foldIn = foldIn
        foldInGram = Self.foldInGram(foldIn, itemFactors)
    }

    /// The number of latent factors.
    public var factorCount: Int { itemFactors.columns }

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        var p = globalMean
        if let u = user, !userBias.isEmpty { p += userBias[u] }
        if let i = item, !itemBias.isEmpty { p += itemBias[i] }
        if let u = user, let i = item {
            let k = factorCount
            p += userFactors.storage.withUnsafeBufferPointer { pu in
                itemFactors.storage.withUnsafeBufferPointer { qi in
                    Vector.dot(pu.baseAddress! + u * k, qi.baseAddress! + i * k, count: k)
                }
            }
        }
        return p
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        let k = factorCount
        score(vector: Array(userFactors.storage[(user * k)..<((user + 1) * k)]),
              offset: globalMean + (userBias.isEmpty ? 0 : userBias[user]), into: &scores)
    }

    /// scores[i] = offset + b_i + q_i . p
    func score(vector p: [Float], offset: Float, into scores: inout [Float]) {
        let k = factorCount
        precondition(scores.count == itemFactors.rows && p.count == k)
        scores.withUnsafeMutableBufferPointer { scores in
            itemFactors.storage.withUnsafeBufferPointer { q in
                p.withUnsafeBufferPointer { p in
                    for i in 0..<scores.count {
                        scores[i] = offset + (k > 0 ? Vector.dot(p.baseAddress!, q.baseAddress! + i * k, count: k) : 0)
                    }
                }
            }
        }
        if !itemBias.isEmpty {
            for i in 0..<itemBias.count { scores[i] += itemBias[i] }
        }
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        score(vector: foldInFactors(ratings), offset: globalMean, into: &scores)
    }

    /// The factors of a new user with the given ratings, the item factors and biases held fixed.
    public func foldInFactors(_ ratings: [(item: Int, value: Float)]) -> [Float] {
        let k = factorCount
        guard k > 0, !ratings.isEmpty else { return [Float](repeating: 0, count: k) }
        switch foldIn {
        case let .ridge(lambda):
            var equations = NormalEquations(dimension: k)
            itemFactors.storage.withUnsafeBufferPointer { q in
                for (i, r) in ratings {
                    let e = Double(r - globalMean - (itemBias.isEmpty ? 0 : itemBias[i]))
                    equations.add(q.baseAddress! + i * k, target: e)
                }
            }
            equations.addRidge(Double(lambda) * Double(ratings.count) + 1e-9)
            return equations.solve()?.map { Float($0) } ?? [Float](repeating: 0, count: k)
        case let .implicit(alpha, _):
            // (Y^T Y + lambda I + sum_i (c_i - 1) y_i y_i^T) p = sum_i c_i y_i, with Y^T Y + lambda I cached.
            var gram = foldInGram
            for a in 0..<k { gram[a * k + a] += 1e-9 }
            let items = ratings.map { Int32($0.item) }, weights = ratings.map(\.value)
            return itemFactors.storage.withUnsafeBufferPointer { q in
                items.withUnsafeBufferPointer { ip in
                    weights.withUnsafeBufferPointer { wp in
                        ConfidenceSystem(y: q.baseAddress!, k: k, alpha: alpha)
                            .exactSolution(gram: gram, items: ip.baseAddress!, weights: wp.baseAddress!, count: ratings.count)
                    }
                }
            }
        }
    }

    public var itemVectors: Matrix? { factorCount > 0 ? itemFactors : nil }
    public var userVectors: Matrix? { factorCount > 0 ? userFactors : nil }

    /// The fold-in factors (``foldInFactors(_:)``), the row the user would have in ``userVectors``.
    public func userVector(foldingIn ratings: [(item: Int, value: Float)]) -> [Float]? {
        factorCount > 0 ? foldInFactors(ratings) : nil
    }

    /// The archive kind of factor models.
    public static let archiveKind = "factors"

    public func archive() -> ModelArchive {
        var a = archive(kind: Self.archiveKind)
        a.floats["mu"] = [globalMean]
        a.floats["user_bias"] = userBias
        a.floats["item_bias"] = itemBias
        a.setMatrix(userFactors, as: "user_factors")
        a.setMatrix(itemFactors, as: "item_factors")
        switch foldIn {
        case let .ridge(lambda): a.floats["fold_in.ridge"] = [lambda]
        case let .implicit(alpha, lambda): a.floats["fold_in.implicit"] = [alpha, lambda]
        }
        return a
    }

    /// Reads a factor model from an archive written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let domain = try ModelDomain(from: a)
        let mu = try a.floats("mu", count: 1)[0]
        let ub = try a.floats("user_bias"), ib = try a.floats("item_bias")
        let p = try a.matrix("user_factors"), q = try a.matrix("item_factors")
        guard ub.isEmpty || ub.count == domain.users.count, ib.isEmpty || ib.count == domain.items.count,
              p.rows == domain.users.count, q.rows == domain.items.count, p.columns == q.columns
        else { throw ModelFileError.inconsistent("factor and bias sizes do not match the users and items") }
        let rule: FoldInRule
        if let r = a.floats["fold_in.implicit"], r.count == 2 {
            rule = .implicit(alpha: r[0], lambda: r[1])
        } else {
            rule = .ridge(lambda: try a.floats("fold_in.ridge", count: 1)[0])
        }
        self.init(name: a.model, domain: domain, hyperparameters: Hyperparameters(a.parameters), globalMean: mu,
                  userBias: ub, itemBias: ib, userFactors: p, itemFactors: q, foldIn: rule)
    }
}
