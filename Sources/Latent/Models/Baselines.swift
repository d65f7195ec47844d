/// The baselines every model must beat: the global mean, item means (``ItemMean``) and regularized user and item
/// biases (``BiasBaseline``). They train into a ``FactorModel`` with no factors.
public enum Baselines {
    /// Predicts the mean of all training ratings.
    public static func globalMean(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) -> FactorModel {
        model("global-mean", data, context, Hyperparameters(), userBias: [], itemBias: [])
    }

    static func model(_ name: String, _ data: RatingMatrix, _ context: TrainingContext, _ h: Hyperparameters,
                      userBias: [Float], itemBias: [Float]) -> FactorModel {
        FactorModel(name: name, domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: h,
                    globalMean: data.globalMean, userBias: userBias, itemBias: itemBias,
                    userFactors: Matrix(rows: data.userCount, columns: 0), itemFactors: Matrix(rows: data.itemCount, columns: 0),
                    foldIn: .ridge(lambda: 0))
    }

    /// For each row r of `rows` (an item's ratings, or a user's), the regularized mean offset
    /// sum (r - mu - b_other) / (lambda + n_r), with b_other the biases of the other side (none when empty).
    static func biases(_ rows: SparseRows, mu: Float, other: [Float], lambda: Float) -> [Float] {
        (0..<rows.rowCount).map { r in
            var s: Double = 0
            for n in rows.range(of: r) { s += Double(rows.values[n] - mu - (other.isEmpty ? 0 : other[Int(rows.indices[n])])) }
            return Float(s / (Double(lambda) + Double(rows.count(of: r))))
        }
    }
}

/// `item-mean`: each item's mean training rating mu_i (the course notes' mean normalization with no factors);
/// `shrinkage` s pulls the means of rarely rated items toward the global mean: (sum + s mu) / (n + s).
public struct ItemMean: ModelConfiguration {
    /// s.
    public var shrinkage: Float

    public static let defaults = ItemMean(shrinkage: 0)
    public static let parameters: [Hyperparameter<Self>] = [
        .init("shrinkage", \.shrinkage, "pulls rare items' means toward the global mean"),
    ]

    /// Fits the item means on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) -> FactorModel {
        let offsets = Baselines.biases(data.byItem, mu: data.globalMean, other: [], lambda: shrinkage)
        return Baselines.model("item-mean", data, context, hyperparameters, userBias: [], itemBias: offsets)
    }
}

/// `baseline`: regularized biases r ~ mu + b_u + b_i, fit by alternating exact updates:
/// b_i = sum_u (r - mu - b_u) / (lambda_i + n_i), then b_u = sum_i (r - mu - b_i) / (lambda_u + n_u).
public struct BiasBaseline: ModelConfiguration {
    /// lambda_u.
    public var userBiasRegularization: Float
    /// lambda_i.
    public var itemBiasRegularization: Float
    /// Alternating passes.
    public var iterations: Int

    public static let defaults = BiasBaseline(userBiasRegularization: 15, itemBiasRegularization: 10, iterations: 10)
    public static let parameters: [Hyperparameter<Self>] = [
        .init("bias-regularization", \.userBiasRegularization, also: [\.itemBiasRegularization], stored: false,
              "lambda of the user and item biases"),
        .init("user-bias-regularization", \.userBiasRegularization, aliases: ["user-regularization"], "lambda_u of the user biases"),
        .init("item-bias-regularization", \.itemBiasRegularization, aliases: ["item-regularization"], "lambda_i of the item biases"),
        .init("iterations", \.iterations, in: 1...1000, "alternating passes"),
    ]

    /// Fits the biases on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) -> FactorModel {
        let mu = data.globalMean
        var bu = [Float](repeating: 0, count: data.userCount)
        var bi = [Float](repeating: 0, count: data.itemCount)
        for _ in 0..<iterations {
            bi = Baselines.biases(data.byItem, mu: mu, other: bu, lambda: itemBiasRegularization)
            bu = Baselines.biases(data.byUser, mu: mu, other: bi, lambda: userBiasRegularization)
        }
        return Baselines.model("baseline", data, context, hyperparameters, userBias: bu, itemBias: bi)
    }
}

extension ModelDescriptor {
    /// `global-mean`: the mean of all ratings.
    public static let globalMean = ModelDescriptor(
        name: "global-mean", summary: "the mean of all training ratings", task: .rating, parameters: []
    ) { data, _, _, context in Baselines.globalMean(data, context: context) }

    /// `item-mean`: each item's mean rating (mean normalization alone).
    public static let itemMean = ModelDescriptor(
        name: "item-mean", summary: "each item's mean rating (mean normalization alone)", task: .rating,
        defaults: ItemMean.defaults)

    /// `baseline`: regularized user and item biases.
    public static let baseline = ModelDescriptor(
        name: "baseline", summary: "regularized user and item biases: r ~ mu + b_u + b_i", task: .rating,
        defaults: BiasBaseline.defaults)
}
