import Foundation

/// `ease`: the closed-form item-item model of Steck (2019), "Embarrassingly Shallow Autoencoders".
///
/// With X the user-item interaction matrix (binary by default) and G = X^T X + lambda I, P = G^-1 and
///
///     B = I - P diag(1 / diag(P))     (so B_ij = -P_ij / P_jj and the diagonal of B is zero),
///
/// the scores of user u are x_u B. With dropout p > 0 (Steck 2020, "Autoencoders that don't overfit towards the
/// identity"), B is the denoising autoencoder trained on X with each entry dropped with probability p, whose penalty is
///
///     Lambda = lambda I + p / (1 - p) diag(X^T X),     P = (X^T X + Lambda)^-1,
///
/// and B = I - P diag(1 / diag(P)) as above (EDLAE: the diagonal still constrained to zero), or, with the diagonal
/// free, B = (X^T X + Lambda)^-1 X^T X = I - P Lambda (DLAE; B_ij = delta_ij - P_ij Lambda_jj). The penalty grows
/// with an item's popularity, so popular items lean less on themselves. Scores are x_u B: the sum of the rows of B of the items the user interacted with. The inverse is a
/// dense n x n blocked inverse in Double (``Cholesky/inverse(_:n:threads:)``), so memory is 8 n^2 bytes during the fit and
/// 4 n^2 in the model: fine for catalogs of tens of thousands of items.
///
/// - Item vectors (for `similar`) are the rows of B: items that predict the same other items are close.
/// - There are no user vectors: similar users is not available for this model (an error says so).
/// - A new user (fold-in) is scored x_new B from their items, with no retraining; with no items, by popularity.
/// - An unknown user in ``rawPrediction(user:item:)`` gets the item's popularity (share of users), an unknown item 0.
public struct EASEModel: Recommender {
    /// `ease`, or `gf-cf` (``GFCF``), whose fit gives the same kind of dense item-item model.
    public var name = "ease"
    public var domain: ModelDomain
    public var hyperparameters: Hyperparameters
    /// The item-item weights B, row i holding what interacting with item i adds to each item's score.
    public var weights: Matrix
    /// Each item's share of users who interacted with it: the fallback when nothing is known of a user.
    public var popularity: [Float]
    /// Whether interaction weights (rather than 1) enter x_u.
    public var weighted: Bool

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        guard let i = item else { return 0 }
        guard let u = user else { return popularity[i] }
        let n = weights.columns
        var s: Float = 0
        for a in domain.seen.range(of: u) {
            s += (weighted ? domain.seen.values[a] : 1) * weights.storage[Int(domain.seen.indices[a]) * n + i]
        }
        return s
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        let seen = domain.seen
        let items = seen.range(of: user).map { (item: Int(seen.indices[$0]), value: seen.values[$0]) }
        accumulate(items, into: &scores)
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        if ratings.isEmpty { scores = popularity } else { accumulate(ratings, into: &scores) }
    }

    /// scores = sum over the given items i of x_i B[i, :].
    private func accumulate(_ items: [(item: Int, value: Float)], into scores: inout [Float]) {
        let n = weights.columns
        precondition(scores.count == n)
        scores.withUnsafeMutableBufferPointer { scores in
            scores.update(repeating: 0)
            weights.storage.withUnsafeBufferPointer { w in
                for (i, v) in items {
                    Vector.axpy(weighted ? v : 1, w.baseAddress! + i * n, scores.baseAddress!, count: n)
                }
            }
        }
    }

    /// The rows of B: items are close when they predict the same items.
    public var itemVectors: Matrix? { weights }
    /// None: EASE has no user representation besides the user's own items.
    public var userVectors: Matrix? { nil }

    /// The archive kind of EASE models.
    public static let archiveKind = "ease"

    public func archive() -> ModelArchive {
        var a = archive(kind: Self.archiveKind)
        a.setMatrix(weights, as: "b")
        a.floats["popularity"] = popularity
        if weighted { a.parameters["weighted"] = "true" }
        return a
    }
}

extension EASEModel {
    /// Reads an EASE model from an archive written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let domain = try ModelDomain(from: a)
        let b = try a.matrix("b")
        let popularity = try a.floats("popularity", count: domain.items.count)
        guard b.rows == domain.items.count, b.columns == domain.items.count else {
            throw ModelFileError.inconsistent("the item-item matrix does not match the items")
        }
        self.init(name: a.model, domain: domain, hyperparameters: Hyperparameters(a.parameters), weights: b,
                  popularity: popularity, weighted: a.parameters["weighted"] == "true")
    }
}

/// How `ease` is fitted (see ``EASEModel``).
public struct EASE: ModelConfiguration {
    /// lambda, added to the diagonal of X^T X.
    public var regularization: Float
    /// Whether interaction weights (rather than 1) enter X.
    public var weighted: Bool = false
    /// p, the dropout probability of the denoising autoencoder: adds p / (1 - p) diag(X^T X) to the penalty.
    public var dropout: Float = 0
    /// Whether the diagonal of B is constrained to zero (EASE, EDLAE) or free (DLAE, B = I - P Lambda).
    public var zeroDiagonal: Bool = true

    /// The defaults: lambda chosen on a validation split carved from MovieLens 100k `u1.base`.
    public static let defaults = EASE(regularization: 500, weighted: false)

