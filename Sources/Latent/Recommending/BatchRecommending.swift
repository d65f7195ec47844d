extension Recommender {
    /// The `count` best items for each of many known users at once, split over `threads` threads by disjoint user
    /// ranges; entry n of the result is the same as `recommend(user:count:excludeSeen:allowed:excluded:)` for
    /// `users[n]`.
    ///
    /// - Parameters:
    ///   - users: the users, by dense index.
    ///   - count: how many items for each user.
    ///   - excludeSeen: leave out the items each user interacted with in training (the default).
    ///   - allowed: when given, only these items (dense indices) are candidates (an allow list).
    ///   - excluded: items (dense indices) never recommended (a deny list).
    ///   - threads: the threads to split the users over; the result does not depend on it.
    public func recommend(users: [Int], count: Int, excludeSeen: Bool = true, allowed: Set<Int>? = nil,
                          excluded: Set<Int> = [], threads: Int = 1) -> [[TopK.Entry]] {
        let itemCount = domain.items.count
        let candidates = candidates(allowed: allowed, excluded: excluded)
        var results = [[TopK.Entry]](repeating: [], count: users.count)
        results.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(out.baseAddress!)
            Parallel.forEachRange(users.count, threads: threads) { range in
                var scores = [Float](repeating: 0, count: itemCount)
                var mask = candidates
                for n in range {
                    let u = users[n]
                    scoreItems(user: u, into: &scores)
                    if excludeSeen { for i in domain.seen.columns(of: u) { mask[Int(i)] = false } }
                    out[n] = Self.best(scores, count: count, among: mask)
                    if excludeSeen { for i in domain.seen.columns(of: u) { mask[Int(i)] = candidates[Int(i)] } }
                }
            }
        }
        return results
    }

    /// The `count` best items for each user identifier, best first, computed on `threads` threads.
    ///
    /// - Throws: ``RecommendationError/unknownUser(_:)`` naming the first user the model does not know.
    public func recommend(users: [String], count: Int = 10, excludeSeen: Bool = true, allowed: Set<String>? = nil,
                          excluded: Set<String> = [], threads: Int = 1) throws -> [[ScoredID]] {
        let indices = try users.map { id -> Int in
            guard let u = domain.users.index(of: id) else { throw RecommendationError.unknownUser(id) }
            return u
        }
        return recommend(users: indices, count: count, excludeSeen: excludeSeen, allowed: itemIndices(allowed),
                         excluded: itemIndices(excluded) ?? [], threads: threads).map(scoredItems)
    }
}
