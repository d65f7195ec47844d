import Foundation
import Testing
@testable import Latent

/// Time-bin features of `bayesian-svdpp` and the times that reach them.
@Suite struct TimeBinsTests {
    /// The rank-2 data of ``BayesianMFTests/data()`` with times over 300 days and a drift of the mean with time.
    static func timedSplit() -> TrainTestSplit {
        var rng = SeededGenerator(seed: 11)
        let pu = (0..<40).map { _ in (rng.nextGaussian(), rng.nextGaussian()) }
        let qi = (0..<30).map { _ in (rng.nextGaussian(), rng.nextGaussian()) }
        var set = RatingSet()
        for u in 0..<40 {
            for i in 0..<30 where rng.nextUniform() < 0.6 {
                let day = rng.nextInt(below: 300)
                let r = 3 + 0.6 * Float(day) / 300 + 0.7 * (pu[u].0 * qi[i].0 + pu[u].1 * qi[i].1) + 0.2 * rng.nextGaussian()
                set.append(user: "u\(u)", item: "i\(i)", value: r, timestamp: 1_000_000 + Int64(day) * 86_400)
            }
        }
        return Splits.holdout(set, testFraction: 0.2, seed: 1)
    }

    /// ``timedSplit()``'s training part as a matrix with its times, and its test part.
    static func timedData() -> (train: RatingMatrix, test: RatingSet) {
        let split = timedSplit()
        return (RatingMatrix(split.train, keepingTimes: true), split.test)
    }

    @Test func theMatrixKeepsTimesOnlyWhenAskedAndFoldsThemWithTheDuplicates() {
        var set = RatingSet()
        set.append(user: "a", item: "2", value: 1, timestamp: 30)
        set.append(user: "a", item: "1", value: 2, timestamp: 10)
        set.append(user: "a", item: "2", value: 3, timestamp: 20)
        set.append(user: "b", item: "1", value: 4, timestamp: 40)
        #expect(RatingMatrix(set).times == nil)
        // Rows sorted by item: a's item 2 (dense 0) twice, item 1 (dense 1) once; b's item 1.
        #expect(RatingMatrix(set, keepingTimes: true).times == [20, 10, 40])
        #expect(RatingMatrix(set, duplicates: .keepFirst, keepingTimes: true).times == [30, 10, 40])
        #expect(RatingMatrix(set, duplicates: .average, keepingTimes: true).times == [30, 10, 40])
        #expect(RatingMatrix(RatingSet([("a", "1", 1)]), keepingTimes: true).times == nil)
    }

    @Test func binsHaveEqualWidthOverTheTrainingTimesAndClamp() {
        let bins = TimeBinning(covering: [10, 0, 4], count: 2)
        #expect(bins == TimeBinning(start: 0, width: 6, count: 2))
        #expect([Int64.min, -5, 0, 5, 6, 10, 11, Int64.max].map { bins.bin(of: $0) } == [0, 0, 0, 0, 1, 1, 1, 1])
        // The widest span: width (2^64 - 1) / 3 + 1, so 0 (2^63 after the start) is in the middle bin.
        #expect(TimeBinning(covering: [Int64.min, Int64.max], count: 3).bin(of: 0) == 1)
        #expect(TimeBinning(covering: [7], count: 1).bin(of: 7) == 0)
    }

    @Test func onlyTheBayesianSVDPlusPlusHasTimeBinsAndOnlyThenWantsTimes() throws {
        #expect(ModelDescriptor.bayesianSVDPlusPlus.usesTimes())
        #expect(ModelDescriptor.bayesianSVDPlusPlus.usesTimes(Hyperparameters(["time-bins": "4"])))
        #expect(!ModelDescriptor.bayesianSVDPlusPlus.usesTimes(Hyperparameters(["time-bins": "0"])))
        #expect(!ModelDescriptor.bayesianMF.accepts("time-bins"))
        #expect(!ModelDescriptor.bayesianMF.usesTimes(Hyperparameters(["time-bins": "4"])))
        #expect(ModelDescriptor.bayesianSVDPlusPlus.parameters.contains { $0.name == "time-bins" && $0.defaultValue == "auto" })
    }

