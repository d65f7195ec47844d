/// Collaborative filtering that learns the item features too (DESIGN.md items 2, 3 and 5): the joint cost
///
///     J(X, Theta) = 1/2 sum_{r(i,j)=1} (theta(j)^T x(i) - y(i,j))^2 + lambda/2 ||X||^2 + lambda/2 ||Theta||^2
///
/// over mean-normalized ratings y = r - mu_i, from small random X and Theta, minimized by
///
/// - `solver=lbfgs` (default): L-BFGS with a strong-Wolfe line search (the notes' "advanced optimization algorithm");
/// - `solver=cg`: nonlinear conjugate gradient (Polak-Ribiere+) with the same line search;
/// - `solver=gd`: batch gradient descent, X -= alpha dJ/dX and Theta -= alpha dJ/dTheta, with a learning-rate
///   schedule; `optimizer` `momentum`, `adagrad`, `rmsprop` or `adam` (alone, it implies `solver=gd`) uses the same
///   full gradient with that step rule instead;
/// - `solver=alternating`: the notes' first scheme: given Theta learn X, given X learn Theta, each step solved
///   exactly (a k x k ridge system per item, then per user).
///
/// Cost and gradient are computed in one pass over the observed entries (the vectorized form: predictions are
/// X Theta^T on the observed entries only). Predictions are theta(j)^T x(i) + mu_i; a user with no ratings is
/// predicted mu_i. The model is a ``FactorModel`` with item factors X, user factors Theta, item biases mu_i - mu.
public struct CollaborativeFiltering: Sendable {
    /// How J is minimized.
    public enum Solver: String, Sendable, CaseIterable { case lbfgs, cg, gd, alternating }

    /// The number of features learned per item (and parameters per user).
    public var factors: Int
    /// lambda.
    public var regularization: Double
    /// How J is minimized.
    public var solver: Solver
    /// The step rule of gradient descent (`solver` gd).
    public var optimizer: StepRule
    /// Iterations (L-BFGS iterations, gradient steps, or alternating sweeps); nil for the solver's default.
    public var iterations: Int?
    /// The initial learning rate of gradient descent; nil for the step rule's default.
    public var learningRate: Double?
    /// How the learning rate changes over the iterations.
    public var schedule: LearningRateSchedule
    /// The standard deviation of the initial random values.
    public var initialScale: Double
    /// Whether ratings are mean-normalized by item (on by default).
    public var meanNormalization: Bool

    /// The defaults of `cofi`.
    public static let defaults = CollaborativeFiltering(
        factors: 5, regularization: 8, solver: .lbfgs, optimizer: .sgd, iterations: nil, learningRate: nil, schedule: .constant,
        initialScale: 0.1, meanNormalization: true)

    /// The iterations used: the given number or the solver's default.
    public var effectiveIterations: Int {
        iterations ?? { switch solver { case .lbfgs: 300; case .cg: 500; case .gd: 1500; case .alternating: 15 } }()
    }

    /// The learning rate used by gradient descent: the given one or the step rule's default.
    public var effectiveLearningRate: Double {
        learningRate ?? { switch optimizer { case .sgd: 0.008; case .momentum: 0.0008; case .adagrad: 0.05; case .rmsprop, .adam: 0.002 } }()
    }

