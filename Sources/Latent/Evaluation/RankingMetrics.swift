import Foundation

/// Top-N ranking metrics, exactly as protocol T defines them.
///
/// Every function takes one user's ranked list (best first; only the first `k` entries count), the set of that
/// user's relevant items, and optionally the number of relevant items (when some relevant items cannot be ranked at
/// all, e.g. items the model never saw: they still count as relevant).
public enum RankingMetrics {
    /// The number of relevant items among the first `k` of `ranked`.
    public static func hits(_ ranked: [Int], relevant: Set<Int>, k: Int) -> Int {
        ranked.prefix(k).reduce(0) { $0 + (relevant.contains($1) ? 1 : 0) }
    }

    /// precision@K = hits / K.
    public static func precision(_ ranked: [Int], relevant: Set<Int>, k: Int) -> Double {
        precondition(k > 0)
        return Double(hits(ranked, relevant: relevant, k: k)) / Double(k)
    }

    /// recall@K = hits / |relevant|.
    public static func recall(_ ranked: [Int], relevant: Set<Int>, k: Int, relevantCount: Int? = nil) -> Double {
        let n = relevantCount ?? relevant.count
        return n == 0 ? 0 : Double(hits(ranked, relevant: relevant, k: k)) / Double(n)
    }

    /// hit rate@K = 1 if any of the first K is relevant, else 0.
    public static func hitRate(_ ranked: [Int], relevant: Set<Int>, k: Int) -> Double {
        hits(ranked, relevant: relevant, k: k) > 0 ? 1 : 0
    }

    /// nDCG@K with binary gains: DCG = sum over hits at rank r (from 1) of 1 / log2(r + 1), divided by the DCG of
    /// min(K, |relevant|) hits at the top.
    public static func ndcg(_ ranked: [Int], relevant: Set<Int>, k: Int, relevantCount: Int? = nil) -> Double {
        let n = min(k, relevantCount ?? relevant.count)
        guard n > 0 else { return 0 }
        var dcg = 0.0
        for (r, item) in ranked.prefix(k).enumerated() where relevant.contains(item) { dcg += 1 / log2(Double(r + 2)) }
        var ideal = 0.0
        for r in 0..<n { ideal += 1 / log2(Double(r + 2)) }
        return dcg / ideal
    }

    /// AP@K: the sum over hits at rank r of (hits within the first r) / r, divided by min(K, |relevant|). Its mean
    /// over users is MAP@K.
    public static func averagePrecision(_ ranked: [Int], relevant: Set<Int>, k: Int, relevantCount: Int? = nil) -> Double {
        let n = min(k, relevantCount ?? relevant.count)
        guard n > 0 else { return 0 }
        var found = 0
        var sum = 0.0
        for (r, item) in ranked.prefix(k).enumerated() where relevant.contains(item) {
            found += 1
            sum += Double(found) / Double(r + 1)
        }
        return sum / Double(n)
    }

    /// The area under the ROC curve for one user: the probability that a relevant candidate scores above a
    /// non-relevant one, ties counting one half; nil when either group is empty.
    ///
    /// - Parameters:
    ///   - scores: the score of every item.
    ///   - candidates: whether each item is a candidate (not seen in training).
    ///   - relevant: the relevant candidates.
    public static func auc(scores: [Float], candidates: (Int) -> Bool, relevant: Set<Int>) -> Double? {
        var positives: [Float] = []
        var negatives: [Float] = []
        positives.reserveCapacity(relevant.count)
        negatives.reserveCapacity(scores.count)
        for i in 0..<scores.count where candidates(i) {
            if relevant.contains(i) { positives.append(scores[i]) } else { negatives.append(scores[i]) }
        }
        guard !positives.isEmpty, !negatives.isEmpty else { return nil }
        negatives.sort()
        // For each positive: negatives strictly below count 1, equal ones 1/2 (two binary searches).
        var total = 0.0
        for p in positives {
            let below = count(negatives) { $0 < p }, notAbove = count(negatives) { $0 <= p }
            total += Double(below) + 0.5 * Double(notAbove - below)
        }
        return total / (Double(positives.count) * Double(negatives.count))
    }

    /// The AUC of plain arrays (all items candidates), for tests and small cases.
    public static func auc(scores: [Float], relevant: Set<Int>) -> Double? {
        auc(scores: scores, candidates: { _ in true }, relevant: relevant)
    }

