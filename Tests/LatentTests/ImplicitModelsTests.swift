import Foundation
import Testing
@testable import Latent

/// Synthetic interactions with a planted structure popularity cannot see: 3 groups of users, each interacting only
/// with its own block of items; the biggest group's block is the most popular overall.
enum PlantedData {
    static func make(seed: UInt64 = 5) -> (train: RatingSet, test: RatingSet) {
        var rng = SeededGenerator(seed: seed)
        var train = RatingSet(), test = RatingSet()
        let groups = [(users: 30, items: 0..<10), (users: 12, items: 10..<20), (users: 12, items: 20..<30)]
        var user = 0
        for g in groups {
            for _ in 0..<g.users {
                var items = Array(g.items)
                rng.shuffle(&items)
                for (n, i) in items.prefix(7).enumerated() {
                    if n < 5 { train.append(user: "u\(user)", item: "i\(i)", value: 1) }
                    else { test.append(user: "u\(user)", item: "i\(i)", value: 5) }
                }
                user += 1
            }
        }
        return (train, test)
    }
}

@Suite struct ImplicitALSTests {
    /// A small random problem: 6 users x 5 items, 3 factors.
    func problem() -> (rows: SparseRows, y: Matrix) {
        var rng = SeededGenerator(seed: 9)
        let y = Matrix(rows: 5, columns: 3, normalStandardDeviation: 0.5, using: &rng)
        let rows = SparseRows(offsets: [0, 2, 5, 6, 8, 8, 10], indices: [0, 3, 1, 2, 4, 0, 3, 4, 1, 2],
                              values: [1, 2, 1, 1, 3, 1, 1, 2, 1, 1])
        return (rows, y)
    }