    /// Trains on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        try optimizer.check(solver: "\(solver)", takesSteps: solver == .gd)
        let means = meanNormalization ? data.itemMeans() : []
        let objective = CofiObjective(data: data, factors: factors, regularization: regularization, itemMeans: means)
        var rng = SeededGenerator(seed: context.seed)
        var x0 = (0..<objective.parameterCount).map { _ in Double(rng.nextGaussian()) * initialScale }
        let total = effectiveIterations
        let report: (Int, Double) -> Void = { step, loss in
            context.report(TrainingProgress(stage: "iteration", step: step, total: total, loss: loss))
        }
        let f: ObjectiveFunction = { objective.evaluate($0, gradient: &$1) }
        let solution: [Double]
        switch solver {
        case .lbfgs:
            solution = try LBFGS.minimize(x0, options: LBFGS.Options(maxIterations: total, gradientTolerance: 1e-6), progress: report, f).x
        case .cg:
            let options = LBFGS.Options(maxIterations: total, gradientTolerance: 1e-6, c2: 0.1)
            solution = try ConjugateGradient.minimize(x0, options: options, progress: report, f).x
        case .alternating:
            for sweep in 0..<total {
                objective.alternate(&x0, threads: context.threads)
                report(sweep + 1, objective.value(at: x0))
            }
            solution = x0
        case .gd:
            solution = try GradientDescent.minimize(x0, rule: optimizer, learningRate: effectiveLearningRate,
                                                    schedule: schedule, iterations: total, progress: report, f).x
        }
        guard solution.allSatisfy({ $0.isFinite }) else {
            throw TrainingError.diverged(epoch: total, learningRate: Float(effectiveLearningRate))
        }
        let k = factors, itemParts = data.itemCount * k
        let mu = meanNormalization ? data.globalMean : 0
        return FactorModel(
            name: "cofi", domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: hyperparameters,
            globalMean: mu, userBias: [], itemBias: meanNormalization ? means.map { $0 - mu } : [],
            userFactors: Matrix(rows: data.userCount, columns: k, storage: solution[itemParts...].map { Float($0) }),
            itemFactors: Matrix(rows: data.itemCount, columns: k, storage: solution[..<itemParts].map { Float($0) }),
            foldIn: .ridge(lambda: Float(regularization) / 10))
    }
}

/// J(X, Theta) of ``CollaborativeFiltering`` over one flat parameter vector: X (items x k, row-major) then Theta
/// (users x k), in Double.
public struct CofiObjective: FusedObjective, Sendable {
    /// The number of features k.
    public let factors: Int
    /// lambda.
    public let regularization: Double
    let byUser: SparseRows
    let byItem: SparseRows
    /// Targets by user (ratings minus item means when normalized), parallel to `byUser`.
    let targets: [Double]
    /// Targets by item, parallel to `byItem`.
    let targetsByItem: [Double]
    let userCount: Int
    let itemCount: Int

    /// The objective on `data`; `itemMeans` empty for no normalization.
    public init(data: RatingMatrix, factors: Int, regularization: Double, itemMeans: [Float]) {
        self.factors = factors
        self.regularization = regularization
        byUser = data.byUser
        byItem = data.byItem
        userCount = data.userCount
        itemCount = data.itemCount
        targets = (0..<data.count).map { e in
            Double(data.byUser.values[e]) - (itemMeans.isEmpty ? 0 : Double(itemMeans[Int(data.byUser.indices[e])]))
        }
        var t = [Double](repeating: 0, count: data.count)
        for i in 0..<data.itemCount {
            for e in data.byItem.range(of: i) {
                t[e] = Double(data.byItem.values[e]) - (itemMeans.isEmpty ? 0 : Double(itemMeans[i]))
            }
        }
        targetsByItem = t
    }

    public var parameterCount: Int { (userCount + itemCount) * factors }

