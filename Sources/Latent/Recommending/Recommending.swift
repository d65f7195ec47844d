/// How related items (or users) are measured.
public enum SimilarityMetric: String, Sendable, CaseIterable {
    /// The smallest Euclidean distance between vectors, as in the course notes; the score is the negated distance.
    case euclidean
    /// The largest cosine of the angle between vectors.
    case cosine
}

/// One recommended item (or similar user), by identifier, with its score.
public struct ScoredID: Sendable, Equatable {
    /// The item's (or user's) identifier.
    public var id: String
    /// The score: a predicted rating, a ranking score, or a similarity.
    public var score: Float

    /// A scored identifier.
    public init(id: String, score: Float) {
        self.id = id
        self.score = score
    }
}

extension Recommender {
    /// The predicted rating of `item` by `user`, clipped to the rating scale. Unknown users or items fall back to
    /// what the model knows (see each model), never fail.
    public func predict(user: String, item: String) -> Float {
        domain.clip(rawPrediction(user: domain.users.index(of: user), item: domain.items.index(of: item)))
    }

    /// The `count` best items for the known user `user`, best first.
    ///
    /// - Parameters:
    ///   - user: the user, by dense index.
    ///   - count: how many items.
    ///   - excludeSeen: leave out the items the user rated in training (the default).
    ///   - allowed: when given, only these items (dense indices) are candidates.
    ///   - excluded: items (dense indices) never recommended.
    public func recommend(user: Int, count: Int, excludeSeen: Bool = true, allowed: Set<Int>? = nil,
                          excluded: Set<Int> = []) -> [TopK.Entry] {
        recommend(users: [user], count: count, excludeSeen: excludeSeen, allowed: allowed, excluded: excluded)[0]
    }

    /// The `count` best items for `user` by identifier, best first.
    ///
    /// - Throws: ``RecommendationError/unknownUser(_:)`` when the model does not know `user`; use
    ///   ``recommend(foldingIn:count:allowed:excluded:)`` for a new user.
    public func recommend(user: String, count: Int = 10, excludeSeen: Bool = true, allowed: Set<String>? = nil,
                          excluded: Set<String> = []) throws -> [ScoredID] {
        guard let u = domain.users.index(of: user) else { throw RecommendationError.unknownUser(user) }
        let entries = recommend(user: u, count: count, excludeSeen: excludeSeen, allowed: itemIndices(allowed),
                                excluded: itemIndices(excluded) ?? [])
        return scoredItems(entries)
    }

    /// Entries as identifiers with their scores clipped to the rating scale, as ``predict(user:item:)`` gives them
    /// (the order is that of the raw scores).
    func scoredItems(_ entries: [TopK.Entry]) -> [ScoredID] {
        entries.map { ScoredID(id: domain.items[$0.index], score: domain.clip($0.score)) }
    }

    /// The `count` best items for a user the model has not seen, from their ratings by item identifier, without
    /// retraining. The rated items are not recommended. Items the model does not know are ignored. When the model
    /// cannot tell the items apart for this user (every score equal: no known item, for a model without item
    /// biases), the items are ranked by popularity (the number of training users of each), with the model's score.
    public func recommend(foldingIn ratings: [(item: String, value: Float)], count: Int = 10,
                          allowed: Set<String>? = nil, excluded: Set<String> = []) -> [ScoredID] {
        let known = ratings.compactMap { r in domain.items.index(of: r.item).map { (item: $0, value: r.value) } }
        var scores = [Float](repeating: 0, count: domain.items.count)
        scoreItems(foldingIn: known, into: &scores)
        var ranking = scores
        if let first = scores.first, scores.allSatisfy({ $0 == first }) {
            ranking = [Float](repeating: 0, count: domain.items.count)
            for i in domain.seen.indices { ranking[Int(i)] += 1 }
        }
        var mask = candidates(allowed: itemIndices(allowed), excluded: itemIndices(excluded) ?? [])
        for (i, _) in known { mask[i] = false }
        let entries = Self.best(ranking, count: count, among: mask)
        return scoredItems(entries.map { TopK.Entry(index: $0.index, score: scores[$0.index]) })
    }

    /// The `count` items most related to `item` by the model's item vectors, most related first; the item itself is
    /// left out. With ``SimilarityMetric/euclidean`` the score is the negated distance.
    public func similarItems(to item: String, count: Int = 10, metric: SimilarityMetric = .euclidean) throws -> [ScoredID] {
        try nearest(to: domain.items.index(of: item), or: .unknownItem(item), in: itemVectors, of: "item", ids: domain.items,
                    count: count, metric: metric)
    }

    /// The `count` users most similar to `user` by the model's user vectors, most similar first.
    public func similarUsers(to user: String, count: Int = 10, metric: SimilarityMetric = .cosine) throws -> [ScoredID] {
        try nearest(to: domain.users.index(of: user), or: .unknownUser(user), in: userVectors, of: "user", ids: domain.users,
                    count: count, metric: metric)
    }

    /// The rows of `vectors` nearest to row `index` by identifier, or `unknown` when there is no such row.
    private func nearest(to index: Int?, or unknown: RecommendationError, in vectors: Matrix?, of kind: String, ids: IDMap,
                         count: Int, metric: SimilarityMetric) throws -> [ScoredID] {
        guard let index else { throw unknown }
        guard let vectors else {
            throw RecommendationError.unsupported("the \(name) model has no \(kind) vectors to compare \(kind)s by")
        }
        return Self.nearest(to: index, in: vectors, count: count, metric: metric).map {
            ScoredID(id: ids[$0.index], score: $0.score)
        }
    }

    private func itemIndices(_ ids: Set<String>?) -> Set<Int>? {
        ids.map { Set($0.compactMap { domain.items.index(of: $0) }) }
    }

    /// The candidate items: those in `allowed` (every item when nil) and not in `excluded`; indices outside the
    /// catalog are ignored.
    func candidates(allowed: Set<Int>?, excluded: Set<Int>) -> [Bool] {
        let itemCount = domain.items.count
        var mask = [Bool](repeating: allowed == nil, count: itemCount)
        if let allowed { for i in allowed where i >= 0 && i < itemCount { mask[i] = true } }
        for i in excluded where i >= 0 && i < itemCount { mask[i] = false }
        return mask
    }

    /// The best `count` of `scores` among the items whose `mask` entry is true, best first.
    static func best(_ scores: [Float], count: Int, among mask: [Bool]) -> [TopK.Entry] {
        var top = TopK(k: count)
        for i in 0..<scores.count where mask[i] { top.offer(index: i, score: scores[i]) }
        return top.sorted()
    }

    /// The rows of `vectors` nearest to row `target`, itself excluded.
    static func nearest(to target: Int, in vectors: Matrix, count: Int, metric: SimilarityMetric) -> [TopK.Entry] {
        let k = vectors.columns
        var top = TopK(k: count)
        vectors.storage.withUnsafeBufferPointer { v in
            let base = v.baseAddress!
            let t = base + target * k
            let tNorm = Vector.squaredNorm(t, count: k).squareRoot()
            for r in 0..<vectors.rows where r != target {
                let x = base + r * k
                switch metric {
                case .euclidean:
                    top.offer(index: r, score: -Vector.squaredDistance(t, x, count: k).squareRoot())
                case .cosine:
                    let denominator = tNorm * Vector.squaredNorm(x, count: k).squareRoot()
                    top.offer(index: r, score: denominator > 0 ? Vector.dot(t, x, count: k) / denominator : 0)
                }
            }
        }
        return top.sorted()
    }
}
