import Foundation
import Testing
@testable import Latent

/// Users x items: a {1, 2}, b {1, 3}, c {2, 3, 4}, d {1, 2, 3} (dense item indices 0, 1, 2, 3 for "1".."4").
/// n_1 = n_2 = n_3 = 3, n_4 = 1; c_12 = c_13 = c_23 = 2, c_24 = c_34 = 1, c_14 = 0.
func tinyInteractions() -> RatingMatrix {
    RatingMatrix(RatingSet([("a", "1", 1), ("a", "2", 1), ("b", "1", 1), ("b", "3", 1), ("c", "2", 1), ("c", "3", 1),
                            ("c", "4", 1), ("d", "1", 1), ("d", "2", 1), ("d", "3", 1)]))
}

func scores(_ model: any Recommender, user: Int) -> [Float] {
    var s = [Float](repeating: 0, count: model.domain.items.count)
    model.scoreItems(user: user, into: &s)
    return s
}

@Suite struct ItemKNNTests {
    @Test func cosineWithShrinkageByHand() throws {
        let model = try ItemKNN(neighbors: 10, shrinkage: 1, alpha: 0.5).fit(tinyInteractions())
        // User a {1, 2}: item 3 gets 2 / (sqrt(3 * 3) + 1) from 1 and from 2; item 4 gets 1 / (sqrt(1 * 3) + 1) from 2.
        let s = scores(model, user: 0)
        #expect(abs(s[2] - 1.0) < 1e-6)
        let expected4: Float = 1 / (Float(3).squareRoot() + 1)
        #expect(abs(s[3] - expected4) < 1e-6)
        #expect(abs(s[0] - 0.5) < 1e-6 && abs(s[1] - 0.5) < 1e-6)
        #expect(abs(model.rawPrediction(user: 0, item: 3) - s[3]) < 1e-7)
    }

    @Test func asymmetricCosineDividesByTheTargetsPopularity() throws {
        let model = try ItemKNN(neighbors: 10, shrinkage: 0, alpha: 1).fit(tinyInteractions())
        // alpha 1: sim(j <- i) = c_ij / n_j. User c {2, 3, 4}: item 1 gets (2 + 2) / 3; user a {1, 2}: item 4 gets 1 / 1.
        #expect(abs(scores(model, user: 2)[0] - 4.0 / 3) < 1e-6)
        #expect(abs(scores(model, user: 0)[3] - 1) < 1e-6)
        // Folding in {4} alone scores item 2 with c_42 / n_2 = 1/3, item 3 with 1/3 (a tie: smaller index first), 1 with 0.
        let folded = model.recommend(foldingIn: [(item: "4", value: 1)], count: 3)
        #expect(folded.map(\.id) == ["2", "3", "1"])
        #expect(abs(folded[0].score - 1.0 / 3) < 1e-6 && folded[2].score == 0)
    }

    @Test func eachItemKeepsItsTopNeighboursTiesToTheSmallerIndex() throws {
        let model = try ItemKNN(neighbors: 1, shrinkage: 1, alpha: 0.5).fit(tinyInteractions())
        // Target 3's neighbours: 1 (0.5), 2 (0.5), 4 (0.366): it keeps item 1 only. Target 4 keeps 2 (0.366 vs 3's 0.366:
        // equal, the smaller index wins).
        #expect(abs(scores(model, user: 0)[2] - 0.5) < 1e-6)   // a {1, 2}: only 1 -> 3 counts
        #expect(model.weights.entryCount == 4)
        let expected4: Float = 1 / (Float(3).squareRoot() + 1)
        #expect(abs(scores(model, user: 0)[3] - expected4) < 1e-6)
    }
}

@Suite struct RP3BetaTests {
    @Test func walkWeightsByHand() throws {
        let model = try RP3Beta(neighbors: 10, alpha: 1, beta: 0.5).fit(tinyInteractions())
        // W_12 = (1/n_1) (1/|N(a)| + 1/|N(d)|) / n_2^0.5 = (1/3)(1/2 + 1/3) / sqrt 3; W_24 = (1/3)(1/3) / 1.
        let w = { (i: Int, j: Int) -> Float in weight(model, i, j) }
        let root3: Double = 3.0.squareRoot()
        let w12 = Float((0.5 + 1.0 / 3) / 3 / root3), w42 = Float(1.0 / 3 / root3)
        #expect(abs(w(0, 1) - w12) < 1e-6)
        #expect(abs(w(1, 3) - Float(1.0 / 9)) < 1e-6)
        #expect(abs(w(3, 1) - w42) < 1e-6)
        #expect(w(0, 3) == 0 && w(0, 0) == 0)
    }