    /// J at `parameters`, with its gradient written into `gradient`: one pass over the observed entries.
    public func evaluate(_ parameters: [Double], gradient: inout [Double]) -> Double {
        let k = factors, lambda = regularization
        let thetaOffset = itemCount * k
        var cost = 0.0
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                let p = p.baseAddress!, g = g.baseAddress!
                // Regularization: lambda/2 ||.||^2, gradient lambda * parameter.
                var squares = 0.0
                for j in 0..<parameterCount {
                    squares += p[j] * p[j]
                    g[j] = lambda * p[j]
                }
                cost = 0.5 * lambda * squares
                byUser.indices.withUnsafeBufferPointer { items in
                    for u in 0..<userCount {
                        let theta = p + thetaOffset + u * k, gTheta = g + thetaOffset + u * k
                        for e in byUser.range(of: u) {
                            let i = Int(items[e])
                            let x = p + i * k, gx = g + i * k
                            var prediction = 0.0
                            for f in 0..<k { prediction += theta[f] * x[f] }
                            let err = prediction - targets[e]
                            cost += 0.5 * err * err
                            for f in 0..<k {
                                gTheta[f] += err * x[f]
                                gx[f] += err * theta[f]
                            }
                        }
                    }
                }
            }
        }
        return cost
    }

    /// One sweep of the notes' alternating scheme: every x(i) = argmin J given Theta, then every theta(j) given X,
    /// each a k x k ridge system (Theta_S^T Theta_S + lambda I) x = Theta_S^T y solved by Cholesky.
    public func alternate(_ parameters: inout [Double], threads: Int) {
        let k = factors, lambda = regularization, thetaOffset = itemCount * k
        parameters.withUnsafeMutableBufferPointer { buffer in
            let p = SharedPointer(buffer.baseAddress!)
            // Items given Theta, then users given X.
            for (rows, values, count, solveOffset, otherOffset) in [
                (byItem, targetsByItem, itemCount, 0, thetaOffset), (byUser, targets, userCount, thetaOffset, 0),
            ] {
                Parallel.forEachRange(count, threads: threads) { range in
                    var equations = NormalEquations(dimension: k)
                    for r in range {
                        equations.reset()
                        for e in rows.range(of: r) {
                            equations.add(p.base + otherOffset + Int(rows.indices[e]) * k, target: values[e])
                        }
                        equations.addRidge(lambda)
                        if let x = equations.solve() {
                            for f in 0..<k { p[solveOffset + r * k + f] = x[f] }
                        }
                    }
                }
            }
        }
    }
}

extension CollaborativeFiltering: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...10_000, "features learned per item (k)"),
        .init("regularization", \.regularization, "lambda on X and Theta"),
        .init("optimizer", \.optimizer, "step rule of solver gd: sgd (plain), momentum, adagrad, rmsprop or adam (alone: solver gd)"),
        .init("solver", \.solver, default: { $0.optimizer == .sgd ? $0.solver : .gd },
              aliases: ["optimizer=lbfgs|cg|gd|alternating"],
              "lbfgs, cg (conjugate gradient), gd (gradient descent) or alternating (given Theta learn X, given X learn Theta)"),
        .init("iterations", \.iterations, in: 0...10_000_000, default: { $0.effectiveIterations },
              defaultText: "lbfgs 300, cg 500, gd 1500, alternating 15", "iterations or sweeps"),
        .init("learning-rate", \.learningRate, in: 1e-12...1e12, default: { $0.solver == .gd ? $0.effectiveLearningRate : nil },
              defaultText: "sgd 0.008, momentum 0.0008, adagrad 0.05, rmsprop/adam 0.002", "initial step of solver gd"),
        .init("schedule", \.schedule, "learning-rate schedule: constant, step:EVERY:FACTOR, exponential:DECAY, inverse-time:DECAY"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial X and Theta"),
        .init("mean-normalization", \.meanNormalization, "learn r - mu_i and predict theta.x + mu_i"),
    ]
}

extension CollaborativeFiltering.Solver: HyperparameterChoice {}

extension CollaborativeFiltering: GradientChecked {
    /// J with 3 features, lambda 0.7, mean-normalized.
    public func gradientCheck(seed: UInt64) -> GradientCheckResult {
        GradientCheck.check(seed: seed) { data, _ in
            CofiObjective(data: data, factors: 3, regularization: 0.7, itemMeans: data.itemMeans())
        }
    }
}

extension ModelDescriptor {
    /// `cofi`: collaborative filtering learning X and Theta together.
    public static let cofi = ModelDescriptor(
        name: "cofi", summary: "collaborative filtering: J(X, Theta) with mean normalization, by L-BFGS, GD or alternating",
        task: .rating, defaults: CollaborativeFiltering.defaults
    ).withRestarts()
}
