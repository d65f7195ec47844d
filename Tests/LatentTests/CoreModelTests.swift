import Foundation
import Testing
@testable import Latent

/// A 3-user, 4-item table with known structure, and exact checks of the shared model machinery on it.
@Suite struct CoreModelTests {
    static let set = RatingSet([
        ("u1", "a", 5), ("u1", "b", 4), ("u2", "a", 1), ("u2", "c", 2), ("u3", "d", 3), ("u1", "a", 3),
    ])

    @Test func ratingMatrixStoresRowsAndColumnsAndFoldsDuplicates() {
        let m = RatingMatrix(Self.set)
        #expect(m.userCount == 3 && m.itemCount == 4 && m.count == 5)
        #expect(m.duplicateCount == 1)
        // keep-last: u1's second rating of a (3) wins.
        #expect(Array(m.byUser.columns(of: 0)) == [0, 1])
        #expect(Array(m.byUser.values[m.byUser.range(of: 0)]) == [3, 4])
        // Column a holds u1 (3) and u2 (1).
        #expect(Array(m.byItem.columns(of: 0)) == [0, 1])
        #expect(Array(m.byItem.values[m.byItem.range(of: 0)]) == [3, 1])
        #expect(m.globalMean == Float(3 + 4 + 1 + 2 + 3) / 5)
        #expect(RatingMatrix(Self.set, duplicates: .keepFirst).byUser.values[0] == 5)
        #expect(RatingMatrix(Self.set, duplicates: .average).byUser.values[0] == 4)
        #expect(RatingMatrix(Self.set, duplicates: .sum).byUser.values[0] == 8)
    }

    @Test func ratingMatrixKeepsOnlyIDsThatOccur() {
        var set = Self.set
        _ = set.users.insert("ghost")
        _ = set.items.insert("phantom")
        let m = RatingMatrix(set)
        #expect(!m.users.contains("ghost") && !m.items.contains("phantom"))
    }

    /// One SGD step on a two-rating example, every number worked by hand.
    @Test func oneBiasedSGDStepMatchesTheHandComputation() {
        // k = 1 (padded to a stride of 8), mu = 3, one rating r = 5 by user 0 of item 0.
        // p = 1, q = 2, b_u = 0.5, b_i = -0.5: prediction = 3 + 0.5 - 0.5 + 1*2 = 5.0 ... use r = 6: e = 1.
        var p = [Float](repeating: 0, count: 8), q = [Float](repeating: 0, count: 8)
        p[0] = 1; q[0] = 2
        var bu: [Float] = [0.5], bi: [Float] = [-0.5]
        let gamma: Float = 0.1, lambdaP: Float = 0.2, lambdaQ: Float = 0.3, lambdaUB: Float = 0.4, lambdaIB: Float = 0.5
        let step = SGDMatrixFactorization.Step(gamma: gamma, lambdaP: lambdaP, lambdaQ: lambdaQ, lambdaUB: lambdaUB,
                                               lambdaIB: lambdaIB, stride: 8, mu: 3)
        let ratings = [SGDMatrixFactorization.Rating(user: 0, item: 0, value: 6)]
        let sse = p.withUnsafeMutableBufferPointer { p in q.withUnsafeMutableBufferPointer { q in
            bu.withUnsafeMutableBufferPointer { bu in bi.withUnsafeMutableBufferPointer { bi in
                ratings.withUnsafeBufferPointer {
                    SGDMatrixFactorization.pass($0, .init(p: p.baseAddress!, q: q.baseAddress!, bu: bu.baseAddress, bi: bi.baseAddress), step)
                }
            }}
        }}
        #expect(sse == 1)
        // b_u += 0.1 (1 - 0.4*0.5) = 0.5 + 0.08; b_i += 0.1 (1 - 0.5*(-0.5)) = -0.5 + 0.125
        #expect(abs(bu[0] - 0.58) < 1e-6)
        #expect(abs(bi[0] - (-0.375)) < 1e-6)
        // p += 0.1 (1*2 - 0.2*1) = 1.18; q += 0.1 (1*1 - 0.3*2) = 2.04 (both from the old values)
        #expect(abs(p[0] - 1.18) < 1e-6)
        #expect(abs(q[0] - 2.04) < 1e-6)
        #expect(p[1...].allSatisfy { $0 == 0 } && q[1...].allSatisfy { $0 == 0 })
    }

