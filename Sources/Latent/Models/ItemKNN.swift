import Foundation

/// `item-knn`: item-based k-nearest-neighbours on interactions (Sarwar et al. 2001; Deshpande and Karypis 2004), with
/// the asymmetric cosine and shrinkage of Aiolli (2013) as Dacrema, Cremonesi and Jannach (2019) tuned it.
///
/// With c_ij the number of users who interacted with both i and j and n_i the number who interacted with i,
///
///     sim(j <- i) = c_ij / (n_j^alpha n_i^(1 - alpha) + shrinkage)
///
/// (alpha 0.5 is the cosine; alpha toward 1 divides more by the target's popularity, toward 0 by the neighbour's;
/// alpha 0, the default, is the conditional probability P(j | i) of Deshpande and Karypis, shrunk).
/// Each item j keeps its `neighbors` most similar items i; the score of j for a user is the sum of its kept
/// similarities to the items the user interacted with (``ItemGraphModel``). Every pair counts once, whatever its
/// value. The similarities are computed item by item from co-occurrence counts (sum over users of |N(u)|^2 work,
/// one item-length accumulator per thread), never as a dense item x item matrix, so 20,000 items and more fit.
public struct ItemKNN: ModelConfiguration {
    /// How many neighbours each item keeps.
    public var neighbors: Int
    /// The shrinkage added to the denominator: similarities backed by few users shrink toward zero.
    public var shrinkage: Float
    /// The asymmetry alpha of the cosine (0.5: the cosine).
    public var alpha: Float

    /// The defaults, chosen on a validation split carved from MovieLens 100k `u1.base` (see the README).
    public static let defaults = ItemKNN(neighbors: 100, shrinkage: 10, alpha: 0)

    /// Computes the kept similarities on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> ItemGraphModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let counts = (0..<data.itemCount).map { Float(data.byItem.count(of: $0)) }
        let shrinkage = self.shrinkage
        let target = counts.map { powf($0, alpha) }, neighbour = counts.map { powf($0, 1 - alpha) }
        // Row j: the neighbours i of target j; transposed, row i lists the targets that i scores.
        let byTarget = ItemGraph.rows(data, neighbors: neighbors, threads: context.threads,
                                      userWeight: [Float](repeating: 1, count: data.userCount)) { j, i, c in
            c / (target[j] * neighbour[i] + shrinkage)
        }
        return ItemGraphModel(name: "item-knn", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                              weights: byTarget.transposed(columnCount: data.itemCount), popularity: Popularity.shares(data))
    }
}

extension ItemKNN {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("neighbors", \.neighbors, in: 1...1_000_000, "neighbours kept per item"),
        .init("shrinkage", \.shrinkage, in: 0...1e9, "shrinkage added to the similarity's denominator"),
        .init("alpha", \.alpha, in: 0...1, "asymmetry of the cosine (0.5: cosine; 0: P(j | i))"),
    ]
}

extension ModelDescriptor {
    /// `item-knn`: item-based nearest neighbours with the (asymmetric) cosine and shrinkage.
    public static let itemKNN = ModelDescriptor(
        name: "item-knn", summary: "item k-nearest-neighbours: asymmetric cosine c_ij / (n_j^a n_i^(1-a) + shrinkage), top-k per item",
        task: .ranking, defaults: ItemKNN.defaults)
}
