/// A ranking model that scores items through a sparse item-item weight matrix W, the shape shared by `item-knn` and
/// `rp3beta`: the score of item j for a user is the sum of W_ij over the items i the user interacted with,
///
///     score(u, j) = sum_{i in N(u)} W_ij      (x_u W, as EASE, but W keeps only a few entries per item)
///
/// - A new user (fold-in) is scored the same way from their items, with no retraining; with no items, by popularity.
/// - An unknown user in ``rawPrediction(user:item:)`` gets the item's popularity (share of users), an unknown item 0.
/// - There are no item or user vectors (W is sparse and not a metric space): `similar` is not available.
public struct ItemGraphModel: Recommender {
    public let name: String
    public var domain: ModelDomain
    public var hyperparameters: Hyperparameters
    /// W by source item: row i lists the items j that interacting with i adds to, with the weights W_ij (sorted by j).
    public var weights: SparseRows
    /// Each item's share of users who interacted with it: the fallback when nothing is known of a user.
    public var popularity: [Float]

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        guard let j = item else { return 0 }
        guard let u = user else { return popularity[j] }
        var s: Float = 0
        for i in domain.seen.columns(of: u) {
            if let a = weights.position(row: Int(i), column: Int32(j)) { s += weights.values[a] }
        }
        return s
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        accumulate(domain.seen.columns(of: user).map { Int($0) }, into: &scores)
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        if ratings.isEmpty { scores = popularity } else { accumulate(ratings.map(\.item), into: &scores) }
    }

    /// scores = sum over the given items i of W[i, :].
    private func accumulate(_ items: [Int], into scores: inout [Float]) {
        precondition(scores.count == weights.rowCount)
        for j in 0..<scores.count { scores[j] = 0 }
        for i in items {
            for a in weights.range(of: i) { scores[Int(weights.indices[a])] += weights.values[a] }
        }
    }

    public var itemVectors: Matrix? { nil }
    public var userVectors: Matrix? { nil }

    /// The archive kind of item-graph models.
    public static let archiveKind = "item-graph"

    public func archive() -> ModelArchive {
        var a = archive(kind: Self.archiveKind)
        a.int64s["w.offsets"] = weights.offsets.map(Int64.init)
        a.int32s["w.items"] = weights.indices
        a.floats["w.values"] = weights.values
        a.floats["popularity"] = popularity
        return a
    }
}

extension ItemGraphModel {
    /// Reads a model written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let domain = try ModelDomain(from: a)
        let n = domain.items.count
        let offsets = try a.int64s("w.offsets").map { Int($0) }
        let items = try a.int32s("w.items"), values = try a.floats("w.values")
        let popularity = try a.floats("popularity", count: n)
        guard offsets.count == n + 1, offsets.first == 0, offsets.last == items.count, values.count == items.count,
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }), items.allSatisfy({ $0 >= 0 && Int($0) < n })
        else { throw ModelFileError.inconsistent("the item-item weights do not fit the items") }
        self.init(name: a.model, domain: domain, hyperparameters: Hyperparameters(a.parameters),
                  weights: SparseRows(offsets: offsets, indices: items, values: values), popularity: popularity)
    }
}

/// The sparse item-item computation behind ``ItemGraphModel``s.
enum ItemGraph {
    /// For every item x, in parallel: the co-occurrence sums c_xj = sum over the users u who interacted with both x
    /// and j (j != x) of `userWeight[u]`, turned into weights by `weight(x, j, c_xj)`, of which the `neighbors`
    /// largest positive ones are kept (ties to the smaller j). Returns row x -> its kept (j, weight), sorted by j.
    ///
    /// Work: sum over users of |N(u)|^2; memory: one dense accumulator of the item count per thread.
    static func rows(_ data: RatingMatrix, neighbors: Int, threads: Int, userWeight: [Float],
                     weight: @Sendable @escaping (Int, Int, Float) -> Float) -> SparseRows {
        let n = data.itemCount, byUser = data.byUser, byItem = data.byItem
        var kept = [[TopK.Entry]](repeating: [], count: n)
        kept.withUnsafeMutableBufferPointer { keptBuffer in
            let out = SharedPointer(keptBuffer.baseAddress!)
            Parallel.forEachRange(n, threads: threads) { range in
                var acc = [Float](repeating: 0, count: n)
                var touched: [Int] = []
                for x in range {
                    for a in byItem.range(of: x) {
                        let u = Int(byItem.indices[a]), w = userWeight[u]
                        for b in byUser.range(of: u) {
                            let j = Int(byUser.indices[b])
                            if acc[j] == 0 { touched.append(j) }
                            acc[j] += w
                        }
                    }
                    var top = TopK(k: neighbors)
                    for j in touched {
                        if j != x {
                            let w = weight(x, j, acc[j])
                            if w > 0 { top.offer(index: j, score: w) }
                        }
                        acc[j] = 0
                    }
                    touched.removeAll(keepingCapacity: true)
                    out[x] = top.sorted().sorted { $0.index < $1.index }
                }
            }
        }
        var offsets = [0], indices: [Int32] = [], values: [Float] = []
        for row in kept {
            for e in row {
                indices.append(Int32(e.index))
                values.append(e.score)
            }
            offsets.append(indices.count)
        }
        return SparseRows(offsets: offsets, indices: indices, values: values)
    }
}
