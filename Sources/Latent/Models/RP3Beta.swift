import Foundation

/// `rp3beta`: the random walk P^3 with a popularity penalty (Paudel, Christoffel, Newell and Bernstein 2017), one of
/// the strong baselines of Dacrema, Cremonesi and Jannach (2019).
///
/// A walk from item i to a user who interacted with it and on to an item j of that user, each step uniform and raised
/// to the power alpha, then divided by j's popularity n_j to the power beta:
///
///     W_ij = n_i^-alpha sum_{u in R(i) and R(j)} |N(u)|^-alpha / n_j^beta      (j != i)
///
/// Each item i keeps its `neighbors` largest W_ij; a user's score for j is the sum of W_ij over the items i the user
/// interacted with (``ItemGraphModel``), the three-step walk from the user up to a factor that depends on the user
/// alone. alpha 1 and beta 0 is the plain P^3 walk. Computed item by item (sum over users of |N(u)|^2 work, one
/// item-length accumulator per thread), never as a dense matrix, so 20,000 items and more fit.
public struct RP3Beta: ModelConfiguration {
    /// How many items each item's row keeps.
    public var neighbors: Int
    /// The power alpha of the transition probabilities.
    public var alpha: Float
    /// The popularity penalty beta.
    public var beta: Float

    /// The defaults, chosen on a validation split carved from MovieLens 100k `u1.base` (see the README).
    public static let defaults = RP3Beta(neighbors: 200, alpha: 0.75, beta: 0.6)

    /// Computes the kept walk weights on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> ItemGraphModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let alpha = self.alpha, beta = self.beta
        let itemFactor = (0..<data.itemCount).map { powf(Float(data.byItem.count(of: $0)), -alpha) }
        let penalty = (0..<data.itemCount).map { powf(Float(data.byItem.count(of: $0)), -beta) }
        let userWeight = (0..<data.userCount).map { powf(Float(data.byUser.count(of: $0)), -alpha) }
        let rows = ItemGraph.rows(data, neighbors: neighbors, threads: context.threads, userWeight: userWeight) { i, j, c in
            itemFactor[i] * c * penalty[j]
        }
        return ItemGraphModel(name: "rp3beta", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                              weights: rows, popularity: Popularity.shares(data))
    }
}

extension RP3Beta {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("neighbors", \.neighbors, in: 1...1_000_000, "items kept per item's row"),
        .init("alpha", \.alpha, in: 0...10, "power of the transition probabilities"),
        .init("beta", \.beta, in: 0...10, "popularity penalty: divide by n_j^beta"),
    ]
}

extension ModelDescriptor {
    /// `rp3beta`: the popularity-penalized random walk.
    public static let rp3beta = ModelDescriptor(
        name: "rp3beta", summary: "random walk item -> user -> item, transitions^alpha, divided by popularity^beta (RP3beta)",
        task: .ranking, defaults: RP3Beta.defaults)
}