    /// Catalog coverage: the fraction of the `itemCount` items that appear in at least one list.
    public static func coverage(_ lists: [[Int]], itemCount: Int) -> Double {
        guard itemCount > 0 else { return 0 }
        var shown = [Bool](repeating: false, count: itemCount)
        for list in lists { for i in list where i >= 0 && i < itemCount { shown[i] = true } }
        return Double(shown.reduce(0) { $0 + ($1 ? 1 : 0) }) / Double(itemCount)
    }

    /// The number of leading entries of the sorted `a` that satisfy `isBelow` (a binary search).
    private static func count(_ a: [Float], _ isBelow: (Float) -> Bool) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let m = (lo + hi) / 2
            if isBelow(a[m]) { lo = m + 1 } else { hi = m }
        }
        return lo
    }
}

/// The ranking metrics of one model on one test set: means over the evaluated users.
public struct RankingEvaluation: Sendable, Equatable, Codable {
    /// The cut-off K.
    public var k: Int
    /// Mean precision@K.
    public var precision: Double
    /// Mean recall@K.
    public var recall: Double
    /// Mean nDCG@K.
    public var ndcg: Double
    /// MAP@K.
    public var map: Double
    /// Mean hit rate@K.
    public var hitRate: Double
    /// Mean AUC over the users for whom it is defined.
    public var auc: Double
    /// The fraction of the model's items recommended to at least one evaluated user.
    public var coverage: Double
    /// The number of users evaluated (those with at least one relevant test item).
    public var users: Int

    /// An evaluation from its parts.
    public init(k: Int, precision: Double, recall: Double, ndcg: Double, map: Double, hitRate: Double, auc: Double,
                coverage: Double, users: Int) {
        self.k = k
        self.precision = precision
        self.recall = recall
        self.ndcg = ndcg
        self.map = map
        self.hitRate = hitRate
        self.auc = auc
        self.coverage = coverage
        self.users = users
    }

    enum CodingKeys: String, CodingKey {
        case k, precision, recall, ndcg, map, auc, coverage, users
        case hitRate = "hit_rate"
    }

    /// The metrics by the names `latent evaluate --task ranking --json` uses: `precision`, `recall`, `ndcg`, `map`,
    /// `hit_rate`, `auc`, `coverage`.
    public var metrics: [String: Double] {
        ["precision": precision, "recall": recall, "ndcg": ndcg, "map": map, "hit_rate": hitRate, "auc": auc,
         "coverage": coverage]
    }

    /// The mean of each metric over `folds` (users summed).
    public static func mean(_ folds: [RankingEvaluation]) -> RankingEvaluation {
        let n = Double(max(1, folds.count))
        func m(_ f: (RankingEvaluation) -> Double) -> Double { folds.reduce(0) { $0 + f($1) } / n }
        return RankingEvaluation(k: folds.first?.k ?? 0, precision: m(\.precision), recall: m(\.recall), ndcg: m(\.ndcg),
                                 map: m(\.map), hitRate: m(\.hitRate), auc: m(\.auc), coverage: m(\.coverage),
                                 users: folds.reduce(0) { $0 + $1.users })
    }
}

/// Errors in setting up a ranking evaluation.
public enum RankingEvaluationError: Error, Equatable, CustomStringConvertible {
    /// K must be at least 1.
    case invalidCutoff(Int)
    /// No test user has a relevant item.
    case noRelevantItems(threshold: Float)

    public var description: String {
        switch self {
        case let .invalidCutoff(k): return "the cut-off K must be at least 1 (got \(k))"
        case let .noRelevantItems(t): return "no test user has an item rated \(t) or more: nothing to rank"
        }
    }
}

/// One user to rank in an evaluation: their index in the model (nil when unknown) and relevant items.
private struct RankingJob: Sendable {
    var modelUser: Int?
    var relevant: Set<Int>
    var relevantCount: Int
}

