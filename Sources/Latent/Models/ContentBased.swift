import Foundation

/// Content-based recommendation (DESIGN.md item 1): each item i has a feature vector x(i) with an intercept x0 = 1,
/// and each user j learns theta(j) by regularized linear regression on the items they rated:
///
///     min_theta 1/2 sum_{i: r(i,j)=1} (theta^T x(i) - y(i,j))^2 + lambda/2 sum_{k>=1} theta_k^2
///
/// (the intercept theta_0 is not regularized). The default solver is batch gradient descent as in the notes; the exact
/// normal-equation solution (X^T X + Lambda) theta = X^T y is `solver=normal`.
///
/// **Mean normalization** (on by default, `mean-normalization=false` turns it off): the targets are y - mu_i, with
/// mu_i the item's mean training rating, and predictions are theta^T x(i) + mu_i; a user with no ratings (the notes'
/// Eve) is predicted mu_i. Off, the targets are the raw ratings and an unknown user is predicted 0 (the notes' warning).
///
/// The model is a ``FactorModel`` whose item factors are the features with the intercept column first, whose user
/// factors are the thetas, and whose item biases are mu_i - mu with global mean mu. Items without a row in the
/// features get only the intercept. Related items compare these feature vectors, as the notes do.
public struct ContentBasedRegression: Sendable {
    /// How each user's regression is solved.
    public enum Solver: String, Sendable, CaseIterable {
        /// Batch gradient descent as in the notes.
        case gd
        /// The exact normal-equation solution (Cholesky).
        case normal
    }

    /// lambda, the regularization of theta_1...theta_n.
    public var regularization: Float
    /// The solver.
    public var solver: Solver
    /// Gradient-descent iterations per user.
    public var iterations: Int
    /// The gradient-descent step, relative to the user's curvature: each user's step is
    /// learningRate / L_j, with L_j the Gershgorin bound on the largest eigenvalue of X_j^T X_j + Lambda, so any
    /// value in (0, 2) converges for every user whatever the number of ratings; above 2 it may diverge.
    public var learningRate: Float
    /// Whether ratings are mean-normalized by item.
    public var meanNormalization: Bool
    /// The model's input: one row of features per item (not a hyperparameter; see ``use(_:)``).
    public var itemFeatures: ItemFeatures?

    /// The defaults of `content`.
    public static let defaults = ContentBasedRegression(regularization: 10, solver: .gd, iterations: 500,
                                                        learningRate: 1, meanNormalization: true)

    /// The feature rows of the items of `data`, with the intercept first: an itemCount x (features + 1) matrix.
    public static func designMatrix(for items: IDMap, features: ItemFeatures) -> Matrix {
        let f = features.values.columns
        var x = Matrix(rows: items.count, columns: f + 1)
        for i in 0..<items.count {
            x[i, 0] = 1
            if let r = features.items.index(of: items[i]) {
                for c in 0..<f { x[i, c + 1] = features.values[r, c] }
            }
        }
        return x
    }

    /// Takes the item features of `inputs`.
    public mutating func use(_ inputs: ModelInputs) { itemFeatures = inputs.itemFeatures ?? itemFeatures }

    /// Trains on `data` with ``itemFeatures``; without them, ``TrainingError/missingInput(_:)``.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        guard let features = itemFeatures else {
            throw TrainingError.missingInput("item features (content needs them: --item-features FILE, e.g. u.item)")
        }
        let x = Self.designMatrix(for: data.items, features: features)
        let means = meanNormalization ? data.itemMeans() : []
        let problem = ContentObjective(data: data, design: x, itemMeans: means, regularization: Double(regularization))
        let n = problem.dimension
        var theta = [Double](repeating: 0, count: data.userCount * n)
        let failure = FirstError()
        let rate = Double(learningRate), iterations = self.iterations, solver = self.solver
        theta.withUnsafeMutableBufferPointer { buffer in
            let out = SharedPointer(buffer.baseAddress!)
            Parallel.forEachRange(data.userCount, threads: context.threads) { users in
                var t = [Double](repeating: 0, count: n)
                for u in users {
                    do {
                        switch solver {
                        case .normal: t = problem.exactSolution(user: u)
                        case .gd: try problem.gradientDescent(user: u, theta: &t, rate: rate, iterations: iterations)
                        }
                    } catch {
                        failure.record(index: u, error)
                        return
                    }
                    for c in 0..<n { out[u * n + c] = t[c] }
                }
            }
        }
        if let error = failure.error { throw error }
        let mu = meanNormalization ? data.globalMean : 0
        let bias = meanNormalization ? means.map { $0 - mu } : []
        context.report(TrainingProgress(stage: "users", step: data.userCount, total: data.userCount, loss: problem.value(at: theta)))
        return FactorModel(
            name: "content", domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: hyperparameters,
            globalMean: mu, userBias: [], itemBias: bias,
            userFactors: Matrix(rows: data.userCount, columns: n, storage: theta.map { Float($0) }), itemFactors: x,
            foldIn: .ridge(lambda: regularization / 10))
    }
}

