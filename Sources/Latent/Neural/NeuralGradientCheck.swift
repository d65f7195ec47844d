/// The training objective of ``NeuMF`` on a small fixed problem, in Double, for numerical gradient checks
/// (`latent gradcheck --model neural`).
///
/// The parameters are every embedding and dense weight in one vector (user GMF, item GMF, user MLP, item MLP,
/// dense); the value is the mean over the samples of the loss plus the regularization of the rows each sample
/// touches: exactly what training differentiates.
public struct NeuMFGradientObjective: DifferentiableObjective {
    /// The network whose shape (and initial parameters) the check uses.
    public let network: NeuMF<Double>
    /// The (user, item, target) samples.
    public let samples: [(user: Int, item: Int, target: Double)]
    /// The loss.
    public let objective: NeuMFObjective
    /// The embedding regularization lambda.
    public let regularization: Double

    /// A random small problem: `users` x `items`, each pair a sample with a random 0/1 target (bce) or a value in
    /// -2...2 (mse), a network with the given hidden layers and activation, all from `seed`.
    public init(seed: UInt64 = 1, users: Int = 3, items: Int = 4, gmfSize: Int = 3, mlpSize: Int = 2,
                hidden: [Int] = [4, 3], activation: Activation = .tanh, objective: NeuMFObjective = .logistic,
                regularization: Double = 0.01) {
        var rng = SeededGenerator(seed: seed)
        network = NeuMF<Double>(users: users, items: items, gmfSize: gmfSize, mlpSize: mlpSize, hidden: hidden,
                                activation: activation, initialScale: 0.5, using: &rng)
        samples = (0..<users).flatMap { u in
            (0..<items).map { i in (u, i, objective == .logistic ? Double(rng.nextInt(below: 2)) : Double(rng.nextUniform()) * 4 - 2) }
        }
        self.objective = objective
        self.regularization = regularization
    }

    /// The network's parameter arrays, in the order of the flat vector.
    private static var parts: [WritableKeyPath<NeuMF<Double>, [Double]>] { [\.userGMF, \.itemGMF, \.userMLP, \.itemMLP, \.dense] }

    public var parameterCount: Int { Self.parts.reduce(0) { $0 + network[keyPath: $1].count } }

    /// The network's own parameters as one vector: the point to check at.
    public var initialPoint: [Double] { Self.parts.flatMap { network[keyPath: $0] } }

    private func network(at x: [Double]) -> NeuMF<Double> {
        var n = network
        var o = 0
        for part in Self.parts {
            let count = n[keyPath: part].count
            n[keyPath: part] = Array(x[o..<(o + count)])
            o += count
        }
        return n
    }

    private func evaluate(_ x: [Double]) -> (Double, [Double]) {
        let n = network(at: x)
        var g = NeuMF<Double>.Gradients(n)
        var ws = NeuMF<Double>.Workspace(n)
        let scale = 1 / Double(samples.count)
        var total = 0.0
        for s in samples {
            total += n.accumulate(user: s.user, item: s.item, target: s.target, objective: objective,
                                  regularization: regularization, scale: scale, into: &g, &ws)
        }
        return (total * scale, g.userGMF + g.itemGMF + g.userMLP + g.itemMLP + g.dense)
    }

    public func value(at parameters: [Double]) -> Double { evaluate(parameters).0 }
    public func gradient(at parameters: [Double]) -> [Double] { evaluate(parameters).1 }
}

extension NeuralTraining: GradientChecked {
    public func gradientCheck(seed: UInt64) -> GradientCheckResult { Self.gradientCheck(seed: seed) }

    /// Checks the neural recommender's backpropagation against central differences on a small random problem.
    public static func gradientCheck(seed: UInt64 = 1, objective: NeuMFObjective = .logistic,
                                     activation: Activation = .tanh) -> GradientCheckResult {
        let f = NeuMFGradientObjective(seed: seed, activation: activation, objective: objective)
        return GradientCheck.check(f, at: f.initialPoint)
    }
}