    func weight(_ model: ItemGraphModel, _ i: Int, _ j: Int) -> Float {
        for a in model.weights.range(of: i) where Int(model.weights.indices[a]) == j { return model.weights.values[a] }
        return 0
    }

    @Test func matchesTheThreeStepWalkOnRandomData() throws {
        var rng = SeededGenerator(seed: 9)
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 0..<15 { for i in 0..<12 where rng.nextUniform() < 0.35 || i == u % 12 { triples.append(("u\(u)", "i\(i)", 1)) } }
        let data = RatingMatrix(RatingSet(triples))
        let (alpha, beta) = (0.7, 0.3)
        let model = try RP3Beta(neighbors: 1000, alpha: Float(alpha), beta: Float(beta)).fit(data)
        // Brute force over every path i -> u -> j.
        for i in 0..<data.itemCount {
            for j in 0..<data.itemCount where j != i {
                var sum = 0.0
                for u in 0..<data.userCount where data.byUser.contains(row: u, column: Int32(i)) && data.byUser.contains(row: u, column: Int32(j)) {
                    sum += pow(Double(data.byUser.count(of: u)), -alpha)
                }
                let expected = pow(Double(data.byItem.count(of: i)), -alpha) * sum / pow(Double(data.byItem.count(of: j)), beta)
                #expect(abs(Double(weight(model, i, j)) - expected) < 1e-5)
            }
        }
        let threads = try RP3Beta(neighbors: 3, alpha: 0.7, beta: 0.3).fit(data, context: TrainingContext(threads: 3))
        #expect(threads.weights == (try RP3Beta(neighbors: 3, alpha: 0.7, beta: 0.3).fit(data)).weights)
        #expect((0..<data.itemCount).allSatisfy { threads.weights.count(of: $0) <= 3 })
    }

    @Test func bothLearnThePlantedStructureAndRoundTrip() throws {
        let (train, test) = PlantedData.make()
        let data = RatingMatrix(train)
        let pop = try Popularity.fit(data).evaluateRanking(on: test, k: 5).ndcg
        for name in ["item-knn", "rp3beta"] {
            let model = try ModelRegistry.descriptor(named: name).fit(data)
            #expect(try model.evaluateRanking(on: test, k: 5).ndcg > pop + 0.1, "\(name)")
            let block = Set((20..<30).map { "i\($0)" })
            #expect(model.recommend(foldingIn: [("i21", 1), ("i22", 1)], count: 3).allSatisfy { block.contains($0.id) })
            let url = TestData.temporaryDirectory().appendingPathComponent("\(name).latent")
            try model.save(to: url)
            let loaded = try #require(try ModelRegistry.load(from: url) as? ItemGraphModel)
            #expect(loaded.name == name && loaded.weights == (model as? ItemGraphModel)?.weights)
            #expect(try loaded.recommend(user: "u1", count: 5) == model.recommend(user: "u1", count: 5))
        }
    }
}

@Suite struct SVDPlusPlusTests {
    @Test func gradientMatchesCentralDifferences() throws {
        let check = try #require(try ModelRegistry.descriptor(named: "svdpp").gradientCheck)
        let result = check(3)
        #expect(result.maxRelativeError < 1e-6, "\(result)")
        #expect(result.parameterCount > 50)
    }

    @Test func oneStepIsMinusGammaTimesTheGradient() throws {
        // One rating: an epoch is exactly one step of every parameter along minus gamma times the objective's gradient.
        let data = RatingMatrix(RatingSet([("u", "i", 4)]))
        var config = SVDPlusPlus.defaults
        config.factors = 3
        config.iterations = 1
        config.learningRate = 0.1
        config.regularization = 0.3
        config.biasRegularization = 0.2
        let (p, q, y) = config.initialParameters(data, seed: 5)
        let x0 = [0.0, 0.0] + (p + q + y).map(Double.init)
        let g = SVDPlusPlusObjective(config, data: data).gradient(at: x0)
        let expected = zip(x0, g).map { $0 - 0.1 * $1 }
        let model = try config.fit(data, context: TrainingContext(seed: 5))
        let a = model.averaged
        #expect(abs(Double(a.userBias[0]) - expected[0]) < 1e-6 && abs(Double(a.itemBias[0]) - expected[1]) < 1e-6)
        for f in 0..<3 {
            // The model's user vector is p + s y with s = 1 for one rating.
            #expect(abs(Double(a.userFactors[0, f]) - (expected[2 + f] + expected[8 + f])) < 1e-6)
            #expect(abs(Double(a.itemFactors[0, f]) - expected[5 + f]) < 1e-6)
            #expect(abs(Double(model.implicitFactors[0, f]) - expected[8 + f]) < 1e-6)
        }
    }