/// The content-based objective J(Theta) = sum over users of their regularized squared errors, kept as each user's
/// sufficient statistics G_j = X_j^T X_j, b_j = X_j^T y_j, c_j = y_j^T y_j (in Double), so that
///
///     J_j(theta) = 1/2 theta^T G_j theta - b_j^T theta + 1/2 c_j + lambda/2 sum_{k>=1} theta_k^2
///     grad J_j   = G_j theta - b_j + lambda (0, theta_1, ..., theta_n)
///
/// exactly the notes' sum over rated items, computed once per user instead of once per iteration.
public struct ContentObjective: DifferentiableObjective, Sendable {
    /// The parameters per user (features + intercept).
    public let dimension: Int
    /// The number of users.
    public let userCount: Int
    /// lambda.
    public let regularization: Double
    var gram: [Double]
    var linear: [Double]
    var constant: [Double]

    /// The objective of `data` with design matrix `design` (intercept first) and targets y - mu_i (or y when
    /// `itemMeans` is empty).
    public init(data: RatingMatrix, design: Matrix, itemMeans: [Float], regularization: Double) {
        let n = design.columns
        dimension = n
        userCount = data.userCount
        self.regularization = regularization
        gram = [Double](repeating: 0, count: data.userCount * n * n)
        linear = [Double](repeating: 0, count: data.userCount * n)
        constant = [Double](repeating: 0, count: data.userCount)
        var equations = NormalEquations(dimension: n)
        design.storage.withUnsafeBufferPointer { x in
            for u in 0..<data.userCount {
                equations.reset()
                for e in data.byUser.range(of: u) {
                    let i = Int(data.byUser.indices[e])
                    let y = Double(data.byUser.values[e]) - (itemMeans.isEmpty ? 0 : Double(itemMeans[i]))
                    equations.add(x.baseAddress! + i * n, target: y)
                    constant[u] += y * y
                }
                for a in 0..<n {
                    linear[u * n + a] = equations.b[a]
                    for b in 0..<n { gram[(u * n + a) * n + b] = equations.a[min(a, b) * n + max(a, b)] }
                }
            }
        }
    }

    public var parameterCount: Int { userCount * dimension }

    /// J_j(theta) for user `u`.
    func userValue(_ u: Int, _ t: UnsafePointer<Double>) -> Double {
        let n = dimension
        var v = 0.5 * constant[u]
        for a in 0..<n {
            var ga = 0.0
            for b in 0..<n { ga += gram[(u * n + a) * n + b] * t[b] }
            v += 0.5 * t[a] * ga - linear[u * n + a] * t[a]
            if a > 0 { v += 0.5 * regularization * t[a] * t[a] }
        }
        return v
    }

    /// grad J_j(theta) for user `u` into `g`.
    func userGradient(_ u: Int, _ t: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        let n = dimension
        for a in 0..<n {
            var ga = -linear[u * n + a]
            for b in 0..<n { ga += gram[(u * n + a) * n + b] * t[b] }
            g[a] = ga + (a > 0 ? regularization * t[a] : 0)
        }
    }

