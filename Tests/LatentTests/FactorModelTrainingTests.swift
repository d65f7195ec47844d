import Testing
@testable import Latent

/// A random low-rank rating problem: `users` x `items`, about `density` of the pairs observed.
func syntheticRatings(users: Int, items: Int, density: Float, seed: UInt64) -> RatingMatrix {
    var rng = SeededGenerator(seed: seed)
    let k = 2
    let p = (0..<(users * k)).map { _ in rng.nextGaussian() }
    let q = (0..<(items * k)).map { _ in rng.nextGaussian() }
    var triples: [(user: String, item: String, rating: Float)] = []
    for u in 0..<users {
        for i in 0..<items where rng.nextUniform() < density || i == u % items {
            var r: Float = 3 + 0.3 * Float(u % 3) - 0.2 * Float(i % 4)
            for f in 0..<k { r += 0.6 * p[u * k + f] * q[i * k + f] }
            r += 0.2 * rng.nextGaussian()
            triples.append(("u\(u)", "i\(i)", min(5, max(1, r))))
        }
    }
    return RatingMatrix(RatingSet(triples))
}

func trainingRMSE(_ model: any Recommender, _ data: RatingMatrix) -> Double {
    var s = 0.0
    for u in 0..<data.userCount {
        for e in data.byUser.range(of: u) {
            let d = Double(model.rawPrediction(user: u, item: Int(data.byUser.indices[e])) - data.byUser.values[e])
            s += d * d
        }
    }
    return (s / Double(data.count)).squareRoot()
}

@Suite struct CofiTests {
    let data = syntheticRatings(users: 30, items: 20, density: 0.5, seed: 11)

    @Test(arguments: ["lbfgs", "cg", "gd", "alternating", "adam"])
    func everyOptimizerLowersTheCost(optimizer: String) throws {
        let c = try CollaborativeFiltering(Hyperparameters(["optimizer": optimizer, "factors": "3", "regularization": "1"]))
        let model = try c.fit(data, context: TrainingContext(seed: 3))
        let means = data.itemMeans()
        let objective = CofiObjective(data: data, factors: 3, regularization: 1, itemMeans: means)
        var rng = SeededGenerator(seed: 3)
        let start = (0..<objective.parameterCount).map { _ in Double(rng.nextGaussian()) * c.initialScale }
        let end = model.itemFactors.storage.map(Double.init) + model.userFactors.storage.map(Double.init)
        #expect(objective.value(at: end) < 0.5 * objective.value(at: start))
        #expect(trainingRMSE(model, data) < 0.5)
    }

    @Test func lbfgsAndAlternatingReachTheSameCost() throws {
        let h = ["factors": "3", "regularization": "2"]
        let a = try CollaborativeFiltering(Hyperparameters(h.merging(["optimizer": "lbfgs", "iterations": "2000"]) { $1 })).fit(data)
        let b = try CollaborativeFiltering(Hyperparameters(h.merging(["optimizer": "alternating", "iterations": "500"]) { $1 })).fit(data)
        let objective = CofiObjective(data: data, factors: 3, regularization: 2, itemMeans: data.itemMeans())
        func cost(_ m: FactorModel) -> Double { objective.value(at: m.itemFactors.storage.map(Double.init) + m.userFactors.storage.map(Double.init)) }
        #expect(abs(cost(a) - cost(b)) < 1e-3 * cost(a))
    }

    @Test func aHugeLearningRateDiverges() {
        do {
            _ = try ModelDescriptor.cofi.fit(data, hyperparameters: Hyperparameters(["optimizer": "gd", "learning-rate": "100"]))
            Issue.record("expected divergence")
        } catch let TrainingError.diverged(_, rate) {
            #expect(rate == 100)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func eveGetsTheItemMeans() throws {
        let model = try ModelDescriptor.cofi.fit(RatingMatrix(NotesExample.ratings), context: TrainingContext(ratingScale: 0...5))
        #expect(abs(model.predict(user: "Eve", item: "Love at last") - 2.5) < 1e-5)
    }

    @Test func theSameSeedGivesTheSameModel() throws {
        let a = try CollaborativeFiltering.defaults.fit(data, context: TrainingContext(seed: 5))
        let b = try CollaborativeFiltering.defaults.fit(data, context: TrainingContext(seed: 5))
        let c = try CollaborativeFiltering.defaults.fit(data, context: TrainingContext(seed: 6))
        #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors)
        #expect(a.userFactors != c.userFactors)
    }
}

@Suite struct ALSTests {
    let data = syntheticRatings(users: 25, items: 15, density: 0.6, seed: 21)