    @Test func learnsTheLowRankStructureAndRepeatsForASeed() throws {
        let (train, test) = BayesianMFTests.data()
        var config = SVDPlusPlus.defaults
        config.factors = 4
        config.iterations = 60
        config.learningRate = 0.02
        let model = try config.fit(train, context: TrainingContext(seed: 3))
        let rmse = model.evaluateRatings(on: test).rmse
        #expect(rmse < 0.85 * BiasBaseline.defaults.fit(train).evaluateRatings(on: test).rmse, "\(rmse)")
        let again = try config.fit(train, context: TrainingContext(seed: 3))
        #expect(again.averaged.userFactors == model.averaged.userFactors && again.implicitFactors == model.implicitFactors)
    }
}

@Suite struct BayesianSVDPlusPlusTests {
    @Test func residualsAndTotalsStayExactThroughTheSweeps() {
        let (train, _) = BayesianMFTests.data()
        let k = 3
        var s = ImplicitGibbsSampler(train, factors: k, initialScale: 0.1, seed: 2)
        for _ in 0..<4 { s.sweep() }
        // Rebuild U, I and every prediction from the parameters alone.
        var worst = 0.0
        var u = s.users.factors, i = s.items.factors
        for v in 0..<train.userCount {
            let su = 1 / Double(train.byUser.count(of: v)).squareRoot()
            for n in train.byUser.range(of: v) { for f in 0..<k { u[v * k + f] += su * s.users.implicitFactors[Int(train.byUser.indices[n]) * k + f] } }
        }
        for j in 0..<train.itemCount {
            let ti = 1 / Double(train.byItem.count(of: j)).squareRoot()
            for m in train.byItem.range(of: j) { for f in 0..<k { i[j * k + f] += ti * s.items.implicitFactors[Int(train.byItem.indices[m]) * k + f] } }
        }
        worst = max(zip(u, s.users.total).map { abs($0 - $1) }.max() ?? 0, zip(i, s.items.total).map { abs($0 - $1) }.max() ?? 0)
        let bu = s.users.totalBias()
        for v in 0..<train.userCount {
            let su = 1 / Double(train.byUser.count(of: v)).squareRoot()
            let implicit = su * train.byUser.columns(of: v).reduce(0.0) { $0 + s.users.implicitWeights[Int($1)] }
            worst = max(worst, abs(bu[v] - s.users.bias[v] - implicit))
            for n in train.byUser.range(of: v) {
                let j = Int(train.byUser.indices[n])
                let tj = 1 / Double(train.byItem.count(of: j)).squareRoot()
                var prediction = s.w0 + s.users.bias[v] + s.items.bias[j] + implicit + tj * train.byItem.columns(of: j).reduce(0.0) { $0 + s.items.implicitWeights[Int($1)] }
                for f in 0..<k { prediction += u[v * k + f] * i[j * k + f] }
                worst = max(worst, abs(Double(train.byUser.values[n]) - prediction - s.e[n]))
            }
        }
        #expect(worst < 1e-9)
        #expect(s.users.implicitWeights.contains { $0 != 0 } && s.items.implicitFactors.contains { $0 != 0 })
    }

