/// How related items (or users) are measured.
public enum SimilarityMetric: String, Sendable, CaseIterable {
    /// The smallest Euclidean distance between vectors, as in the course notes; the score is the negated distance.
    case euclidean
    /// The largest cosine of the angle between vectors.
    case cosine
}

/// A user folded into a trained model from their ratings (see ``Recommender/foldIn(_:addingTo:)``): the ratings by
/// dense item index, the score of every item, kept so that recommending for the user again costs one selection, and
/// the user's vector among the model's user vectors when the model has one.
public struct FoldedInUser: Sendable {
    /// The ratings (or interaction weights) folded in, by dense item index; these items are never recommended.
    public let ratings: [(item: Int, value: Float)]
    /// The score of every item of the model for this user (`domain.items.count` entries, unclipped).
    public let scores: [Float]
    /// The user's vector in the space of ``Recommender/userVectors`` (``Recommender/userVector(foldingIn:)``), or nil
    /// when the model has none.
    public let vector: [Float]?

    /// A folded-in user from its parts.
    public init(ratings: [(item: Int, value: Float)], scores: [Float], vector: [Float]? = nil) {
        self.ratings = ratings
        self.scores = scores
        self.vector = vector
    }
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

    /// The predicted rating of `item` by `user` for a rating made at `time` (seconds since 1970), clipped to the
    /// rating scale: the same as ``predict(user:item:)`` for every model that does not learn from times.
    public func predict(user: String, item: String, time: Int64) -> Float {
        domain.clip(rawPrediction(user: domain.users.index(of: user), item: domain.items.index(of: item), time: time))
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
        // The batch's work for one user, without its per-call arrays (a service answers one user per request).
        var scores = [Float](repeating: 0, count: domain.items.count)
        scoreItems(user: user, into: &scores)
        var mask = candidates(allowed: allowed, excluded: excluded)
        if excludeSeen { for i in domain.seen.columns(of: user) { mask[Int(i)] = false } }
        return Self.best(scores, count: count, among: mask)
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
        recommend(foldIn(ratings), count: count, allowed: allowed, excluded: excluded)
    }

    /// Folds a user in from their ratings (or interactions) by item identifier, without retraining: the model's
    /// fold-in (``scoreItems(foldingIn:into:)``; for factor models the ridge solution
    /// p = (sum_i q_i q_i^T + lambda n I)^-1 sum_i (r_i - mu - b_i) q_i) is computed once, and every later request for
    /// the user is a selection over the kept scores.
    ///
    /// - Parameters:
    ///   - ratings: the user's ratings; items the model does not know are ignored.
    ///   - user: when the model knows this user, their training ratings are folded in too; an item in `ratings`
    ///     replaces the training value of the same item. The user's trained vector is not used: the fold-in refits it.
    public func foldIn(_ ratings: [(item: String, value: Float)], addingTo user: String? = nil) -> FoldedInUser {
        var values: [Int: Float] = [:]
        var order: [Int] = []
        if let user, let u = domain.users.index(of: user) {
            let seen = domain.seen
            for n in seen.range(of: u) where values.updateValue(seen.values[n], forKey: Int(seen.indices[n])) == nil {
                order.append(Int(seen.indices[n]))
            }
        }
        for r in ratings {
            guard let i = domain.items.index(of: r.item) else { continue }
            if values.updateValue(r.value, forKey: i) == nil { order.append(i) }
        }
        let known = order.map { (item: $0, value: values[$0] ?? 0) }
        var scores = [Float](repeating: 0, count: domain.items.count)
        scoreItems(foldingIn: known, into: &scores)
        return FoldedInUser(ratings: known, scores: scores, vector: userVector(foldingIn: known))
    }