    public func value(at parameters: [Double]) -> Double {
        parameters.withUnsafeBufferPointer { p in
            (0..<userCount).reduce(0.0) { $0 + userValue($1, p.baseAddress! + $1 * dimension) }
        }
    }

    public func gradient(at parameters: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: parameterCount)
        parameters.withUnsafeBufferPointer { p in
            g.withUnsafeMutableBufferPointer { gp in
                for u in 0..<userCount { userGradient(u, p.baseAddress! + u * dimension, gp.baseAddress! + u * dimension) }
            }
        }
        return g
    }

    /// The exact minimizer for user `u`: (G_j + Lambda) theta = b_j, by Cholesky (zeros for a user with no ratings).
    public func exactSolution(user u: Int) -> [Double] {
        let n = dimension
        var a = Array(gram[(u * n * n)..<((u + 1) * n * n)])
        for k in 1..<max(1, n) { a[k * n + k] += regularization }
        guard a[0] > 0 else { return [Double](repeating: 0, count: n) }
        let b = Array(linear[(u * n)..<((u + 1) * n)])
        if let x = Cholesky.solve(a, b) { return x }
        for k in 0..<n { a[k * n + k] += 1e-8 * max(1, a[k * n + k]) }
        return Cholesky.solve(a, b) ?? [Double](repeating: 0, count: n)
    }

    /// Gradient descent for user `u` from `theta`: theta -= (rate / L_j) grad J_j, `iterations` times.
    func gradientDescent(user u: Int, theta: inout [Double], rate: Double, iterations: Int) throws {
        let n = dimension
        // Gershgorin: the largest eigenvalue of G_j + Lambda is at most its largest absolute row sum.
        var bound = 0.0
        for a in 0..<n {
            var s = a > 0 ? regularization : 0
            for b in 0..<n { s += abs(gram[(u * n + a) * n + b]) }
            bound = max(bound, s)
        }
        guard bound > 0 else { return }
        let step = rate / bound
        var g = [Double](repeating: 0, count: n)
        try theta.withUnsafeMutableBufferPointer { t in
            try g.withUnsafeMutableBufferPointer { gp in
                for epoch in 0..<iterations {
                    userGradient(u, t.baseAddress!, gp.baseAddress!)
                    for a in 0..<n { t[a] -= step * gp[a] }
                    if !t[0].isFinite || !userValue(u, t.baseAddress!).isFinite {
                        throw TrainingError.diverged(epoch: epoch + 1, learningRate: Float(rate))
                    }
                }
            }
        }
    }
}

extension ContentBasedRegression: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("regularization", \.regularization, "lambda on theta_1..n (the intercept is not regularized)"),
        .init("solver", \.solver, "gd (gradient descent, as the notes) or normal (exact normal equations)"),
        .init("iterations", \.iterations, in: 0...1_000_000, "gradient-descent iterations per user"),
        .init("learning-rate", \.learningRate, in: 1e-12...1e12,
              "gradient-descent step relative to each user's curvature bound; (0, 2) converges"),
        .init("mean-normalization", \.meanNormalization, "learn y - mu_i and predict theta.x + mu_i (unknown users get mu_i)"),
    ]
}

extension ContentBasedRegression.Solver: HyperparameterChoice {}

extension ContentBasedRegression: GradientChecked {
    /// The objective with three random features per item, lambda 0.7, mean-normalized.
    public func gradientCheck(seed: UInt64) -> GradientCheckResult {
        GradientCheck.check(seed: seed) { data, rng in
            var values = Matrix(rows: data.itemCount, columns: 3)
            for j in values.storage.indices { values.storage[j] = rng.nextUniform() }
            let x = Self.designMatrix(for: data.items, features: ItemFeatures(items: data.items, names: ["a", "b", "c"], values: values))
            return ContentObjective(data: data, design: x, itemMeans: data.itemMeans(), regularization: 0.7)
        }
    }
}

extension ModelDescriptor {
    /// `content`: per-user regularized linear regression on item features.
    public static let content = ModelDescriptor(
        name: "content", summary: "content-based: per-user ridge regression on item features (needs --item-features)",
        task: .rating, defaults: ContentBasedRegression.defaults)
}
