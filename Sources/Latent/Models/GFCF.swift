import Foundation

/// `gf-cf`: the training-free graph filter of Shen et al. (2021), "How Powerful is Graph Convolution for
/// Recommendation?". With R the binary user-item matrix, d_u and n_i the users' and items' interaction counts and
/// R~ = D_U^-1/2 R D_I^-1/2 (entries 1 / sqrt(d_u n_i)),
///
///     W = R~^T R~ + a D_I^-1/2 V V^T D_I^1/2,     score(u, j) = sum_{i in N(u)} W_ij      (x_u W, as EASE),
///
/// a linear low-pass filter (the normalized item-item co-occurrence) plus an "ideal" low-pass filter: V holds the top
/// `factors` eigenvectors of R~^T R~ (the right singular vectors of R~), weighted by `ideal` (a). The first eigenvector
/// is sqrt(n_i) / sqrt(|R|) (eigenvalue 1), so with one factor the ideal term is a n_j / |R|, popularity; more factors
/// add the smoothest personal directions of the item graph.
///
/// V is found by subspace iteration: V <- R~^T (R~ V) on the sparse data, then orthonormalized (in Double),
/// `iterations` times from a seeded Gaussian start; V V^T, the projector, needs no eigenvalues. Directions beyond the
/// rank of R~ vanish and are dropped, so `factors` is an upper bound (all of them: V V^T = I, the ideal term a I). The model is
/// the dense item-item ``EASEModel`` (named `gf-cf`): fold-in, popularity fallback, model file and `similar` are its.
public struct GFCF: ModelConfiguration {
    /// The number of eigenvectors of the ideal low-pass term.
    public var factors: Int
    /// The weight a of the ideal low-pass term (0: the linear filter alone).
    public var ideal: Float
    /// Subspace iterations.
    public var iterations: Int

    /// The defaults, chosen on validation splits carved from MovieLens 100k `u1.base` (see the README).
    public static let defaults = GFCF(factors: 64, ideal: 1, iterations: 30)

    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...100_000, "eigenvectors of the ideal low-pass term"),
        .init("ideal", \.ideal, in: 0...1e6, "weight a of the ideal low-pass term"),
        .init("iterations", \.iterations, in: 1...10_000, "subspace iterations for the eigenvectors"),
    ]

    /// Computes W on `data`.
    ///
    /// - Throws: ``TrainingError/emptyTrainingData``, or ``TrainingError/tooLarge(model:what:bytes:memory:)`` when the
    ///   dense item x item matrices would not fit in memory.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> EASEModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let n = data.itemCount, threads = context.threads
        try EASE.checkDenseMemory(model: "gf-cf", items: n)
        let itemScale = (0..<n).map { i in data.byItem.count(of: i) > 0 ? 1 / Double(data.byItem.count(of: i)).squareRoot() : 0 }
        let userScale = (0..<data.userCount).map { u in 1 / Double(max(1, data.byUser.count(of: u))).squareRoot() }
        // R~^T R~: the Gram of X with user weight 1 / d_u, scaled by 1 / sqrt(n_i n_j).
        let g = EASE.itemGram(data, weighted: false, userWeight: userScale.map { $0 * $0 }, threads: threads)
        // V: n x k, k at most `factors`.
        var rng = SeededGenerator(seed: context.seed)
        var k = ideal > 0 ? min(factors, n) : 0
        var v = (0..<(n * k)).map { _ in rng.nextNormal() }
        for _ in 0..<iterations where k > 0 {
            let y = Self.multiply(v, k: k, by: data.byUser, outer: userScale, inner: itemScale, threads: threads)
            (v, k) = Self.orthonormalize(Self.multiply(y, k: k, by: data.byItem, outer: itemScale, inner: userScale,
                                                       threads: threads), k: k)
        }
        // W_ij = s_i s_j G_ij + (a s_i v_i) . (v_j / s_j), s = n^-1/2 (0 for an item no one chose: no ideal term).
        var left = [Float](repeating: 0, count: max(1, n * k)), right = left   // never empty: the pointers below
        for i in 0..<n where itemScale[i] > 0 {
            for c in 0..<k {
                left[i * k + c] = Float(Double(ideal) * itemScale[i] * v[i * k + c])
                right[i * k + c] = Float(v[i * k + c] / itemScale[i])
            }
        }
        var b = Matrix(rows: n, columns: n)
        b.storage.withUnsafeMutableBufferPointer { bp in
            left.withUnsafeBufferPointer { lp in
            right.withUnsafeBufferPointer { rp in
                let out = SharedPointer(bp.baseAddress!), l = SharedReadPointer(lp.baseAddress!)
                let r = SharedReadPointer(rp.baseAddress!), k = k
                Parallel.forEachRange(n, threads: threads) { rows in
                    for i in rows {
                        for j in 0..<n {
                            out[i * n + j] = Float(itemScale[i] * itemScale[j] * g[i * n + j])
                                + Vector.dot(l.base + i * k, r.base + j * k, count: k)
                        }
                    }
                }
            }}
        }
        return EASEModel(name: "gf-cf", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                         weights: b, popularity: Popularity.shares(data), weighted: false)
    }

    /// Row r of the result = outer_r sum over the entries (r, c) of `rows` of inner_c x_c (x: `k` columns, row-major).
    static func multiply(_ x: [Double], k: Int, by rows: SparseRows, outer: [Double], inner: [Double], threads: Int) -> [Double] {
        var out = [Double](repeating: 0, count: outer.count * k)
        out.withUnsafeMutableBufferPointer { op in
            let o = SharedPointer(op.baseAddress!)
            Parallel.forEachRange(outer.count, threads: threads) { range in
                for r in range {
                    for e in rows.range(of: r) {
                        let c = Int(rows.indices[e]), s = inner[c] * outer[r]
                        for f in 0..<k { o[r * k + f] += s * x[c * k + f] }
                    }
                }
            }
        }
        return out
    }

    /// An orthonormal basis of the span of the `k` columns of the row-major x, by modified Gram-Schmidt applied twice
    /// per column; a column whose part outside the earlier ones is below 1e-9 of its length is dropped (the subspace
    /// has collapsed to the rank of R~). Returns the basis, row-major, and its column count.
    static func orthonormalize(_ x: [Double], k: Int) -> (basis: [Double], count: Int) {
        let m = x.count / max(1, k)
        var kept: [[Double]] = []
        for c in 0..<k {
            var col = (0..<m).map { x[$0 * k + c] }
            let length = Vector.norm(col)
            for _ in 0..<2 { for q in kept { Vector.axpy(-Vector.dot(q, col), q, &col) } }
            let rest = Vector.norm(col)
            if rest > 1e-9 * length { kept.append(col.map { $0 / rest }) }
        }
        var basis = [Double](repeating: 0, count: m * kept.count)
        for (c, q) in kept.enumerated() { for r in 0..<m { basis[r * kept.count + c] = q[r] } }
        return (basis, kept.count)
    }
}

extension ModelDescriptor {
    /// `gf-cf`: the graph filter.
    public static let gfcf = ModelDescriptor(
        name: "gf-cf", summary: "graph filter R~^T R~ + a D^-1/2 V V^T D^1/2, R~ = D_U^-1/2 R D_I^-1/2, V top eigenvectors (GF-CF, Shen et al.)",
        task: .ranking, defaults: GFCF.defaults)
}