    @Test func choleskySolveMatchesANaiveDenseComputation() throws {
        let (rows, y) = problem()
        let alpha: Float = 2, lambda: Float = 0.3, k = 3
        let gram = ImplicitALS.gram(y, lambda: lambda)
        let u = 1
        let fast = exactSolve(y, rows, row: u, gram: gram, alpha: alpha)
        // Naive: dense C_u and p_u over all 5 items, A = Y^T C Y + lambda I, b = Y^T C p, Gaussian elimination.
        var c = [Double](repeating: 1, count: 5), p = [Double](repeating: 0, count: 5)
        for n in rows.range(of: u) {
            c[Int(rows.indices[n])] = 1 + Double(alpha) * Double(rows.values[n])
            p[Int(rows.indices[n])] = 1
        }
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for s in 0..<k {
            for t in 0..<k {
                a[s][t] = (0..<5).reduce(0) { $0 + Double(y[$1, s]) * c[$1] * Double(y[$1, t]) } + (s == t ? Double(lambda) : 0)
            }
            a[s][k] = (0..<5).reduce(0) { $0 + Double(y[$1, s]) * c[$1] * p[$1] }
        }
        for col in 0..<k {
            for r in (col + 1)..<k {
                let f = a[r][col] / a[col][col]
                for x in col...k { a[r][x] -= f * a[col][x] }
            }
        }
        var x = [Double](repeating: 0, count: k)
        for r in stride(from: k - 1, through: 0, by: -1) {
            x[r] = (a[r][k] - ((r + 1)..<k).reduce(0) { $0 + a[r][$1] * x[$1] }) / a[r][r]
        }
        for f in 0..<k { #expect(abs(Double(fast[f]) - x[f]) < 1e-5) }
    }

    @Test func conjugateGradientConvergesToTheCholeskySolution() {
        let (rows, y) = problem()
        let alpha: Float = 2, lambda: Float = 0.3, k = 3
        let gram = ImplicitALS.gram(y, lambda: lambda)
        let g = gram.map { Float($0) }
        for u in 0..<rows.rowCount {
            let exact = exactSolve(y, rows, row: u, gram: gram, alpha: alpha)
            var x = [Float](repeating: 0, count: k), scratch = [Float](repeating: 0, count: 3 * k)
            let lo = rows.offsets[u], count = rows.count(of: u)
            y.storage.withUnsafeBufferPointer { yp in
            g.withUnsafeBufferPointer { gp in
            rows.indices.withUnsafeBufferPointer { ip in
            rows.values.withUnsafeBufferPointer { wp in
                ConfidenceSystem(y: yp.baseAddress!, k: k, alpha: alpha).conjugateGradient(
                    x: &x, gram: gp.baseAddress!, items: ip.baseAddress! + lo, weights: wp.baseAddress! + lo,
                    count: count, steps: k, scratch: &scratch)
            }}}}
            // k steps of CG solve a k x k system exactly up to rounding.
            for f in 0..<k { #expect(abs(x[f] - exact[f]) < 1e-4) }
        }
    }

    @Test func conjugateGradientOfK64ConvergesToTheCholeskySolution() {
        var rng = SeededGenerator(seed: 8)
        let k = 64, alpha: Float = 2
        let y = Matrix(rows: 80, columns: k, normalStandardDeviation: 0.3, using: &rng)
        let rows = SparseRows(offsets: [0, 30], indices: (0..<30).map { Int32($0 * 2) }, values: (0..<30).map { Float($0 % 3 + 1) })
        let gram = ImplicitALS.gram(y, lambda: 5)
        let exact = exactSolve(y, rows, row: 0, gram: gram, alpha: alpha)
        var x = [Float](repeating: 0, count: k), scratch = [Float](repeating: 0, count: 3 * k)
        let g = gram.map { Float($0) }
        y.storage.withUnsafeBufferPointer { yp in
            ConfidenceSystem(y: yp.baseAddress!, k: k, alpha: alpha).conjugateGradient(
                x: &x, gram: g, items: rows.indices, weights: rows.values, count: 30, steps: 40, scratch: &scratch)
        }
        for f in 0..<k { #expect(abs(x[f] - exact[f]) < 1e-3 * max(0.1, abs(exact[f])), "\(f): \(x[f]) vs \(exact[f])") }
    }

    /// The exact solve of row `row` of `rows` against `y` through ``ConfidenceSystem``.
    func exactSolve(_ y: Matrix, _ rows: SparseRows, row: Int, gram: [Double], alpha: Float) -> [Float] {
        let lo = rows.offsets[row]
        return y.storage.withUnsafeBufferPointer { yp in
            rows.indices.withUnsafeBufferPointer { ip in
                rows.values.withUnsafeBufferPointer { wp in
                    ConfidenceSystem(y: yp.baseAddress!, k: y.columns, alpha: alpha).exactSolution(
                        gram: gram, items: ip.baseAddress! + lo, weights: wp.baseAddress! + lo, count: rows.count(of: row))
                }
            }
        }
    }

    @Test func foldInWithTheCachedGramMatchesTheRowSolveOfTraining() throws {
        // A new user with the interactions of training row 1 gets what the exact row solve gives that row.
        let (rows, y) = problem()
        let alpha: Float = 2, lambda: Float = 0.3
        let exact = exactSolve(y, rows, row: 1, gram: ImplicitALS.gram(y, lambda: lambda), alpha: alpha)
        let users = IDMap((0..<rows.rowCount).map { "u\($0)" }), items = IDMap((0..<5).map { "i\($0)" })
        let model = FactorModel(name: "implicit-als", domain: ModelDomain(users: users, items: items, seen: rows, ratingScale: nil, task: .ranking),
                                hyperparameters: Hyperparameters(), globalMean: 0, userBias: [], itemBias: [],
                                userFactors: Matrix(rows: rows.rowCount, columns: 3), itemFactors: y,
                                foldIn: .implicit(alpha: alpha, lambda: lambda))
        let folded = model.foldInFactors(rows.range(of: 1).map { (item: Int(rows.indices[$0]), value: rows.values[$0]) })
        for f in 0..<3 { #expect(abs(folded[f] - exact[f]) < 1e-5) }
    }

    @Test func cgAndCholeskyFitsRankAlike() throws {
        let (train, _) = PlantedData.make()
        let data = RatingMatrix(train)
        let h = ["factors": "4", "iterations": "10", "regularization": "0.5", "alpha": "2"]
        let cg = try ImplicitALS(Hyperparameters(h.merging(["cg-steps": "4"]) { $1 })).fit(data)
        let exact = try ImplicitALS(Hyperparameters(h.merging(["solver": "cholesky"]) { $1 })).fit(data)
        var worst: Float = 0
        for u in 0..<data.userCount {
            for i in 0..<data.itemCount {
                worst = max(worst, abs(cg.rawPrediction(user: u, item: i) - exact.rawPrediction(user: u, item: i)))
            }
        }
        #expect(worst < 0.02)
    }

    @Test func sameSeedSameModelWhateverTheThreads() throws {
        let data = RatingMatrix(PlantedData.make().train)
        let a = try ImplicitALS.defaults.fit(data, context: TrainingContext(seed: 3, threads: 1))
        let b = try ImplicitALS.defaults.fit(data, context: TrainingContext(seed: 3, threads: 3))
        #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors)
    }
}

@Suite struct EASETests {
    @Test func refusesACatalogWhoseDenseMatricesExceedTheMemory() throws {
        // 12 n^2 bytes: the Gram in Double and the weights in Float.
        let error = TrainingError.tooLarge(model: "ease", what: "two dense 20000 x 20000 item-item matrices",
                                           bytes: 4_800_000_000, memory: 4_000_000_000)
        #expect(throws: error) { try EASE.checkDenseMemory(model: "ease", items: 20_000, memory: 4_000_000_000) }
        #expect(error.description == "ease would hold two dense 20000 x 20000 item-item matrices: 4.8 GB, more than this machine's 4.0 GB of memory; use a sparse model (item-knn, rp3beta, implicit-als) or fewer items; no model was saved")
        try EASE.checkDenseMemory(model: "ease", items: 20_000, memory: 4_800_000_000)
        // n^2 beyond 64 bits needs more than any memory.
        #expect(throws: TrainingError.tooLarge(model: "gf-cf", what: "two dense 4294967296 x 4294967296 item-item matrices",
                                               bytes: .max, memory: .max - 1)) {
            try EASE.checkDenseMemory(model: "gf-cf", items: 1 << 32, memory: .max - 1)
        }
    }

    @Test func symmetricInverseMatchesGaussJordan() throws {
        var rng = SeededGenerator(seed: 2)
        let n = 7
        let m = (0..<(n * n)).map { _ in Double(rng.nextGaussian()) }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (0..<n).reduce(0) { $0 + m[$1 * n + i] * m[$1 * n + j] } + (i == j ? 0.5 : 0) } }
        let inverse = try #require(Cholesky.inverse(a, n: n, threads: 2))
        let naive = gaussJordanInverse(a, n: n)
        for i in 0..<(n * n) { #expect(abs(inverse[i] - naive[i]) < 1e-9 * max(1, abs(naive[i]))) }
        #expect(Cholesky.inverse([1, 2, 2, 1], n: 2) == nil)
    }

    /// The blocked sweep across block, tile (8) and row-group (4) edges: sizes and blocks that do not divide each
    /// other, against Gauss-Jordan with pivoting; the upper triangle of the input is never read.
    @Test func blockedInverseMatchesGaussJordanAcrossBlockEdges() throws {
        var rng = SeededGenerator(seed: 4)
        for (n, block) in [(1, 1), (5, 2), (13, 4), (29, 8), (37, 16), (40, 128)] {
            let m = (0..<(n * (n + 1))).map { _ in Double(rng.nextGaussian()) }
            var a = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { a[i * n + j] = (0..<(n + 1)).reduce(0) { $0 + m[$1 * n + i] * m[$1 * n + j] } + (i == j ? 0.1 : 0) } }
            let naive = gaussJordanInverse(a, n: n)
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { a[i * n + j] = .nan } }
            for threads in [1, 3] {
                var inverse = a
                #expect(Cholesky.invertInPlace(&inverse, n: n, threads: threads, block: block))
                for i in 0..<(n * n) { #expect(abs(inverse[i] - naive[i]) < 1e-8 * max(1, abs(naive[i])), "n \(n) block \(block)") }
            }
        }
        var singular = [1.0, 2, 3, 2, 4, 6, 3, 6, 10]
        #expect(!Cholesky.invertInPlace(&singular, n: 3, threads: 1, block: 2))
    }