    /// One user update equals the closed-form ridge solution computed naively:
    /// (Z^T Z + diag(lambda_f I, lambda_b)) w = Z^T (r - alpha - b_i), z_i = (q_i, 1).
    @Test(arguments: [false, true])
    func aUserUpdateIsTheExactRidgeSolution(weighted: Bool) throws {
        let full = syntheticRatings(users: 4, items: 6, density: 1.1, seed: 2)  // every pair rated
        #expect(full.count == 24)
        let als = AlternatingLeastSquares(factors: 3, iterations: 1, regularization: 0.7, biasRegularization: 0.3,
                                          weighted: weighted, weightExponent: 1, solver: .cholesky, initialScale: 0.5)
        var state = als.initialState(full, seed: 4)
        for i in 0..<full.itemCount { state.itemBias[i] = Float(i) * 0.1 - 0.2 }
        let before = state
        als.updateUsers(&state, full, threads: 1)
        for u in 0..<full.userCount {
            let n = Double(full.byUser.count(of: u))
            var a = [Double](repeating: 0, count: 16), b = [Double](repeating: 0, count: 4)
            for e in full.byUser.range(of: u) {
                let i = Int(full.byUser.indices[e])
                let z = before.itemFactors.row(i).map(Double.init) + [1]
                let t = Double(full.byUser.values[e]) - Double(before.alpha) - Double(before.itemBias[i])
                for r in 0..<4 {
                    b[r] += z[r] * t
                    for c in 0..<4 { a[r * 4 + c] += z[r] * z[c] }
                }
            }
            for f in 0..<3 { a[f * 4 + f] += 0.7 * (weighted ? n : 1) }
            a[15] += 0.3 * (weighted ? n : 1)
            let w = try #require(Cholesky.solve(a, b))
            for f in 0..<3 { #expect(abs(Double(state.userFactors[u, f]) - w[f]) < 1e-5) }
            #expect(abs(Double(state.userBias[u]) - w[3]) < 1e-5)
        }
    }

    @Test func coordinateDescentAndCholeskyAgreeAfterConvergence() throws {
        let small = syntheticRatings(users: 12, items: 8, density: 0.7, seed: 8)
        func fit(_ solver: String) throws -> FactorModel {
            try AlternatingLeastSquares(Hyperparameters(["solver": solver, "factors": "2", "sweeps": "3000",
                                                         "regularization": "0.5", "bias-regularization": "0.5"])).fit(small)
        }
        let a = try fit("cholesky"), b = try fit("coordinate")
        var worst: Float = 0
        for u in 0..<small.userCount {
            for i in 0..<small.itemCount {
                worst = max(worst, abs(a.rawPrediction(user: u, item: i) - b.rawPrediction(user: u, item: i)))
            }
        }
        #expect(worst < 1e-3)
    }

    @Test func aSweepNeverRaisesTheObjective() throws {
        let als = AlternatingLeastSquares.defaults
        var state = als.initialState(data, seed: 1)
        func objective(_ s: AlternatingLeastSquares.State) -> Double {
            var v = 0.0
            for u in 0..<data.userCount {
                let nu = Double(data.byUser.count(of: u)).squareRoot()
                v += Double(als.biasRegularization) * nu * Double(s.userBias[u] * s.userBias[u])
                v += Double(als.regularization) * nu * s.userFactors.row(u).reduce(0.0) { $0 + Double($1 * $1) }
                for e in data.byUser.range(of: u) {
                    let i = Int(data.byUser.indices[e])
                    var p = Double(s.alpha + s.userBias[u] + s.itemBias[i])
                    for f in 0..<als.factors { p += Double(s.userFactors[u, f] * s.itemFactors[i, f]) }
                    v += (Double(data.byUser.values[e]) - p) * (Double(data.byUser.values[e]) - p)
                }
            }
            for i in 0..<data.itemCount {
                let ni = Double(data.byItem.count(of: i)).squareRoot()
                v += Double(als.biasRegularization) * ni * Double(s.itemBias[i] * s.itemBias[i])
                v += Double(als.regularization) * ni * s.itemFactors.row(i).reduce(0.0) { $0 + Double($1 * $1) }
            }
            return v
        }
        var last = objective(state)
        for _ in 0..<4 {
            als.updateUsers(&state, data, threads: 1)
            let afterUsers = objective(state)
            als.updateItems(&state, data, threads: 1)
            let afterItems = objective(state)
            #expect(afterUsers <= last * (1 + 1e-5) && afterItems <= afterUsers * (1 + 1e-5))
            last = afterItems
        }
    }

    @Test(arguments: ["cholesky", "coordinate"])
    func theModelDoesNotDependOnTheThreadCount(solver: String) throws {
        let h = Hyperparameters(["solver": solver, "factors": "5", "sweeps": "3"])
        let one = try ModelDescriptor.als.fit(data, hyperparameters: h, context: TrainingContext(seed: 9, threads: 1)) as! FactorModel
        let two = try ModelDescriptor.als.fit(data, hyperparameters: h, context: TrainingContext(seed: 9, threads: 2)) as! FactorModel
        let again = try ModelDescriptor.als.fit(data, hyperparameters: h, context: TrainingContext(seed: 9, threads: 2)) as! FactorModel
        #expect(one.userFactors == two.userFactors && one.itemFactors == two.itemFactors && one.itemBias == two.itemBias)
        #expect(two.userFactors == again.userFactors)
    }

    @Test func similarItemsWorkOnAnALSModel() throws {
        let model = try ModelDescriptor.als.fit(data, hyperparameters: Hyperparameters(["factors": "4"]))
        for metric in SimilarityMetric.allCases {
            let related = try model.similarItems(to: "i1", count: 5, metric: metric)
            #expect(related.count == 5 && !related.map(\.id).contains("i1"))
        }
    }
}

@Suite struct SGDOptimizerTests {
    let data = syntheticRatings(users: 30, items: 20, density: 0.5, seed: 31)