    /// The `count` best items for a folded-in user, best first, with their raw scores; the items they rated are left
    /// out. When the model cannot tell the items apart for this user (every score equal: no known item, for a model
    /// without item biases), the items are ranked by popularity (the number of training users of each).
    ///
    /// - Parameters:
    ///   - allowed: when given, only these items (dense indices) are candidates.
    ///   - excluded: items (dense indices) never recommended.
    public func recommend(_ user: FoldedInUser, count: Int, allowed: Set<Int>? = nil, excluded: Set<Int> = []) -> [TopK.Entry] {
        let scores = user.scores
        guard scores.count == domain.items.count else { return [] }
        var ranking = scores
        if let first = scores.first, scores.allSatisfy({ $0 == first }) {
            ranking = [Float](repeating: 0, count: domain.items.count)
            for i in domain.seen.indices { ranking[Int(i)] += 1 }
        }
        var mask = candidates(allowed: allowed, excluded: excluded)
        for (i, _) in user.ratings { mask[i] = false }
        return Self.best(ranking, count: count, among: mask).map { TopK.Entry(index: $0.index, score: scores[$0.index]) }
    }

    /// The `count` best items for a folded-in user by identifier, best first, scores clipped to the rating scale; the
    /// items they rated are left out.
    public func recommend(_ user: FoldedInUser, count: Int = 10, allowed: Set<String>? = nil,
                          excluded: Set<String> = []) -> [ScoredID] {
        scoredItems(recommend(user, count: count, allowed: itemIndices(allowed), excluded: itemIndices(excluded) ?? []))
    }

    /// The predicted rating of `item` by a folded-in user, clipped to the rating scale; an item the model does not
    /// know gets the model's fallback for an unknown user and item.
    public func predict(_ user: FoldedInUser, item: String) -> Float {
        guard let i = domain.items.index(of: item), i < user.scores.count else {
            return domain.clip(rawPrediction(user: nil, item: nil))
        }
        return domain.clip(user.scores[i])
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

    /// The `count` users most similar to a folded-in user by the model's user vectors, most similar first: their
    /// fold-in vector (``FoldedInUser/vector``) compared with every row of ``userVectors``. `user`, when the model
    /// knows it (a known user with more ratings folded in), is left out: its row is the user's trained vector.
    ///
    /// - Throws: ``RecommendationError/unsupported(_:)`` when the model has no user vectors, or no fold-in vector for
    ///   this user (a model whose fold-in does not place users among its user vectors, or, for neumf, no item in common
    ///   with any training user).
    public func similarUsers(to folded: FoldedInUser, leavingOut user: String? = nil, count: Int = 10,
                             metric: SimilarityMetric = .cosine) throws -> [ScoredID] {
        guard let vectors = userVectors else {
            throw RecommendationError.unsupported("the \(name) model has no user vectors to compare users by")
        }
        guard let vector = folded.vector, vector.count == vectors.columns else {
            throw RecommendationError.unsupported("the \(name) model gives no user vector for this folded-in user")
        }
        let own = user.flatMap { domain.users.index(of: $0) } ?? -1
        return (vector.isEmpty ? [0] : vector).withUnsafeBufferPointer { v in
            Self.nearest(to: v.baseAddress!, in: vectors, leavingOut: own, count: count, metric: metric)
        }.map { ScoredID(id: domain.users[$0.index], score: $0.score) }
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

    /// The dense indices of the items of `ids` the model knows.
    func itemIndices(_ ids: Set<String>?) -> Set<Int>? {
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
        // One entry at least, so that the pointer exists when there are no columns (it is then never read).
        let row = vectors.columns > 0 ? Array(vectors.storage[(target * vectors.columns)..<((target + 1) * vectors.columns)]) : [0]
        return row.withUnsafeBufferPointer { t in
            nearest(to: t.baseAddress!, in: vectors, leavingOut: target, count: count, metric: metric)
        }
    }

    /// The rows of `vectors` nearest to the vector `t` (`vectors.columns` entries), row `leftOut` excluded.
    static func nearest(to t: UnsafePointer<Float>, in vectors: Matrix, leavingOut leftOut: Int, count: Int,
                        metric: SimilarityMetric) -> [TopK.Entry] {
        let k = vectors.columns
        var top = TopK(k: count)
        vectors.storage.withUnsafeBufferPointer { v in
            let base = v.baseAddress!
            let tNorm = Vector.squaredNorm(t, count: k).squareRoot()
            for r in 0..<vectors.rows where r != leftOut {
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