    func gaussJordanInverse(_ a: [Double], n: Int) -> [Double] {
        var m = (0..<n).map { i in Array(a[(i * n)..<((i + 1) * n)]) + (0..<n).map { $0 == i ? 1.0 : 0 } }
        for c in 0..<n {
            let pivot = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            m.swapAt(c, pivot)
            let d = m[c][c]
            for x in 0..<(2 * n) { m[c][x] /= d }
            for r in 0..<n where r != c {
                let f = m[r][c]
                for x in 0..<(2 * n) { m[r][x] -= f * m[c][x] }
            }
        }
        return m.flatMap { Array($0[n...]) }
    }

    @Test func easeMatchesTheFormulaOnATinyMatrix() throws {
        // Users x items: a {1, 2}, b {1, 3}, c {2, 3, 4}, d {1, 2, 3}.
        let set = RatingSet([("a", "1", 1), ("a", "2", 1), ("b", "1", 1), ("b", "3", 1), ("c", "2", 1), ("c", "3", 1),
                             ("c", "4", 1), ("d", "1", 1), ("d", "2", 1), ("d", "3", 1)])
        let data = RatingMatrix(set)
        let lambda: Float = 0.7
        let model = try EASE(regularization: lambda).fit(data)
        let n = data.itemCount
        var g = [Double](repeating: 0, count: n * n)
        for u in 0..<data.userCount {
            for a in data.byUser.columns(of: u) { for b in data.byUser.columns(of: u) { g[Int(a) * n + Int(b)] += 1 } }
        }
        for i in 0..<n { g[i * n + i] += Double(lambda) }
        let p = gaussJordanInverse(g, n: n)
        for i in 0..<n {
            for j in 0..<n {
                let expected = i == j ? 0 : -p[i * n + j] / p[j * n + j]
                #expect(abs(Double(model.weights[i, j]) - expected) < 1e-5)
            }
        }
        // Scores are x_u B.
        var scores = [Float](repeating: 0, count: n)
        model.scoreItems(user: 0, into: &scores)
        for j in 0..<n {
            let expected = data.byUser.columns(of: 0).reduce(Float(0)) { $0 + model.weights[Int($1), j] }
            #expect(abs(scores[j] - expected) < 1e-6)
            #expect(abs(model.rawPrediction(user: 0, item: j) - expected) < 1e-6)
        }
    }