extension Recommender {
    /// Ranks items for every test user with at least one relevant item and averages protocol T's metrics.
    ///
    /// A test observation is relevant when its value is at least `relevanceThreshold`. The candidates of a user are
    /// all the model's items the user did not interact with in training (`domain.seen`). Relevant items the model does
    /// not know cannot be ranked but still count in |relevant|. A test user the model does not know is ranked from the
    /// model's no-information scores (``Recommender/scoreItems(foldingIn:into:)`` with no ratings).
    ///
    /// Users are split over `threads` threads; the result does not depend on the thread count.
    public func evaluateRanking(on test: RatingSet, k: Int = 10, relevanceThreshold: Float = 4,
                                threads: Int = 1) throws -> RankingEvaluation {
        guard k >= 1 else { throw RankingEvaluationError.invalidCutoff(k) }
        let itemMap = test.items.ids.map { domain.items.index(of: $0) }
        // Relevant items per test user: known item indices, and the count of relevant items the model lacks.
        var known = [[Int]](repeating: [], count: test.users.count)
        var unknownCount = [Int](repeating: 0, count: test.users.count)
        for n in 0..<test.count where test.values[n] >= relevanceThreshold {
            let u = Int(test.userIndices[n])
            if let i = itemMap[Int(test.itemIndices[n])] { known[u].append(i) } else { unknownCount[u] += 1 }
        }
        let jobs = (0..<test.users.count).filter { !known[$0].isEmpty || unknownCount[$0] > 0 }.map { u in
            let relevant = Set(known[u])
            return RankingJob(modelUser: domain.users.index(of: test.users[u]), relevant: relevant, relevantCount: relevant.count + unknownCount[u])
        }
        guard !jobs.isEmpty else { throw RankingEvaluationError.noRelevantItems(threshold: relevanceThreshold) }

        let itemCount = domain.items.count
        let perUser = 6
        var results = [Double](repeating: 0, count: jobs.count * perUser)
        var aucDefined = [Bool](repeating: false, count: jobs.count)
        var lists = [Int](repeating: -1, count: jobs.count * k)
        results.withUnsafeMutableBufferPointer { res in
        aucDefined.withUnsafeMutableBufferPointer { defined in
        lists.withUnsafeMutableBufferPointer { lst in
            let res = SharedPointer(res.baseAddress!)
            let defined = SharedPointer(defined.baseAddress!)
            let lst = SharedPointer(lst.baseAddress!)
            Parallel.forEachRange(jobs.count, threads: threads) { range in
                var scores = [Float](repeating: 0, count: itemCount)
                var candidate = [Bool](repeating: true, count: itemCount)
                for j in range {
                    let job = jobs[j]
                    if let u = job.modelUser { scoreItems(user: u, into: &scores) } else { scoreItems(foldingIn: [], into: &scores) }
                    if let u = job.modelUser { for i in domain.seen.columns(of: u) { candidate[Int(i)] = false } }
                    var top = TopK(k: k)
                    for i in 0..<itemCount where candidate[i] { top.offer(index: i, score: scores[i]) }
                    let ranked = top.sorted().map(\.index)
                    for (r, i) in ranked.enumerated() { lst[j * k + r] = i }
                    let rel = job.relevant, n = job.relevantCount
                    res[j * perUser + 0] = RankingMetrics.precision(ranked, relevant: rel, k: k)
                    res[j * perUser + 1] = RankingMetrics.recall(ranked, relevant: rel, k: k, relevantCount: n)
                    res[j * perUser + 2] = RankingMetrics.ndcg(ranked, relevant: rel, k: k, relevantCount: n)
                    res[j * perUser + 3] = RankingMetrics.averagePrecision(ranked, relevant: rel, k: k, relevantCount: n)
                    res[j * perUser + 4] = RankingMetrics.hitRate(ranked, relevant: rel, k: k)
                    let auc = RankingMetrics.auc(scores: scores, candidates: { candidate[$0] }, relevant: rel)
                    res[j * perUser + 5] = auc ?? 0
                    defined[j] = auc != nil
                    if let u = job.modelUser { for i in domain.seen.columns(of: u) { candidate[Int(i)] = true } }
                }
            }
        }}}
        var sums = [Double](repeating: 0, count: perUser)
        for j in 0..<jobs.count { for m in 0..<perUser { sums[m] += results[j * perUser + m] } }
        let n = Double(jobs.count)
        let aucUsers = aucDefined.reduce(0) { $0 + ($1 ? 1 : 0) }
        return RankingEvaluation(k: k, precision: sums[0] / n, recall: sums[1] / n, ndcg: sums[2] / n, map: sums[3] / n,
                                 hitRate: sums[4] / n, auc: aucUsers > 0 ? sums[5] / Double(aucUsers) : .nan,
                                 coverage: RankingMetrics.coverage([lists], itemCount: itemCount), users: jobs.count)
    }
}