    @Test func learnsTheLowRankStructureRoundTripsAndRepeats() throws {
        let (train, test) = BayesianMFTests.data()
        var config = BayesianSVDPlusPlus.defaults
        config.factors = 4
        config.iterations = 100
        config.keptSamples = 40
        let model = try config.fit(train, context: TrainingContext(seed: 3))
        #expect(model.averaged.factorCount == 4 * 40 && model.name == "bayesian-svdpp")
        let rmse = model.evaluateRatings(on: test).rmse
        #expect(rmse < 0.8 * BiasBaseline.defaults.fit(train).evaluateRatings(on: test).rmse)
        let again = try config.fit(train, context: TrainingContext(seed: 3))
        #expect(again.averaged.userFactors == model.averaged.userFactors && again.implicitFactors == model.implicitFactors)
        let url = TestData.temporaryDirectory().appendingPathComponent("bsvdpp.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? ImplicitFactorModel)
        #expect(loaded.implicitFactors == model.implicitFactors && loaded.factorPrecision == model.factorPrecision)
        let given: [(item: String, value: Float)] = [("i1", 5), ("i4", 2), ("i7", 4)]
        #expect(loaded.recommend(foldingIn: given, count: 5) == model.recommend(foldingIn: given, count: 5))
    }

    @Test func foldInByHand() {
        // One sample of rank 1: w0 3, item biases 0.5 and -0.5, item factors 1 and 2, implicit weights 0.2 and 0.4,
        // implicit factors 0.1 and 0.3, ridges 1 (bias) and 2 (factor).
        let domain = ModelDomain(users: IDMap(["u"]), items: IDMap(["a", "b"]),
                                 seen: SparseRows(offsets: [0, 1], indices: [0], values: [4]), ratingScale: 1...5, task: .rating)
        let averaged = FactorModel(name: "svdpp", domain: domain, hyperparameters: Hyperparameters(), globalMean: 3,
                                   userBias: [0], itemBias: [0.5, -0.5], userFactors: Matrix(rows: 1, columns: 1),
                                   itemFactors: Matrix(rows: 2, columns: 1, storage: [1, 2]), foldIn: .ridge(lambda: 0))
        let model = ImplicitFactorModel(averaged: averaged, rank: 1, implicitWeights: [0.2, 0.4],
                                        implicitFactors: Matrix(rows: 2, columns: 1, storage: [0.1, 0.3]),
                                        biasPrecision: 1, factorPrecision: [2])
        // A new user rates a 4 and b 2: s = 1/sqrt 2, implicit bias 0.6 s, implicit factor 0.4 s.
        let s = 1 / 2.0.squareRoot()
        let b0 = 0.6 * s, u0 = 0.4 * s
        var e = [4 - 3 - 0.5 - b0 - u0 * 1, 2 - 3 + 0.5 - b0 - u0 * 2]
        let shift = (e[0] + e[1]) / (2 + 1)
        e = e.map { $0 - shift }
        let p = (1 * e[0] + 2 * e[1]) / (1 + 4 + 2)
        let (bias, factors) = model.foldIn([(0, 4), (1, 2)])
        #expect(abs(Double(bias) - (b0 + shift)) < 1e-6)
        #expect(abs(Double(factors[0]) - (u0 + p)) < 1e-6)
        var scores = [Float](repeating: 0, count: 2)
        model.scoreItems(foldingIn: [(0, 4), (1, 2)], into: &scores)
        #expect(abs(Double(scores[1]) - (3 - 0.5 + b0 + shift + (u0 + p) * 2)) < 1e-5)
    }
}

@Suite struct GFCFTests {
    /// tinyInteractions: d_a = d_b = 2, d_c = d_d = 3, n = (3, 3, 3, 1), |R| = 10. G_ij = sum over shared users of
    /// 1 / d_u: G_12 = 1/2 + 1/3 (a, d), G_11 = 1/2 + 1/2 + 1/3, G_24 = 1/3 (c), G_14 = 0; P_ij = G_ij / sqrt(n_i n_j).
    /// One factor: the top eigenvector of P is sqrt(n_i / |R|) (eigenvalue 1; the next is 0.37), so the ideal term is
    /// a n_j / |R|. All four factors (R~ has rank 4): V V^T = I, the ideal term a I.
    @Test func filterByHand() throws {
        let data = tinyInteractions()
        let p12 = (0.5 + 1.0 / 3) / 3, p11 = (1 + 1.0 / 3) / 3, p24 = 1.0 / 3 / 3.0.squareRoot()
        let one = try GFCF(factors: 1, ideal: 2, iterations: 30).fit(data).weights
        for (i, j, expected) in [(0, 1, p12 + 2 * 0.3), (0, 0, p11 + 2 * 0.3), (1, 3, p24 + 2 * 0.1), (0, 3, 2 * 0.1), (3, 0, 2 * 0.3)] {
            #expect(abs(Double(one[i, j]) - expected) < 1e-6, "\(i), \(j)")
        }
        let all = try GFCF(factors: 9, ideal: 2, iterations: 30).fit(data).weights
        for (i, j, expected) in [(0, 1, p12), (1, 0, p12), (0, 0, p11 + 2), (1, 3, p24), (0, 3, 0)] {
            #expect(abs(Double(all[i, j]) - expected) < 1e-6, "\(i), \(j)")
        }
        let linear = try GFCF(factors: 1, ideal: 0, iterations: 1).fit(data)
        #expect(abs(Double(linear.weights[0, 1]) - p12) < 1e-7 && linear.weights[0, 3] == 0)
        // A user's scores are the sum of their items' rows: a {1, 2} scores item 4 with W_14 + W_24.
        #expect(abs(Double(scores(linear, user: 0)[3]) - p24) < 1e-6)
    }