    /// Two items, users {1, 2}, {1}, {2}: X^T X = [[2, 1], [1, 2]]. With lambda 1 and dropout 0.5 (p / (1 - p) = 1),
    /// Lambda = diag(3, 3), X^T X + Lambda = [[5, 1], [1, 5]], P = [[5, -1], [-1, 5]] / 24. DLAE (diagonal free):
    /// B = I - 3 P = [[3/8, 1/8], [1/8, 3/8]] (= P X^T X). EDLAE (zero diagonal): B_12 = -P_12 / P_22 = 1/5.
    /// Plain EASE (dropout 0): P = [[3, -1], [-1, 3]] / 8, B_12 = 1/3.
    @Test func dropoutMatchesTheHandComputation() throws {
        let data = RatingMatrix(RatingSet([("a", "1", 1), ("a", "2", 1), ("b", "1", 1), ("c", "2", 1)]))
        let dlae = try EASE(Hyperparameters(["lambda": "1", "dropout": "0.5", "zero-diagonal": "false"])).fit(data)
        func near(_ m: Matrix, _ expected: [Double]) -> Bool {
            m.storage.count == expected.count && zip(m.storage, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 }
        }
        let third: Double = 1.0 / 3
        #expect(near(dlae.weights, [0.375, 0.125, 0.125, 0.375]))
        let edlae = try EASE(Hyperparameters(["lambda": "1", "dropout": "0.5"])).fit(data)
        #expect(near(edlae.weights, [0, 0.2, 0.2, 0]))
        let ease = try EASE(Hyperparameters(["lambda": "1"])).fit(data)
        #expect(near(ease.weights, [0, third, third, 0]))
        // Scores of user a (both items): the column sums of B.
        var scores = [Float](repeating: 0, count: 2)
        dlae.scoreItems(user: 0, into: &scores)
        #expect(abs(scores[0] - 0.5) < 1e-6 && abs(scores[1] - 0.5) < 1e-6)
        #expect(throws: TrainingError.invalidHyperparameter(name: "dropout", value: "1", reason: "must be in 0.0...0.99")) {
            try EASE(Hyperparameters(["dropout": "1"]))
        }
    }

    /// On the 4 x 4 matrix of the test above, with Lambda = lambda I + p / (1 - p) diag(X^T X) inverted by Gauss-Jordan.
    @Test func dropoutMatchesTheFormulaOnATinyMatrix() throws {
        let set = RatingSet([("a", "1", 1), ("a", "2", 1), ("b", "1", 1), ("b", "3", 1), ("c", "2", 1), ("c", "3", 1),
                             ("c", "4", 1), ("d", "1", 1), ("d", "2", 1), ("d", "3", 1)])
        let data = RatingMatrix(set)
        let n = data.itemCount, lambda = 0.7, p = 0.25
        var g = [Double](repeating: 0, count: n * n)
        for u in 0..<data.userCount {
            for a in data.byUser.columns(of: u) { for b in data.byUser.columns(of: u) { g[Int(a) * n + Int(b)] += 1 } }
        }
        let penalty = (0..<n).map { lambda + p / (1 - p) * g[$0 * n + $0] }
        for i in 0..<n { g[i * n + i] += penalty[i] }
        let inverse = gaussJordanInverse(g, n: n)
        for zero in [true, false] {
            let model = try EASE(regularization: Float(lambda), dropout: Float(p), zeroDiagonal: zero).fit(data)
            for i in 0..<n {
                for j in 0..<n {
                    let expected = zero ? (i == j ? 0 : -inverse[i * n + j] / inverse[j * n + j])
                                        : (i == j ? 1 : 0) - inverse[i * n + j] * penalty[j]
                    #expect(abs(Double(model.weights[i, j]) - expected) < 1e-5, "zero diagonal \(zero), \(i), \(j)")
                }
            }
        }
    }

    @Test func easeRoundTripsThroughAModelFile() throws {
        let model = try EASE(regularization: 10).fit(RatingMatrix(PlantedData.make().train))
        let url = TestData.temporaryDirectory().appendingPathComponent("ease.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? EASEModel)
        #expect(loaded.weights == model.weights && loaded.domain == model.domain)
        #expect(try loaded.recommend(user: "u1", count: 5) == model.recommend(user: "u1", count: 5))
    }
}

