/// The baselines every model must beat: the global mean, item means (mean normalization alone), and regularized user
/// and item biases. They train into a ``FactorModel`` with no factors.
public enum Baselines {
    /// Predicts the mean of all training ratings.
    public static func globalMean(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) -> FactorModel {
        model("global-mean", data, context, Hyperparameters(), userBias: [], itemBias: [])
    }

    /// Predicts each item's mean training rating mu_i (the course notes' mean normalization with no factors);
    /// `shrinkage` pulls the means of rarely rated items toward the global mean: (sum + s mu) / (n + s).
    public static func itemMean(_ data: RatingMatrix, shrinkage: Float = 0, context: TrainingContext = TrainingContext()) -> FactorModel {
        let mu = data.globalMean
        var offsets = [Float](repeating: 0, count: data.itemCount)
        for i in 0..<data.itemCount {
            var s: Double = 0
            for n in data.byItem.range(of: i) { s += Double(data.byItem.values[n] - mu) }
            offsets[i] = Float(s / (Double(data.byItem.count(of: i)) + Double(shrinkage)))
        }
        return model("item-mean", data, context, Hyperparameters(["shrinkage": "\(shrinkage)"]), userBias: [], itemBias: offsets)
    }

    /// Regularized biases r ~ mu + b_u + b_i, fit by alternating exact updates:
    /// b_i = sum_u (r - mu - b_u) / (lambda_i + n_i), then b_u = sum_i (r - mu - b_i) / (lambda_u + n_u).
    public static func biases(_ data: RatingMatrix, userRegularization: Float = 15, itemRegularization: Float = 10,
                              sweeps: Int = 10, context: TrainingContext = TrainingContext()) -> FactorModel {
        let mu = data.globalMean
        var bu = [Float](repeating: 0, count: data.userCount)
        var bi = [Float](repeating: 0, count: data.itemCount)
        for _ in 0..<sweeps {
            for i in 0..<data.itemCount {
                var s: Double = 0
                for n in data.byItem.range(of: i) {
                    s += Double(data.byItem.values[n] - mu - bu[Int(data.byItem.indices[n])])
                }
                bi[i] = Float(s / (Double(itemRegularization) + Double(data.byItem.count(of: i))))
            }
            for u in 0..<data.userCount {
                var s: Double = 0
                for n in data.byUser.range(of: u) {
                    s += Double(data.byUser.values[n] - mu - bi[Int(data.byUser.indices[n])])
                }
                bu[u] = Float(s / (Double(userRegularization) + Double(data.byUser.count(of: u))))
            }
        }
        let h = Hyperparameters([
            "user-regularization": "\(userRegularization)", "item-regularization": "\(itemRegularization)",
            "sweeps": "\(sweeps)",
        ])
        return model("baseline", data, context, h, userBias: bu, itemBias: bi)
    }

    private static func model(_ name: String, _ data: RatingMatrix, _ context: TrainingContext, _ h: Hyperparameters,
                              userBias: [Float], itemBias: [Float]) -> FactorModel {
        FactorModel(name: name, domain: ModelDomain(data, ratingScale: context.ratingScale), hyperparameters: h,
                    globalMean: data.globalMean, userBias: userBias, itemBias: itemBias,
                    userFactors: Matrix(rows: data.userCount, columns: 0), itemFactors: Matrix(rows: data.itemCount, columns: 0),
                    foldIn: .ridge(lambda: 0))
    }
}

extension ModelDescriptor {
    /// `global-mean`: the mean of all ratings.
    public static let globalMean = ModelDescriptor(
        name: "global-mean", summary: "the mean of all training ratings", task: .rating, parameters: []
    ) { data, _, context in Baselines.globalMean(data, context: context) }

    /// `item-mean`: each item's mean rating (mean normalization alone).
    public static let itemMean = ModelDescriptor(
        name: "item-mean", summary: "each item's mean rating (mean normalization alone)", task: .rating,
        parameters: [ParameterSpec("shrinkage", "0", "pulls rare items' means toward the global mean")]
    ) { data, h, context in
        Baselines.itemMean(data, shrinkage: try h.float("shrinkage", default: 0), context: context)
    }

    /// `baseline`: regularized user and item biases.
    public static let baseline = ModelDescriptor(
        name: "baseline", summary: "regularized user and item biases: r ~ mu + b_u + b_i", task: .rating,
        parameters: [
            ParameterSpec("user-regularization", "15", "lambda_u of the user biases"),
            ParameterSpec("item-regularization", "10", "lambda_i of the item biases"),
            ParameterSpec("sweeps", "10", "alternating passes"),
        ]
    ) { data, h, context in
        Baselines.biases(data, userRegularization: try h.float("user-regularization", default: 15),
                         itemRegularization: try h.float("item-regularization", default: 10),
                         sweeps: try h.int("sweeps", default: 10, in: 1...1000), context: context)
    }
}