    @Test func sameForAnyThreadCountAndRoundTrips() throws {
        let data = RatingMatrix(PlantedData.make().train)
        let model = try GFCF(factors: 6, ideal: 1, iterations: 10).fit(data)
        #expect(try GFCF(factors: 6, ideal: 1, iterations: 10).fit(data, context: TrainingContext(threads: 3)).weights == model.weights)
        let url = TestData.temporaryDirectory().appendingPathComponent("gf-cf.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? EASEModel)
        #expect(loaded.name == "gf-cf" && loaded.weights == model.weights)
        #expect(loaded.hyperparameters.values == ["factors": "6", "ideal": "1.0", "iterations": "10"])
        #expect(try loaded.recommend(user: "u1", count: 5) == model.recommend(user: "u1", count: 5))
        let inBlend = try Blend(Hyperparameters(["components": "implicit-als:0.6,gf-cf[factors=6,iterations=10]:0.4"])).fit(data)
        #expect((inBlend.components[1] as? EASEModel)?.weights == model.weights)
    }
}

@Suite struct MultDAETests {
    /// 4 items, 3 users with 2, 1 and 3 items (multi-hot targets: the multinomial, not a one-hot softmax).
    static let batch = [[0, 2], [1], [0, 1, 3]].map { MultDAEExample<Double>(kept: $0, target: $0) }

    /// The dense input and target vectors of sparse examples over `n` items.
    static func dense<T: NeuralScalar>(_ batch: [MultDAEExample<T>], items n: Int) -> [(input: [T], target: [T])] {
        batch.map { e in
            var x = [T](repeating: 0, count: n), y = x
            for (i, v) in e.input { x[i] = v }
            for i in e.target { y[i] = 1 }
            return (x, y)
        }
    }

    /// The sparse first layer against the Neural module's dense network (every input entry multiplied, zeros too) on a
    /// random batch: 7 users over 9 items, two hidden layers, inputs with items dropped, user 3's input empty, item 8
    /// in no input (so its W1 column's gradient is the weight decay alone, lambda W1, on every step), 1 and 3 threads;
    /// in Double to 1e-12 and in Float to float rounding.
    @Test func sparseFirstLayerGivesTheDenseLossAndGradient() {
        let layout = MultDAEModel.layout(items: 9, hidden: [5, 3])
        var rng = SeededGenerator(seed: 11)
        let p: [Double] = layout.initialParameters(using: &rng).map { $0 + 0.05 }
        let batch = (0..<7).map { u in
            let items = (0..<9).filter { $0 == u || rng.nextUniform() < 0.4 }
            return MultDAEExample<Double>(kept: u == 3 ? [] : items.filter { $0 != 8 && rng.nextUniform() >= 0.3 }, target: items)
        }
        #expect(batch[3].input.isEmpty && batch.contains { $0.input.count >= 2 && $0.input.count < $0.target.count })
        var (loss, gradient) = NeuralNetwork<Double>.lossAndGradient(layout: layout, parameters: p,
                                                                     examples: Self.dense(batch, items: 9), loss: .categoricalCrossEntropy)
        MultDAE.addWeightDecay(layout: layout, parameters: p, regularization: 0.1, loss: &loss, gradient: &gradient)
        let scale = gradient.map(abs).max() ?? 0
        #expect(scale > 0.01)
        for threads in [1, 3] {
            let sparse = MultDAE.lossAndGradient(layout: layout, parameters: p, batch: batch, regularization: 0.1, threads: threads)
            #expect(abs(sparse.loss - loss) < 1e-12 * loss, "\(threads) threads")
            #expect(zip(sparse.gradient, gradient).allSatisfy { abs($0 - $1) < 1e-12 * scale }, "\(threads) threads")
            #expect((0..<5).allSatisfy { o in sparse.gradient[o * 9 + 8] == 0.1 * p[o * 9 + 8] })
        }
        let pf = p.map { Float($0) }
        let batchF = batch.map { MultDAEExample<Float>(kept: $0.input.map(\.item), target: $0.target) }
        var (lossF, gradientF) = NeuralNetwork<Float>.lossAndGradient(layout: layout, parameters: pf,
                                                                      examples: Self.dense(batchF, items: 9), loss: .categoricalCrossEntropy)
        MultDAE.addWeightDecay(layout: layout, parameters: pf, regularization: 0.1, loss: &lossF, gradient: &gradientF)
        let sparseF = MultDAE.lossAndGradient(layout: layout, parameters: pf, batch: batchF, regularization: 0.1, threads: 2)
        #expect(abs(sparseF.loss - lossF) < 1e-6 * lossF)
        #expect(zip(sparseF.gradient, gradientF).allSatisfy { abs($0 - $1) < 1e-6 * Float(scale) })
    }