    @Test func twoRatingExampleConvergesToTheRatings() throws {
        let data = RatingMatrix(RatingSet([("u", "x", 5), ("u", "y", 1)]))
        var config = SGDMatrixFactorization.biasedDefaults
        config.factors = 2
        config.iterations = 400
        config.learningRate = 0.05
        config.schedule = .constant
        config.userRegularization = 0
        config.itemRegularization = 0
        config.userBiasRegularization = 0
        config.itemBiasRegularization = 0
        config.initialScale = 0.1
        let model = try config.fit(data)
        #expect(abs(model.predict(user: "u", item: "x") - 5) < 1e-3)
        #expect(abs(model.predict(user: "u", item: "y") - 1) < 1e-3)
    }

    @Test func sameSeedSameModelAndOtherSeedOtherModel() throws {
        let data = RatingMatrix(Self.set)
        let a = try SGDMatrixFactorization.biasedDefaults.fit(data, context: TrainingContext(seed: 3))
        let b = try SGDMatrixFactorization.biasedDefaults.fit(data, context: TrainingContext(seed: 3))
        let c = try SGDMatrixFactorization.biasedDefaults.fit(data, context: TrainingContext(seed: 4))
        #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors && a.itemBias == b.itemBias)
        #expect(a.userFactors != c.userFactors)
    }

