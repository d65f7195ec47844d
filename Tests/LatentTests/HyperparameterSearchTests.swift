import Foundation
import Testing
@testable import Latent

@Suite("Hyperparameter search")
struct HyperparameterSearchTests {
    @Test("the grid gives every combination, the first axis slowest, over the fixed values")
    func grid() throws {
        let space = SearchSpace(grid: [try SearchSpace.gridAxis(parsing: "factors=50,200"),
                                       try SearchSpace.gridAxis(parsing: "regularization=0.05, 0.1")])
        let configurations = try space.configurations(over: Hyperparameters(["epochs": "5"]))
        #expect(configurations.map(\.values) == [
            ["epochs": "5", "factors": "50", "regularization": "0.05"], ["epochs": "5", "factors": "50", "regularization": "0.1"],
            ["epochs": "5", "factors": "200", "regularization": "0.05"], ["epochs": "5", "factors": "200", "regularization": "0.1"],
        ])
    }

    @Test("bad grids, ranges and spaces are refused with what is wrong")
    func errors() {
        func message(_ body: () throws -> Any) -> String? {
            do { _ = try body(); return nil } catch { return "\(error)" }
        }
        #expect(message { try SearchSpace.gridAxis(parsing: "factors") } == "--grid 'factors' is not of the form name=v1,v2,...")
        #expect(message { try SearchSpace.gridAxis(parsing: "factors=1,,2") } == "--grid 'factors=1,,2' has an empty value")
        #expect(message { try SearchSpace.gridAxis(parsing: "factors=1,1") } == "--grid 'factors=1,1' lists a value twice")
        #expect(message { try ParameterRange(parsing: "alpha=5:1") } == "--range 'alpha=5:1' needs low < high")
        #expect(message { try ParameterRange(parsing: "alpha=0:1:log") } == "--range 'alpha=0:1:log' a :log range needs low > 0")
        #expect(message { try ParameterRange(parsing: "alpha=a:1") } == "--range 'alpha=a:1' has bounds that are not finite numbers")
        #expect(message { try ParameterRange(parsing: "alpha=1:2:ln") } == "--range 'alpha=1:2:ln' is not of the form name=low:high[:log]")
        #expect(message { try SearchSpace(ranges: [ParameterRange(name: "a", low: 0, high: 1)]).configurations() }
            == "--range draws random configurations: give --random N too")
        #expect(message { try SearchSpace().configurations() }
            == "nothing to search: give --grid name=v1,v2,... or --random N with --range name=low:high")
        #expect(message { try SearchSpace(grid: [("factors", ["1", "2"])]).configurations(over: Hyperparameters(["factors": "3"])) }
            == "the hyperparameter factors is given more than once (in --grid, --range or as a fixed value)")
    }

    @Test("random draws stay in their ranges, log draws spread over decades, whole-number bounds draw whole numbers, seeded")
    func random() throws {
        let space = SearchSpace(grid: [("solver", ["a", "b"])],
                                ranges: [try ParameterRange(parsing: "rate=0.001:0.1:log"), try ParameterRange(parsing: "factors=2:9")],
                                randomCount: 200)
        let draws = try space.configurations(seed: 7)
        #expect(draws.count == 200)
        let rates = draws.compactMap { Double($0.values["rate"]!) }
        #expect(rates.count == 200 && rates.allSatisfy { (0.001...0.1).contains($0) })
        // Log-uniform: about half the draws below the geometric middle 0.01.
        let below = rates.filter { $0 < 0.01 }.count
        #expect((70...130).contains(below))
        let factors = draws.compactMap { Int($0.values["factors"]!) }
        #expect(factors.count == 200 && Set(factors) == Set(2...9))
        #expect(Set(draws.map { $0.values["solver"]! }) == ["a", "b"])
        #expect(try space.configurations(seed: 7) == draws)
        #expect(try space.configurations(seed: 8) != draws)
    }

    @Test("every configuration is cross-validated on the same folds, ranked by the mean; parallel equals serial")
    func search() throws {
        let data = twoTastes()
        let splits = Splits.kFold(data, folds: 3, seed: 5)
        let descriptor = try ModelRegistry.descriptor(named: "biased-mf")
        let configurations = try SearchSpace(grid: [("factors", ["1", "3"]), ("regularization", ["0.01", "2"])])
            .configurations(over: Hyperparameters(["epochs": "15"]))
        let context = TrainingContext(seed: 3, threads: 1, ratingScale: 1...5)
        let report = try HyperparameterSearch.run(descriptor, configurations: configurations, splits: splits,
                                                  metric: .rmse, context: context)
        #expect(report.results.count == 4 && report.splits == 3 && report.best == report.results[0])
        #expect(zip(report.results, report.results.dropFirst()).allSatisfy { $0.mean <= $1.mean })
        for result in report.results {
            var h = Hyperparameters(["epochs": "15"])
            for (n, v) in result.hyperparameters { h.values[n] = v }
            let direct = try CrossValidation.evaluateRatings(descriptor, splits: splits, hyperparameters: h, context: context)
            #expect(result.folds == direct.folds.map(\.rmse))
            #expect(result.mean == Spread(result.folds).mean)
            #expect(result.hyperparameters.keys.sorted() == ["factors", "regularization"])
        }
        var parallel = context
        parallel.threads = 4
        let concurrent = try HyperparameterSearch.run(descriptor, configurations: configurations, splits: splits,
                                                      metric: .rmse, context: parallel)
        #expect(concurrent.results.map(\.folds) == report.results.map(\.folds))

        // A ranking metric: higher is better.
        let ranking = try HyperparameterSearch.run(try ModelRegistry.descriptor(named: "implicit-als"),
            configurations: try SearchSpace(grid: [("alpha", ["1", "20"])]).configurations(over: Hyperparameters(["factors": "2"])),
            splits: splits, metric: .ndcg, k: 3, context: context)
        #expect(ranking.results.count == 2 && ranking.results[0].mean >= ranking.results[1].mean)
    }
}

/// Two tastes: users 1-12 rate items 1-5 high and 6-10 low, users 13-24 the reverse; two items left out per user.
func twoTastes() -> RatingSet {
    var triples: [(user: String, item: String, rating: Float)] = []
    for u in 1...24 {
        for i in 1...10 where (i + u) % 5 != 0 {
            let liked = (i <= 5) == (u <= 12)
            triples.append(("u\(u)", "i\(i)", Float(liked ? 4 + (u + i) % 2 : 1 + (u + i) % 2)))
        }
    }
    return RatingSet(triples)
}
