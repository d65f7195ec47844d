/// Small random problems on which each differentiable model's analytic gradient is checked against central
/// differences (the tests and `latent gradcheck`).
public enum GradientCheckProblems {
    /// The models with an analytic gradient.
    public static let models = ["content", "cofi", "sgd-mf", "biased-mf", "svdpp"]

    /// A model's objective on a small random problem and a random point to check it at.
    public struct Problem {
        /// The model's objective (the same code its training uses).
        public var objective: any DifferentiableObjective
        /// Where to compare the gradients.
        public var point: [Double]
    }

    /// Random ratings 1...5 for 7 users and 6 items, about 60% of the pairs, every user and item with one at least.
    public static func ratings(seed: UInt64) -> RatingMatrix {
        var rng = SeededGenerator(seed: seed)
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 0..<7 {
            for i in 0..<6 where rng.nextUniform() < 0.6 || i == u % 6 || u == i {
                triples.append(("u\(u)", "i\(i)", Float(1 + rng.nextInt(below: 5))))
            }
        }
        return RatingMatrix(RatingSet(triples))
    }

    /// The objective of `modelName` on the problem drawn from `seed`, or ``TrainingError/unknownModel(name:known:)``
    /// for a model without an analytic gradient.
    public static func problem(for modelName: String, seed: UInt64 = 42) throws -> Problem {
        let data = ratings(seed: seed)
        var rng = SeededGenerator(seed: seed &+ 1)
        func point(_ n: Int) -> [Double] { (0..<n).map { _ in Double(rng.nextGaussian()) * 0.7 } }
        switch modelName {
        case "content":
            var values = Matrix(rows: data.itemCount, columns: 3)
            for j in values.storage.indices { values.storage[j] = rng.nextUniform() }
            let features = ItemFeatures(items: data.items, names: ["a", "b", "c"], values: values)
            let x = ContentBasedRegression.designMatrix(for: data.items, features: features)
            let objective = ContentObjective(data: data, design: x, itemMeans: data.itemMeans(), regularization: 0.7)
            return Problem(objective: objective, point: point(objective.parameterCount))
        case "cofi":
            let objective = CofiObjective(data: data, factors: 3, regularization: 0.7, itemMeans: data.itemMeans())
            return Problem(objective: objective, point: point(objective.parameterCount))
        case "sgd-mf", "biased-mf":
            var c = modelName == "sgd-mf" ? SGDMatrixFactorization.plainDefaults : SGDMatrixFactorization.biasedDefaults
            c.factors = 3
            c.userRegularization = 0.3
            c.itemRegularization = 0.5
            c.userBiasRegularization = 0.2
            c.itemBiasRegularization = 0.4
            let objective = MatrixFactorizationObjective(c, data: data)
            return Problem(objective: objective, point: point(objective.parameterCount))
        case "svdpp":
            var c = SVDPlusPlus.defaults
            c.factors = 3
            c.regularization = 0.3
            c.biasRegularization = 0.2
            let objective = SVDPlusPlusObjective(c, data: data)
            return Problem(objective: objective, point: point(objective.parameterCount))
        default:
            throw TrainingError.unknownModel(name: modelName, known: models)
        }
    }

    /// Checks `modelName`'s analytic gradient on the problem drawn from `seed`.
    public static func check(_ modelName: String, seed: UInt64 = 42) throws -> GradientCheckResult {
        let p = try problem(for: modelName, seed: seed)
        return GradientCheck.check(p.objective, at: p.point)
    }
}