    @Test func hugeLearningRateIsReportedAsDivergenceNotNaNModel() {
        let data = RatingMatrix(Self.set)
        var config = SGDMatrixFactorization.biasedDefaults
        config.learningRate = 10
        config.schedule = .constant
        #expect(throws: TrainingError.self) { try config.fit(data) }
        do {
            _ = try config.fit(data)
        } catch let TrainingError.diverged(_, rate) {
            #expect(rate == 10)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// A factor model with hand-set numbers: predictions, fallbacks, clipping, top-N and related items.
    static func handModel() -> FactorModel {
        let data = RatingMatrix(RatingSet([("u1", "a", 5), ("u2", "b", 1), ("u1", "c", 4), ("u2", "d", 2)]))
        // items a, b, c, d with 2-d factors; a and c close, b far.
        return FactorModel(
            name: "hand", domain: ModelDomain(data, ratingScale: 1...5, task: .rating), hyperparameters: Hyperparameters(),
            globalMean: 3, userBias: [0.5, -0.5], itemBias: [0.1, 0.2, 0.3, 0.4],
            userFactors: Matrix(rows: 2, columns: 2, storage: [1, 0, 0, 1]),
            itemFactors: Matrix(rows: 4, columns: 2, storage: [2, 0, 0, 3, 1.9, 0.1, -1, -1]),
            foldIn: .ridge(lambda: 0.1))
    }

    @Test func predictionsFallBackAndClip() {
        let m = Self.handModel()
        #expect(m.predict(user: "u1", item: "a") == 5) // 3 + 0.5 + 0.1 + 2 = 5.6, clipped to 5
        #expect(abs(m.predict(user: "u2", item: "d") - 1.9) < 1e-6) // 3 - 0.5 + 0.4 - 1
        #expect(abs(m.predict(user: "nobody", item: "b") - 3.2) < 1e-6) // mu + b_i
        #expect(abs(m.predict(user: "u2", item: "nothing") - 2.5) < 1e-6) // mu + b_u
        #expect(m.predict(user: "nobody", item: "nothing") == 3)
    }

    @Test func recommendExcludesSeenItemsAndRanksByScore() throws {
        let m = Self.handModel()
        // u1 saw a and c. Scores of b: 3.5+0.2+0 = 3.7, d: 3.5+0.4-1 = 2.9.
        let recs = try m.recommend(user: "u1", count: 5)
        #expect(recs.map(\.id) == ["b", "d"])
        #expect(abs(recs[0].score - 3.7) < 1e-6)
        // With seen items: c = 3.5 + 0.3 + 1.9 = 5.7 beats a = 3.5 + 0.1 + 2 = 5.6.
        let all = try m.recommend(user: "u1", count: 2, excludeSeen: false)
        #expect(all.map(\.id) == ["c", "a"])
        #expect(try m.recommend(user: "u1", count: 5, excluded: ["b"]).map(\.id) == ["d"])
        #expect(try m.recommend(user: "u1", count: 5, allowed: ["d", "a"]).map(\.id) == ["d"])
        #expect(throws: RecommendationError.unknownUser("zed")) { try m.recommend(user: "zed") }
    }

    @Test func relatedItemsByEuclideanDistanceAndCosine() throws {
        let m = Self.handModel()
        let euclid = try m.similarItems(to: "a", count: 3, metric: .euclidean)
        // From a = (2, 0): c = (1.9, 0.1) at 0.141, d = (-1, -1) at 3.162, b = (0, 3) at 3.606.
        #expect(euclid.map(\.id) == ["c", "d", "b"])
        #expect(abs(euclid[0].score + (0.01 + 0.01 as Float).squareRoot()) < 1e-5)
        let cosine = try m.similarItems(to: "a", count: 3, metric: .cosine)
        // Cosines: c 0.9986, b 0 (orthogonal), d -0.707.
        #expect(cosine.map(\.id) == ["c", "b", "d"])
        #expect(abs(cosine[1].score) < 1e-6) // a is orthogonal to b
        #expect(throws: RecommendationError.unknownItem("zz")) { try m.similarItems(to: "zz") }
    }

    @Test func foldInSolvesTheRidgeSystem() {
        let m = Self.handModel()
        // One rating 5 of item a: e = 5 - 3 - 0.1 = 1.9, q = (2, 0): (q q^T + 0.1 I) p = q e
        let p = m.foldInFactors([(item: 0, value: 5)])
        #expect(abs(p[0] - Float(2 * 1.9 / 4.1)) < 1e-5)
        #expect(abs(p[1]) < 1e-6)
        let recs = m.recommend(foldingIn: [(item: "a", value: 5)], count: 10)
        #expect(!recs.contains { $0.id == "a" } && recs.count == 3)
    }

    @Test func foldedInUserKeepsTheScoresOfTheRidgeSolution() throws {
        let m = Self.handModel()
        // p = (2 * 1.9 / 4.1, 0) as above; s_i = 3 + b_i + q_i . p.
        let p0 = Float(2 * 1.9 / 4.1)
        let folded = m.foldIn([(item: "a", value: 5), (item: "unknown", value: 4)])
        #expect(folded.ratings.map(\.item) == [0] && folded.ratings.map(\.value) == [5])
        let expected: [Float] = [3.1 + 2 * p0, 3.2, 3.3 + 1.9 * p0, 3.4 - p0]
        #expect(zip(folded.scores, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(m.recommend(folded, count: 10).map(\.id) == ["c", "b", "d"])
        #expect(m.recommend(folded, count: 10).map(\.id) == m.recommend(foldingIn: [(item: "a", value: 5)], count: 10).map(\.id))
        #expect(m.recommend(folded, count: 10, allowed: ["b", "d"], excluded: ["b"]).map(\.id) == ["d"])
        #expect(m.predict(folded, item: "c") == 5) // 5.06, clipped
        #expect(abs(m.predict(folded, item: "d") - expected[3]) < 1e-5)
        #expect(m.predict(folded, item: "nothing") == 3) // mu: the fallback of an unknown user and item

        // u1 rated a 5 and c 4 in training; a new rating of c replaces the 4 and the vector is refit from both.
        let refit = m.foldIn([(item: "c", value: 1)], addingTo: "u1")
        #expect(refit.ratings.map(\.item) == [0, 2] && refit.ratings.map(\.value) == [5, 1])
        let p = m.foldInFactors([(item: 0, value: 5), (item: 2, value: 1)])
        #expect(abs(refit.scores[1] - (3.2 + 3 * p[1])) < 1e-5)
        #expect(abs(refit.scores[3] - (3.4 - p[0] - p[1])) < 1e-5)
        #expect(m.recommend(refit, count: 10, allowed: nil, excluded: []).map(\.index).sorted() == [1, 3])
        #expect(m.foldIn([], addingTo: "nobody").ratings.isEmpty)
    }

    @Test func foldedInUserIsComparedToTheUsersByItsFoldInVector() throws {
        let m = Self.handModel()
        // p = (2 * 1.9 / 4.1, 0) = (0.927, 0); u1 = (1, 0), u2 = (0, 1).
        let p0 = Float(2 * 1.9 / 4.1)
        let folded = m.foldIn([(item: "a", value: 5)])
        let vector = try #require(folded.vector)
        #expect(abs(vector[0] - p0) < 1e-5 && abs(vector[1]) < 1e-6)
        let cosine = try m.similarUsers(to: folded, count: 5)
        #expect(cosine.map(\.id) == ["u1", "u2"])
        #expect(abs(cosine[0].score - 1) < 1e-5 && abs(cosine[1].score) < 1e-5)
        let euclid = try m.similarUsers(to: folded, count: 1, metric: .euclidean)
        #expect(euclid.map(\.id) == ["u1"] && abs(euclid[0].score + (1 - p0)) < 1e-5)
        // A known user refit with a new rating is compared to the others, not to their own trained row.
        let refit = m.foldIn([(item: "c", value: 1)], addingTo: "u1")
        #expect(try m.similarUsers(to: refit, leavingOut: "u1", count: 5).map(\.id) == ["u2"])
        // No vector without factors, and none by default: the reason is said.
        let none = FoldedInUser(ratings: folded.ratings, scores: folded.scores)
        #expect(throws: RecommendationError.unsupported("the hand model gives no user vector for this folded-in user")) {
            try m.similarUsers(to: none)
        }
    }

    @Test func ratingMetricsAreExact() {
        #expect(RatingMetrics.rmse([1, 2, 3], [1, 2, 5]) == (4.0 / 3).squareRoot())
        #expect(RatingMetrics.mae([1, 2, 3], [2, 2, 5]) == 1)
        let m = Self.handModel()
        let test = RatingSet([("u2", "d", 2), ("ghost", "b", 3)])
        let e = m.evaluateRatings(on: test)
        #expect(e.count == 2 && e.unknownUsers == 1 && e.unknownItems == 0)
        #expect(abs(e.rmse - ((0.01 + 0.04) / 2.0).squareRoot()) < 1e-6)
    }
}

@Suite struct ParallelSGDTests {
    static func data() -> RatingMatrix {
        var rng = SeededGenerator(seed: 5)
        var triples: [(user: String, item: String, rating: Float)] = []
        for _ in 0..<2000 {
            triples.append(("u\(rng.nextInt(below: 60))", "i\(rng.nextInt(below: 40))", Float(1 + rng.nextInt(below: 5))))
        }
        return RatingMatrix(RatingSet(triples))
    }

