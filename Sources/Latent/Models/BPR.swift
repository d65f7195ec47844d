import Foundation

/// `bpr`: Bayesian personalized ranking (Rendle et al., 2009) by stochastic gradient ascent over sampled triples.
///
/// For a user u, an item i the user interacted with and an item j they did not, the model scores
/// x_uij = (b_i - b_j) + p_u . (q_i - q_j) and maximizes sum ln sigmoid(x_uij) - lambda/2 (||p_u||^2 + ||q_i||^2 +
/// ||q_j||^2 + b_i^2 + b_j^2). Each epoch draws as many triples as there are interactions: the positive pair
/// uniformly among the interactions, the negative item uniformly among the items the user has not interacted with,
/// all from the seeded generator, and updates with step `learningRate`:
///
///     g = sigmoid(-x_uij)
///     p_u += eta (g (q_i - q_j) - lambda p_u);  q_i += eta (g p_u - lambda q_i);  q_j += eta (-g p_u - lambda q_j)
///     b_i += eta (g - lambda b_i);  b_j += eta (-g - lambda b_j)      (with item biases)
///
/// Training is sequential (one thread), so the same seed always gives the same model. The result is a
/// ``FactorModel`` with no global mean or user bias; a new user is folded in with the implicit least-squares rule
/// (alpha 1, lambda = 100 x regularization, so 2 at the defaults: BPR's own lambda is a per-step SGD weight, far too
/// small for a least-squares solve), which ranks by the item factors and biases the model learnt.
public struct BPR: Sendable {
    /// The number of latent factors k.
    public var factors: Int
    /// Passes over the interactions (epochs, each drawing one triple per interaction).
    public var iterations: Int
    /// The step eta.
    public var learningRate: Float
    /// lambda, the regularization of factors and biases.
    public var regularization: Float
    /// Whether items have a bias b_i.
    public var itemBias: Bool
    /// The standard deviation of the initial factors.
    public var initialScale: Float

    /// The defaults, chosen on a validation split carved from MovieLens 100k `u1.base`.
    public static let defaults = BPR(factors: 64, iterations: 100, learningRate: 0.02, regularization: 0.02, itemBias: true,
                                     initialScale: 0.1)

    /// Trains on the interactions of `data` (every stored pair is a positive, whatever its value).
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let k = factors, itemCount = data.itemCount
        var rng = SeededGenerator(seed: context.seed)
        var p = Matrix(rows: data.userCount, columns: k, normalStandardDeviation: initialScale, using: &rng)
        var q = Matrix(rows: itemCount, columns: k, normalStandardDeviation: initialScale, using: &rng)
        var b = [Float](repeating: 0, count: itemCount)
        let (users, items, _) = data.triples()
        let seen = data.byUser
        let eta = learningRate, lambda = regularization, useBias = itemBias
        for epoch in 1...max(1, iterations) where iterations > 0 {
            var loss = 0.0
            var skipped = 0
            p.storage.withUnsafeMutableBufferPointer { pp in
            q.storage.withUnsafeMutableBufferPointer { qp in
            b.withUnsafeMutableBufferPointer { bp in
                for _ in 0..<users.count {
                    let n = rng.nextInt(below: users.count)
                    let u = Int(users[n]), i = Int(items[n])
                    guard seen.count(of: u) < itemCount else { skipped += 1; continue }
                    var j = rng.nextInt(below: itemCount)
                    while seen.contains(row: u, column: Int32(j)) { j = rng.nextInt(below: itemCount) }
                    let pu = pp.baseAddress! + u * k, qi = qp.baseAddress! + i * k, qj = qp.baseAddress! + j * k
                    var x = Vector.dot(pu, qi, count: k) - Vector.dot(pu, qj, count: k)
                    if useBias { x += bp[i] - bp[j] }
                    let g = 1 / (1 + exp(x))
                    loss -= Double(x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)))
                    for f in 0..<k {
                        let pf = pu[f], qif = qi[f], qjf = qj[f]
                        pu[f] += eta * (g * (qif - qjf) - lambda * pf)
                        qi[f] += eta * (g * pf - lambda * qif)
                        qj[f] += eta * (-g * pf - lambda * qjf)
                    }
                    if useBias {
                        bp[i] += eta * (g - lambda * bp[i])
                        bp[j] += eta * (-g - lambda * bp[j])
                    }
                }
            }}}
            guard loss.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: eta) }
            context.report(TrainingProgress(step: epoch, total: iterations, loss: loss / Double(max(1, users.count - skipped))))
        }
        guard p.isFinite, q.isFinite else { throw TrainingError.diverged(epoch: iterations, learningRate: eta) }
        return FactorModel(name: "bpr", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                           globalMean: 0, userBias: [], itemBias: useBias ? b : [], userFactors: p, itemFactors: q,
                           foldIn: .implicit(alpha: 1, lambda: max(regularization, 1e-3) * 100))
    }
}

extension BPR: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...10_000, "number of latent factors k"),
        .init("iterations", \.iterations, in: 0...100_000, "passes (epochs), each drawing one triple per interaction"),
        .init("learning-rate", \.learningRate, in: 1e-12...100, "SGD step"),
        .init("regularization", \.regularization, in: 0...1e6, "lambda for factors and biases"),
        .init("item-bias", \.itemBias, "learn an item bias b_i"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
    ]
}

extension ModelDescriptor {
    /// `bpr`: Bayesian personalized ranking by SGD over sampled triples.
    public static let bpr = ModelDescriptor(
        name: "bpr", summary: "Bayesian personalized ranking: SGD over sampled (user, positive, negative) triples",
        task: .ranking, defaults: BPR.defaults)
}