@Suite struct RankingModelsTests {
    func ndcg(_ name: String, _ h: [String: String] = [:]) throws -> Double {
        let (train, test) = PlantedData.make()
        let model = try ModelRegistry.descriptor(named: name).fit(RatingMatrix(train), hyperparameters: Hyperparameters(h))
        return try model.evaluateRanking(on: test, k: 5).ndcg
    }

    @Test func bprLearnsThePlantedStructureThatPopularityMisses() throws {
        let pop = try ndcg("popularity")
        let bpr = try ndcg("bpr", ["factors": "8", "epochs": "60"])
        #expect(bpr > pop + 0.1, "bpr \(bpr) vs popularity \(pop)")
    }

    @Test func neuralLearnsThePlantedStructureThatPopularityMisses() throws {
        let pop = try ndcg("popularity")
        let neural = try ndcg("neural", ["gmf-factors": "4", "mlp-factors": "4", "hidden": "8,4", "epochs": "30",
                                         "batch-size": "32", "learning-rate": "0.01"])
        #expect(neural > pop + 0.1, "neural \(neural) vs popularity \(pop)")
    }

    @Test func implicitALSAndEASELearnThePlantedStructure() throws {
        let pop = try ndcg("popularity")
        #expect(try ndcg("implicit-als", ["factors": "8", "regularization": "1"]) > pop + 0.1)
        #expect(try ndcg("ease", ["lambda": "5"]) > pop + 0.1)
        #expect(try ndcg("gf-cf") > pop + 0.1)
    }

    @Test func everyRankingModelFoldsInANewUserAndServesSimilarity() throws {
        let (train, _) = PlantedData.make()
        let data = RatingMatrix(train)
        for d in ModelRegistry.all where d.task == .ranking {
            let h: [String: String] = d.name == "neural" ? ["epochs": "2"] : (d.name == "bpr" ? ["epochs": "5"] : [:])
            let model = try d.fit(data, hyperparameters: Hyperparameters(h))
            let given = ["i11", "i12", "i13"]
            let recs = model.recommend(foldingIn: given.map { (item: $0, value: 1) }, count: 10)
            #expect(recs.count == 10, "\(d.name)")
            #expect(Set(recs.map(\.id)).isDisjoint(with: given), "\(d.name)")
            if model.itemVectors != nil {
                let similar = try model.similarItems(to: "i11", count: 3, metric: .cosine)
                #expect(similar.count == 3 && !similar.map(\.id).contains("i11"), "\(d.name)")
            } else {
                #expect(throws: RecommendationError.self) { try model.similarItems(to: "i11", count: 3) }
            }
            if model.userVectors != nil {
                #expect(try model.similarUsers(to: "u0", count: 4).count == 4, "\(d.name)")
            } else {
                #expect(throws: RecommendationError.self) { try model.similarUsers(to: "u0", count: 4) }
            }
        }
    }