    @Test func blocksPartitionTheRatingsByUserAndItemGroup() {
        let data = Self.data()
        var rng = SeededGenerator(seed: 1)
        let blocks = SGDMatrixFactorization.blocks(data, grid: 3, using: &rng)
        #expect(blocks.map(\.entries.count).reduce(0, +) == data.count)
        // Each user appears in one block row only, each item in one block column only.
        var userRow: [Int32: Int] = [:], itemColumn: [Int32: Int] = [:]
        for (b, block) in blocks.enumerated() {
            // One run per user of the block, and the runs hold all its entries.
            #expect(Set(block.runs.map(\.user)).count == block.runs.count)
            #expect(block.runs.map { Int($0.count) }.reduce(0, +) == block.entries.count)
            for r in block.ratings {
                #expect(userRow.updateValue(b / 3, forKey: r.user).map { $0 == b / 3 } ?? true)
                #expect(itemColumn.updateValue(b % 3, forKey: r.item).map { $0 == b % 3 } ?? true)
            }
        }
    }

    @Test func theModelDoesNotDependOnTheThreadCount() throws {
        var config = SGDMatrixFactorization.biasedDefaults
        config.factors = 8
        config.iterations = 5
        config.grid = 4
        let one = try config.fit(Self.data(), context: TrainingContext(seed: 9, threads: 1))
        let two = try config.fit(Self.data(), context: TrainingContext(seed: 9, threads: 2))
        let three = try config.fit(Self.data(), context: TrainingContext(seed: 9, threads: 3))
        #expect(one.userFactors == two.userFactors && one.itemFactors == two.itemFactors && one.userBias == two.userBias)
        #expect(one.itemFactors == three.itemFactors)
    }