    public static let parameters: [Hyperparameter<Self>] = [
        .init("regularization", \.regularization, in: 0...1e12, "L2 regularization lambda added to the diagonal of X^T X"),
        .init("weighted", \.weighted, "use interaction weights in X instead of 1"),
        .init("dropout", \.dropout, in: 0...0.99, "dropout p of the denoising autoencoder: adds p/(1-p) diag(X^T X) to lambda (Steck 2020)"),
        .init("zero-diagonal", \.zeroDiagonal, "constrain the diagonal of B to zero (false: B = I - P Lambda, DLAE)"),
    ]

    /// Fits B on `data`.
    ///
    /// - Throws: ``TrainingError/emptyTrainingData``, or ``TrainingError/invalidHyperparameter(name:value:reason:)``
    ///   when X^T X + Lambda is not positive definite (lambda 0 on a rank-deficient X), ``TrainingError/tooLarge(model:what:bytes:memory:)``
    ///   when the dense item x item matrices would not fit in memory.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> EASEModel {
        let lambda = regularization, ratio = Double(dropout) / (1 - Double(dropout))
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let n = data.itemCount
        try EASE.checkDenseMemory(model: "ease", items: n)
        var g = EASE.itemGram(data, weighted: weighted, threads: context.threads)
        // Lambda_ii, kept for B = I - P Lambda.
        let penalty = (0..<n).map { Double(lambda) + ratio * g[$0 * n + $0] }
        for i in 0..<n { g[i * n + i] += penalty[i] }
        guard Cholesky.invertInPlace(&g, n: n, threads: context.threads) else {
            throw TrainingError.invalidHyperparameter(name: "regularization", value: "\(lambda)",
                                                      reason: "leaves X^T X + lambda I singular; use a positive lambda")
        }
        // Zero diagonal: B_ij = -P_ij / P_jj off the diagonal, 0 on it. Free: B_ij = delta_ij - P_ij Lambda_jj.
        var b = Matrix(rows: n, columns: n)
        let zero = zeroDiagonal
        let diagonal = zero ? (0..<n).map { g[$0 * n + $0] } : penalty
        b.storage.withUnsafeMutableBufferPointer { bp in
            g.withUnsafeBufferPointer { pp in
            diagonal.withUnsafeBufferPointer { dp in
                let b = SharedPointer(bp.baseAddress!), p = SharedReadPointer(pp.baseAddress!)
                let d = SharedReadPointer(dp.baseAddress!)
                Parallel.forEachRange(n, threads: context.threads) { rows in
                    for i in rows {
                        let bi = b.base + i * n, pi = p.base + i * n
                        if zero {
                            for j in 0..<n { bi[j] = Float(-pi[j] / d[j]) }
                            bi[i] = 0
                        } else {
                            for j in 0..<n { bi[j] = Float(-pi[j] * d[j]) }
                            bi[i] = Float(1 - pi[i] * d[i])
                        }
                    }
                }
            }}
        }
        let popularity = Popularity.shares(data)
        return EASEModel(domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters, weights: b,
                         popularity: popularity, weighted: weighted)
    }
}

extension EASE {
    /// Throws ``TrainingError/tooLarge(model:what:bytes:memory:)`` when the dense item x item matrices of `ease` and
    /// `gf-cf` (the Gram in Double and the weights in Float: 12 n^2 bytes) exceed `memory`, the machine's physical
    /// memory unless given: such a fit could only fail, after a long while or by being killed.
    static func checkDenseMemory(model: String, items n: Int,
                                 memory: UInt64 = ProcessInfo.processInfo.physicalMemory) throws {
        let (square, overflow) = UInt64(n).multipliedReportingOverflow(by: UInt64(n))
        let bytes = overflow || square > UInt64.max / 12 ? UInt64.max : 12 * square
        guard bytes <= memory else {
            throw TrainingError.tooLarge(model: model, what: "two dense \(n) x \(n) item-item matrices", bytes: bytes,
                                         memory: memory)
        }
    }

    /// X^T D X in Double, dense n x n: entry (i, j) is the sum over the users u who interacted with both i and j of
    /// `userWeight[u]` (1 when nil) x_ui x_uj, x the interaction weights when `weighted`, else 1. Rows in parallel;
    /// each entry is summed in the same order for any thread count.
    static func itemGram(_ data: RatingMatrix, weighted: Bool, userWeight: [Double]? = nil, threads: Int) -> [Double] {
        let n = data.itemCount, byUser = data.byUser, byItem = data.byItem
        var g = [Double](repeating: 0, count: n * n)
        g.withUnsafeMutableBufferPointer { gp in
            let gs = SharedPointer(gp.baseAddress!)
            Parallel.forEachRange(n, threads: threads) { rows in
                for i in rows {
                    let row = gs.base + i * n
                    for a in byItem.range(of: i) {
                        let u = Int(byItem.indices[a])
                        let xi = (weighted ? Double(byItem.values[a]) : 1) * (userWeight?[u] ?? 1)
                        for b in byUser.range(of: u) {
                            row[Int(byUser.indices[b])] += xi * (weighted ? Double(byUser.values[b]) : 1)
                        }
                    }
                }
            }
        }
        return g
    }
}

extension ModelDescriptor {
    /// `ease`: the closed-form item-item model.
    public static let ease = ModelDescriptor(
        name: "ease", summary: "closed-form item-item model B = I - P diag(1/diag P), P = (X^T X + lambda I)^-1 (Steck); dropout: DLAE/EDLAE",
        task: .ranking, defaults: EASE.defaults)
}