    @Test func binsWithoutTimesAreATypedError() throws {
        let config = BayesianSVDPlusPlus(factors: 6, iterations: 3, burnIn: 1, keptSamples: 180, initialScale: 0.1, timeBins: 4)
        #expect(throws: TrainingError.missingTimes(bins: 4)) { try config.fit(BayesianMFTests.data().train) }
        #expect(TrainingError.missingTimes(bins: 4).description == "time-bins=4 needs the time of each rating, and the ratings have none (a file with a timestamp column, such as MovieLens u.data, has them); use time-bins=auto or 0")
        // Times in the set but not kept in the matrix are missing too.
        var set = RatingSet()
        set.append(user: "a", item: "1", value: 4, timestamp: 5)
        #expect(throws: TrainingError.missingTimes(bins: 4)) { try config.fit(RatingMatrix(set)) }
    }

    /// `auto` (the default): 32 bins on ratings with times, none (the model without time, recorded as 0) without.
    @Test func autoUsesBinsWhenThereAreTimesAndNoneWhenNot() throws {
        let split = Self.timedSplit()
        let auto = BayesianSVDPlusPlus(factors: 2, iterations: 6, burnIn: 2, keptSamples: 2, initialScale: 0.1)
        #expect(auto.timeBins == nil && BayesianSVDPlusPlus.defaults.timeBins == nil)
        let timed = try auto.fit(RatingMatrix(split.train, keepingTimes: true), context: TrainingContext(seed: 6))
        #expect(timed.time?.binning.count == 32 && timed.hyperparameters.values["time-bins"] == "32")
        let untimed = try auto.fit(RatingMatrix(split.train), context: TrainingContext(seed: 6))
        var none = auto
        none.timeBins = 0
        let zero = try none.fit(RatingMatrix(split.train), context: TrainingContext(seed: 6))
        #expect(untimed.time == nil && untimed.hyperparameters.values["time-bins"] == "0")
        #expect(untimed.averaged.userFactors == zero.averaged.userFactors && untimed.averaged.itemBias == zero.averaged.itemBias)
    }

    /// b_t and T_t of two bins drawn by hand: k = 1, alpha 2, priors N(0, 1); ratings (u0, i0) at time 0 (bin 0),
    /// (u0, i1) and (u1, i0) at time 10 (bin 1); totals U = (0.5, -1), I = (2, 1); residuals 1, -0.5, 2; T = (0.1, -0.2).
    @Test func theBinDrawsAreTheirGaussianConditionals() {
        var set = RatingSet()
        set.append(user: "u0", item: "i0", value: 4, timestamp: 0)
        set.append(user: "u0", item: "i1", value: 2, timestamp: 10)
        set.append(user: "u1", item: "i0", value: 5, timestamp: 10)
        let data = RatingMatrix(set, keepingTimes: true)
        var s = ImplicitGibbsSampler(data, factors: 1, initialScale: 0.1, seed: 5, timeBins: TimeBinning(covering: [0, 10], count: 2))
        s.users.total = [0.5, -1]
        s.items.total = [2, 1]
        var time = try! #require(s.time)
        #expect(time.offsets == [0, 1, 3] && time.order == [0, 1, 2] && time.bin == [0, 1, 1])
        time.factors = [0.1, -0.2]
        var e = [1.0, -0.5, 2]
        var rng = SeededGenerator(seed: 9), copy = rng
        let z = (0..<4).map { _ in copy.nextNormal() }
        ImplicitGibbsSampler.sweep(&time, users: s.users, items: s.items, &e, alpha: 2, k: 1, &rng)
        // Bin 0: b_0 has slope 1 on rating 0: precision 2 * 1 + 1 = 3, mean 2 * (1 + 0) / 3.
        let b0 = 2.0 / 3 + z[0] / 3.0.squareRoot()
        let e0 = 1 - b0
        // T_0 has slope U_0 + I_0 = 2.5: precision 2 * 6.25 + 1 = 13.5, mean 2 * (e0 + 0.1 * 2.5) * 2.5 / 13.5.
        let t0 = 2 * (e0 + 0.25) * 2.5 / 13.5 + z[1] / 13.5.squareRoot()
        // Bin 1: b_1 on ratings 1 and 2: precision 5, mean 2 * (-0.5 + 2) / 5.
        let b1 = 0.6 + z[2] / 5.0.squareRoot()
        let e1 = -0.5 - b1, e2 = 2 - b1
        // T_1: slopes U_0 + I_1 = 1.5 and U_1 + I_0 = 1: precision 2 * 3.25 + 1 = 7.5.
        let he = (e1 - 0.2 * 1.5) * 1.5 + (e2 - 0.2 * 1) * 1
        let t1 = 2 * he / 7.5 + z[3] / 7.5.squareRoot()
        let expected = [b0, t0, b1, t1], got = [time.bias[0], time.factors[0], time.bias[1], time.factors[1]]
        #expect(zip(expected, got).allSatisfy { abs($0 - $1) < 1e-12 }, "\(got) vs \(expected)")
        let residuals = [e0 - (t0 - 0.1) * 2.5, e1 - (t1 + 0.2) * 1.5, e2 - (t1 + 0.2) * 1]
        #expect(zip(residuals, e).allSatisfy { abs($0 - $1) < 1e-12 }, "\(e) vs \(residuals)")
    }