    @Test func theModelDoesNotDependOnWhetherEpochsOverlap() throws {
        // With a listener that wants snapshots, each epoch is a run of its own; without, the blocks of an epoch start
        // while the epoch before finishes. Both keep the order of every shared parameter's updates.
        var config = SGDMatrixFactorization.plainDefaults
        config.factors = 8
        config.iterations = 4
        config.grid = 5
        var listening = TrainingContext(seed: 3, threads: 3, progress: { _ in })
        listening.wantsSnapshots = true
        let seen = Locked<[Int]>([])
        let reporting = TrainingContext(seed: 3, threads: 2, progress: { p in seen.withLock { $0.append(p.step) } })
        let overlapped = try config.fit(Self.data(), context: TrainingContext(seed: 3, threads: 2))
        let stepped = try config.fit(Self.data(), context: listening)
        let reported = try config.fit(Self.data(), context: reporting)
        #expect(overlapped.userFactors == stepped.userFactors && overlapped.itemFactors == stepped.itemFactors)
        #expect(overlapped.itemFactors == reported.itemFactors)
        #expect(seen.withLock { $0 } == [1, 2, 3, 4])
    }

    @Test(arguments: [1, 2, 3, 5])
    func theScheduleRunsNoTwoBlocksOfABandAtOnceAndKeepsEachBandInOrder(threads: Int) {
        let grid = 4
        var rng = SeededGenerator(seed: 11)
        var shifts: [Int] = []
        for _ in 0..<5 {
            var s = Array(0..<grid)
            rng.shuffle(&s)
            shifts += s
        }
        let schedule = SGDSchedule(grid: grid, shifts: shifts)
        // Per band (rows 0..<grid, columns grid..<2 grid): whether a block holds it, and the sub-epochs that did.
        let state = Locked((busy: [Bool](repeating: false, count: 2 * grid), visits: [[Int]](repeating: [], count: 2 * grid),
                            clash: false, finished: [Int]()))
        schedule.run(threads: threads, body: { j, g in
            let b = schedule.block(subEpoch: j, row: g)
            let bands = [b / grid, grid + b % grid]
            state.withLock { s in
                for x in bands {
                    if s.busy[x] { s.clash = true }
                    s.busy[x] = true
                    s.visits[x].append(j)
                }
            }
            usleep(UInt32(100 * ((j * 7 + g * 3) % 5)))
            state.withLock { s in for x in bands { s.busy[x] = false } }
        }, finished: { j in
            state.withLock { $0.finished.append(j) }
            return true
        })
        state.withLock { s in
            #expect(!s.clash)
            // Every band is visited once per sub-epoch, in the order of the sub-epochs.
            for x in 0..<(2 * grid) { #expect(s.visits[x] == Array(0..<shifts.count)) }
            #expect(s.finished == Array(0..<shifts.count))
        }
    }

    @Test(arguments: [1, 2])
    func theScheduleStopsWhenASubEpochSaysSo(threads: Int) {
        let schedule = SGDSchedule(grid: 3, shifts: [0, 1, 2, 0, 1, 2])
        let ran = Locked(0)
        schedule.run(threads: threads, body: { _, _ in ran.withLock { $0 += 1 } }, finished: { $0 < 2 })
        // Sub-epochs 0, 1 and 2 run whole and no block starts after 2 is done: one thread runs nothing more; with
        // two, blocks of later sub-epochs may have started while the last block of 2 ran, but not all of them.
        let count = ran.withLock { $0 }
        #expect(threads == 1 ? count == 9 : (9..<18).contains(count))
    }

    @Test func blockedSGDLearnsAsWellAsPlainSGD() throws {
        let split = Splits.holdout(RatingSet((0..<3000).map { n in
            let u = n % 50, i = (n * 7) % 45
            return ("u\(u)", "i\(i)", Float(1 + (u + i) % 5))
        }), testFraction: 0.2, seed: 1)
        var config = SGDMatrixFactorization.biasedDefaults
        config.factors = 16
        let train = RatingMatrix(split.train)
        let plain = try config.fit(train).evaluateRatings(on: split.test).rmse
        config.grid = 3
        let blocked = try config.fit(train).evaluateRatings(on: split.test).rmse
        #expect(blocked < plain * 1.1 + 0.02)
    }
}

@Suite struct PlainSGDTests {
    @Test func plainMFHasNoBiasesAndFitsARankOneTable() throws {
        // r = a_u * b_i exactly: a rank-one table that p_u . q_i can fit.
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 1...6 { for i in 1...5 where (u + i) % 4 != 0 { triples.append(("u\(u)", "i\(i)", Float(u) * Float(i) / 6)) } }
        var config = SGDMatrixFactorization.plainDefaults
        config.factors = 1
        config.iterations = 3000
        config.learningRate = 0.02
        config.schedule = .constant
        config.userRegularization = 0
        config.itemRegularization = 0
        config.initialScale = 0.5
        let model = try config.fit(RatingMatrix(RatingSet(triples)))
        #expect(model.userBias.isEmpty && model.itemBias.isEmpty && model.globalMean == 0)
        for t in triples { #expect(abs(model.predict(user: t.user, item: t.item) - t.rating) < 0.01) }
        // The held-out cells follow the same product.
        #expect(abs(model.rawPrediction(user: model.domain.users.index(of: "u3"), item: model.domain.items.index(of: "i1")) - 0.5) < 0.05)
    }
}

@Suite struct BatchSolverTests {
    @Test func batchGradientDescentAndLBFGSLowerTheBiasedObjectiveAndPredictWell() throws {
        let data = ParallelSGDTests.data()
        var config = SGDMatrixFactorization.biasedDefaults
        config.factors = 4
        config.userRegularization = 0.1
        config.itemRegularization = 0.1
        let objective = MatrixFactorizationObjective(config, data: data)
        func cost(_ m: FactorModel) -> Double {
            objective.value(at: (m.userFactors.storage + m.itemFactors.storage + m.userBias + m.itemBias).map(Double.init))
        }
        var start = config
        start.iterations = 0
        start.solver = .lbfgs
        let initial = cost(try start.fit(data))
        for (solver, iterations, rate) in [(SGDMatrixFactorization.Solver.gd, 200, Float(0.002)), (.lbfgs, 100, 0)] {
            var c = config
            c.solver = solver
            c.iterations = iterations
            c.learningRate = rate > 0 ? rate : c.learningRate
            c.schedule = .constant
            let model = try c.fit(data)
            #expect(cost(model) < 0.9 * initial, "\(solver): \(cost(model)) from \(initial)")
            #expect(model.hyperparameters.values["solver"] == solver.rawValue)
        }
        #expect(throws: TrainingError.self) {
            try ModelDescriptor.biasedMF.fit(data, hyperparameters: Hyperparameters(["solver": "newton"]))
        }
    }