    /// At zero parameters z = 0 and softmax = 1/4: the loss is the mean of (sum_i x_i) log 4 = (2 + 1 + 3) / 3 log 4,
    /// and d loss / d b_i (output bias) = mean over users of (sum_j x_j) / 4 - x_i.
    @Test func multinomialLossByHandAndAgainstCentralDifferences() {
        let layout = MultDAEModel.layout(items: 4, hidden: [3])
        let zero = MultDAE.lossAndGradient(layout: layout, parameters: [Double](repeating: 0, count: layout.parameterCount),
                                           batch: Self.batch, regularization: 0.1, threads: 2)
        #expect(abs(zero.loss - 2 * log(4.0)) < 1e-12)
        let bias = layout.offsets[1] + 3 * 4
        for (i, expected) in [(2.0 / 4 + 1.0 / 4 + 3.0 / 4) / 3 - 2.0 / 3, 2.0 / 4 - 2.0 / 3, 2.0 / 4 - 1.0 / 3, 2.0 / 4 - 1.0 / 3].enumerated() {
            #expect(abs(zero.gradient[bias + i] - expected) < 1e-12, "\(i)")
        }
        for threads in [1, 2] {
            let f = MultDAEGradientObjective(seed: 3, threads: threads)
            let result = GradientCheck.check(f, at: f.initialPoint)
            #expect(result.parameterCount == 6 * 4 + 4 + 4 * 6 + 6)
            #expect(result.maxRelativeError < 1e-6, "\(threads) threads: \(result.maxRelativeError)")
        }
        #expect(MultDAE.defaults.gradientCheck(seed: 5).maxRelativeError < 1e-6)
    }

    @Test func sameSeedSameModelAndRoundTrips() throws {
        let data = RatingMatrix(PlantedData.make().train)
        let config = try MultDAE(Hyperparameters(["hidden": "8", "iterations": "3", "batch-size": "16"]))
        let model = try config.fit(data, context: TrainingContext(threads: 2))
        #expect(try config.fit(data, context: TrainingContext(threads: 2)).parameters == model.parameters)
        #expect(try config.fit(data, context: TrainingContext(seed: 9, threads: 2)).parameters != model.parameters)
        let url = TestData.temporaryDirectory().appendingPathComponent("mult-dae.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? MultDAEModel)
        #expect(loaded.parameters == model.parameters && loaded.layout == model.layout)
        #expect(loaded.hyperparameters.values["hidden"] == "8")
        #expect(try loaded.recommend(user: "u1", count: 5) == model.recommend(user: "u1", count: 5))
        // A training user folded in from their own items scores as they do.
        let u = 0, items = data.byUser.columns(of: u).map { (item: Int($0), value: Float(1)) }
        var own = [Float](repeating: 0, count: data.itemCount), folded = own
        model.scoreItems(user: u, into: &own)
        model.scoreItems(foldingIn: items, into: &folded)
        #expect(own == folded && abs(own.reduce(0, +) - 1) < 1e-4)
        // The sparse scoring is the dense network's softmax(z(x~)), x~ = x_u / ||x_u||.
        var x = [Float](repeating: 0, count: data.itemCount)
        for (i, _) in items { x[i] = 1 / Float(items.count).squareRoot() }
        let z = NeuralNetwork(layout: model.layout, parameters: model.parameters).predict(x), m = z.max() ?? 0
        let e = z.map { Float.neuralExp($0 - m) }, total = e.reduce(0, +)
        #expect(zip(own, e).allSatisfy { abs($0 - $1 / total) < 1e-6 })
    }
}