    /// Every prediction rebuilt from the parameters (with b_t + T_t . (U_u + I_i)) equals r minus the kept residual:
    /// the slopes every draw uses are those of the model.
    @Test func residualsStayExactWithTimeBins() throws {
        let (train, _) = Self.timedData()
        let k = 3, times = try #require(train.times)
        let bins = TimeBinning(covering: times, count: 4)
        var s = ImplicitGibbsSampler(train, factors: k, initialScale: 0.1, seed: 2, timeBins: bins)
        for _ in 0..<4 { s.sweep() }
        let time = try #require(s.time)
        let bu = s.users.totalBias(), bi = s.items.totalBias()
        var worst = 0.0
        for v in 0..<train.userCount {
            for n in train.byUser.range(of: v) {
                let j = Int(train.byUser.indices[n]), t = bins.bin(of: times[n])
                var prediction = s.w0 + bu[v] + bi[j] + time.bias[t]
                for f in 0..<k {
                    let u = s.users.total[v * k + f], i = s.items.total[j * k + f]
                    prediction += u * i + time.factors[t * k + f] * (u + i)
                }
                worst = max(worst, abs(Double(train.byUser.values[n]) - prediction - s.e[n]))
            }
        }
        #expect(worst < 1e-9)
        #expect(time.bias.contains { $0 != 0 } && time.factors.contains { $0 != 0 })
    }