    /// Batch gradient descent takes `optimizer`'s step rule: Adam's first step is eta g / (|g| + eps), so every
    /// parameter moves by eta (plain steps would move each by eta |g|); L-BFGS refuses a step rule it would ignore.
    @Test func batchGradientDescentTakesTheStepRuleAndLBFGSRefusesOne() throws {
        let data = ParallelSGDTests.data()
        var config = SGDMatrixFactorization.biasedDefaults
        config.factors = 4
        config.solver = .gd
        config.schedule = .constant
        config.learningRate = 0.01
        config.iterations = 0
        func parameters(_ m: FactorModel) -> [Float] { m.userFactors.storage + m.itemFactors.storage + m.userBias + m.itemBias }
        let start = parameters(try config.fit(data))
        config.iterations = 1
        let plain = zip(parameters(try config.fit(data)), start).map { abs($0 - $1) }
        config.optimizer = .adam
        let adam = zip(parameters(try config.fit(data)), start).map { abs($0 - $1) }
        #expect(adam.allSatisfy { abs($0 - 0.01) < 1e-5 }, "\(adam.min()!) ... \(adam.max()!)")
        #expect(plain.contains { abs($0 - 0.01) > 1e-3 })
        config.solver = .lbfgs
        #expect(throws: TrainingError.invalidHyperparameter(name: "optimizer", value: "adam", reason: "needs solver=gd (solver lbfgs has no step rule)")) {
            try config.fit(data)
        }
    }
}