    @Test func foldInOfABlockRecommendsThatBlock() throws {
        let data = RatingMatrix(PlantedData.make().train)
        for name in ["implicit-als", "ease"] {
            let model = try ModelRegistry.descriptor(named: name).fit(data)
            let recs = model.recommend(foldingIn: [("i21", 1), ("i22", 1), ("i23", 1)], count: 3)
            let block = Set((20..<30).map { "i\($0)" })
            #expect(recs.allSatisfy { block.contains($0.id) }, "\(name): \(recs.map(\.id))")
        }
    }

    @Test func batchRecommendEqualsPerUserRecommend() throws {
        let data = RatingMatrix(PlantedData.make().train)
        let model = try ModelRegistry.descriptor(named: "implicit-als").fit(data)
        let users = data.users.ids
        let deny: Set<String> = ["i0", "i11"]
        let batch = try model.recommend(users: users, count: 4, excluded: deny, threads: 3)
        for (n, u) in users.enumerated() {
            #expect(batch[n] == (try model.recommend(user: u, count: 4, excluded: deny)))
            #expect(batch[n].allSatisfy { !deny.contains($0.id) })
        }
        let allow: Set<String> = ["i1", "i2", "i15", "i25"]
        let allowed = try model.recommend(users: users, count: 10, allowed: allow, threads: 2)
        for (n, u) in users.enumerated() {
            #expect(allowed[n] == (try model.recommend(user: u, count: 10, allowed: allow)))
            #expect(allowed[n].allSatisfy { allow.contains($0.id) })
        }
        #expect(throws: RecommendationError.unknownUser("nobody")) { try model.recommend(users: ["nobody"]) }
    }

    @Test func neuralTrainingRepeatsForAThreadCount() throws {
        let data = RatingMatrix(PlantedData.make().train)
        let h = Hyperparameters(["epochs": "2", "batch-size": "64"])
        let a = try NeuralTraining(h).fit(data, context: TrainingContext(seed: 4, threads: 2))
        let b = try NeuralTraining(h).fit(data, context: TrainingContext(seed: 4, threads: 2))
        let one = try NeuralTraining(h).fit(data, context: TrainingContext(seed: 4, threads: 1))
        #expect(a.network.dense == b.network.dense && a.network.userGMF == b.network.userGMF)
        // Two threads sum the same gradients in another order: the same model up to rounding.
        let worst = zip(a.network.dense, one.network.dense).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-4)
    }

    @Test func neuralWithSquaredErrorLearnsRatings() throws {
        // Ratings from a planted rank-1 structure: r = 3 + 1.5 * a_u * b_i with a, b in {-1, 1}.
        var set = RatingSet()
        for u in 0..<20 {
            for i in 0..<12 where (u + i) % 3 != 0 {
                let a: Float = u % 2 == 0 ? 1 : -1, b: Float = i % 2 == 0 ? 1 : -1
                set.append(user: "u\(u)", item: "i\(i)", value: 3 + 1.5 * a * b)
            }
        }
        let data = RatingMatrix(set)
        let model = try NeuralTraining(Hyperparameters(["loss": "mse", "epochs": "200", "batch-size": "16",
                                                        "learning-rate": "0.01", "gmf-factors": "4", "mlp-factors": "4",
                                                        "hidden": "8,4"])).fit(data)
        let fitted = model.evaluateRatings(on: set)
        let baseline = Baselines.globalMean(data).evaluateRatings(on: set)
        #expect(fitted.rmse < 0.3 * baseline.rmse, "neural mse \(fitted.rmse) vs global mean \(baseline.rmse)")
        #expect(abs(model.rawPrediction(user: nil, item: 0) - data.globalMean) < 1e-6)
    }

    @Test func neuralRoundTripsThroughAModelFile() throws {
        let model = try NeuralTraining(Hyperparameters(["epochs": "1"])).fit(RatingMatrix(PlantedData.make().train))
        let url = TestData.temporaryDirectory().appendingPathComponent("neural.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? NeuralRecommender)
        #expect(loaded.network.dense == model.network.dense && loaded.network.itemMLP == model.network.itemMLP)
        #expect(try loaded.recommend(user: "u3", count: 5) == model.recommend(user: "u3", count: 5))
    }
}