    /// With one sample, the model's prediction at a time is the sample's, and without a time it is the last bin's.
    @Test func theModelPredictsTheSampleAtEachBinAndThePresentWithoutTime() throws {
        let (train, test) = Self.timedData()
        let config = BayesianSVDPlusPlus(factors: 2, iterations: 3, burnIn: 2, keptSamples: 1, initialScale: 0.1, timeBins: 3)
        let model = try config.fit(train, context: TrainingContext(seed: 4))
        let bins = TimeBinning(covering: try #require(train.times), count: 3)
        #expect(model.time?.binning == bins && model.time?.bias.count == 3)
        var s = ImplicitGibbsSampler(train, factors: 2, initialScale: 0.1, seed: 4, timeBins: bins)
        for _ in 0..<3 { s.sweep() }
        let time = try #require(s.time)
        let bu = s.users.totalBias(), bi = s.items.totalBias()
        func sample(_ u: Int, _ i: Int, _ t: Int) -> Double {
            var r = s.w0 + bu[u] + bi[i] + time.bias[t]
            for f in 0..<2 {
                let uf = s.users.total[u * 2 + f], itf = s.items.total[i * 2 + f]
                r += uf * itf + time.factors[t * 2 + f] * (uf + itf)
            }
            return r
        }
        var worst = 0.0
        for (u, i) in [(0, 0), (3, 7), (12, 20), (39, 5)] {
            for t in 0..<3 {
                let at = bins.start + Int64(t) * bins.width
                worst = max(worst, abs(Double(model.rawPrediction(user: u, item: i, time: at)) - sample(u, i, t)))
            }
            worst = max(worst, abs(Double(model.rawPrediction(user: u, item: i)) - sample(u, i, 2)))
        }
        #expect(worst < 1e-4, "\(worst)")
        // Evaluation uses each test rating's time; the same test without times is predicted at the present.
        let timed = model.predictions(for: test)
        var untimed = test
        untimed.timestamps = nil
        #expect(timed != model.predictions(for: untimed))
        #expect(model.predictions(for: untimed) == (0..<test.count).map {
            model.predict(user: test.users[Int(test.userIndices[$0])], item: test.items[Int(test.itemIndices[$0])])
        })
    }

    @Test func aModelWithoutTimeIgnoresIt() throws {
        let (train, _) = Self.timedData()
        let model = BiasBaseline.defaults.fit(train)
        #expect(model.rawPrediction(user: 1, item: 2, time: 5) == model.rawPrediction(user: 1, item: 2))
        // No bins: times in the matrix change nothing.
        let config = BayesianSVDPlusPlus(factors: 2, iterations: 12, burnIn: 4, keptSamples: 4, initialScale: 0.1, timeBins: 0)
        let withTimes = try config.fit(train, context: TrainingContext(seed: 8))
        let plain = RatingMatrix(Self.timedSplit().train)
        let without = try config.fit(plain, context: TrainingContext(seed: 8))
        #expect(withTimes.time == nil && withTimes.averaged.userFactors == without.averaged.userFactors
                && withTimes.averaged.itemBias == without.averaged.itemBias && withTimes.implicitFactors == without.implicitFactors)
    }

    @Test func sameSeedSameModelAndTheFileKeepsTheBins() throws {
        let (train, test) = Self.timedData()
        let config = BayesianSVDPlusPlus(factors: 2, iterations: 20, burnIn: 5, keptSamples: 5, initialScale: 0.1, timeBins: 4)
        let model = try config.fit(train, context: TrainingContext(seed: 3))
        let again = try config.fit(train, context: TrainingContext(seed: 3))
        #expect(model.time == again.time && model.averaged.userFactors == again.averaged.userFactors
                && model.averaged.itemBias == again.averaged.itemBias)
        #expect(model.hyperparameters.values["time-bins"] == "4")
        let url = TestData.temporaryDirectory().appendingPathComponent("timebins.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? ImplicitFactorModel)
        #expect(loaded.time == model.time && loaded.predictions(for: test) == model.predictions(for: test))
        let given: [(item: String, value: Float)] = [("i1", 5), ("i4", 2), ("i7", 4)]
        #expect(loaded.recommend(foldingIn: given, count: 5) == model.recommend(foldingIn: given, count: 5))
        // A file written before time bins (no `time.` arrays) loads as a model without them.
        var old = model.archive()
        old.int64s["time.bins"] = nil
        old.floats["time.bias"] = nil
        for key in old.floats.keys where key.hasPrefix("time.factors") { old.floats[key] = nil }
        for key in old.int64s.keys where key.hasPrefix("time.factors") { old.int64s[key] = nil }
        let oldModel = try ImplicitFactorModel(archive: old)
        #expect(oldModel.time == nil && oldModel.rawPrediction(user: 0, item: 0, time: 0) == model.rawPrediction(user: 0, item: 0))
        // Bins that do not fit the factors are refused.
        var bad = model.archive()
        bad.int64s["time.bins"] = [0, 1, 5]
        #expect(throws: ModelFileError.self) { try ImplicitFactorModel(archive: bad) }
    }
}