    @Test(arguments: ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
    func everyOptimizerFitsTheTrainingData(optimizer: String) throws {
        for model in ["sgd-mf", "biased-mf"] {
            let rates = ["sgd": "0.03", "momentum": "0.003", "adagrad": "0.1", "rmsprop": "0.01", "adam": "0.01"]
            let baseline = trainingRMSE(Baselines.globalMean(data), data)
            let m = try ModelRegistry.descriptor(named: model).fit(
                data, hyperparameters: Hyperparameters(["optimizer": optimizer, "factors": "10", "epochs": "200", "regularization": "0.01",
                                                 "decay": "0.99", "learning-rate": rates[optimizer]!]),
                context: TrainingContext(seed: 2))
            let rmse = trainingRMSE(m, data)
            #expect(rmse < 0.5 * baseline, "\(model) with \(optimizer): training RMSE \(rmse), global mean \(baseline)")
        }
    }

    @Test(arguments: ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
    func aHugeLearningRateDivergesNamingIt(optimizer: String) {
        do {
            _ = try ModelDescriptor.biasedMF.fit(data, hyperparameters: Hyperparameters(["optimizer": optimizer, "learning-rate": "1e10"]))
            Issue.record("expected divergence with \(optimizer)")
        } catch let TrainingError.diverged(_, rate) {
            #expect(rate > 1e9)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func anUnknownOptimizerIsRefused() {
        #expect(throws: TrainingError.self) {
            _ = try ModelDescriptor.sgdMF.fit(data, hyperparameters: Hyperparameters(["optimizer": "newton"]))
        }
    }
}

@Suite struct RestartTests {
    let data = syntheticRatings(users: 30, items: 20, density: 0.5, seed: 41)

    @Test func theBestValidationRestartIsRefitOnAllTheData() throws {
        let h = Hyperparameters(["factors": "3", "epochs": "15", "init-scale": "0.8"])
        let context = TrainingContext(seed: 7)
        let outcome = try Restarts.fit(.sgdMF, data: data, hyperparameters: h, context: context, restarts: 4)
        #expect(outcome.validationRMSE.count == 4 && Set(outcome.seeds).count == 4)
        #expect(outcome.validationRMSE[outcome.best] == outcome.validationRMSE.min())
        #expect(outcome.validationRMSE.min()! < outcome.validationRMSE.max()!)
        var c = context
        c.seed = outcome.seeds[outcome.best]
        let refit = try ModelDescriptor.sgdMF.fit(data, hyperparameters: h, context: c) as! FactorModel
        let chosen = outcome.model as! FactorModel
        #expect(chosen.userFactors == refit.userFactors && chosen.itemFactors == refit.itemFactors)
        #expect(chosen.hyperparameters.values["restart-seed"] == "\(outcome.seeds[outcome.best])")
    }

    @Test func oneRestartIsThePlainFit() throws {
        let plain = try ModelDescriptor.als.fit(data, hyperparameters: Hyperparameters(["factors": "3"]), context: TrainingContext(seed: 3)) as! FactorModel
        let one = try ModelDescriptor.als.fit(data, hyperparameters: Hyperparameters(["factors": "3", "restarts": "1"]), context: TrainingContext(seed: 3)) as! FactorModel
        #expect(plain.userFactors == one.userFactors)
        #expect(Restarts.seed(for: 3, restart: 0) == 3 && Restarts.seed(for: 3, restart: 1) != 3)
    }

    @Test(arguments: ["cofi", "sgd-mf", "biased-mf", "als"])
    func everyNonConvexModelTakesRestarts(model: String) throws {
        let d = try ModelRegistry.descriptor(named: model)
        #expect(d.parameters.contains { $0.name == "restarts" })
        let m = try d.fit(data, hyperparameters: Hyperparameters(["restarts": "2", "factors": "2"]), context: TrainingContext(seed: 1))
        #expect(trainingRMSE(m, data).isFinite)
    }
}
