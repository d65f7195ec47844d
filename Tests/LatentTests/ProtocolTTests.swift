import Foundation
import Testing
@testable import Latent

@Suite struct ProtocolTTests {
    @Test func theRunnerTrainsOnEveryPairAsAnInteraction() throws {
        let train = RatingSet([("a", "1", 5), ("b", "1", 1), ("b", "2", 2), ("c", "3", 4)])
        let test = RatingSet([("a", "2", 5), ("c", "1", 4)])
        let fold = try RankingProtocol.crossValidate(model: .popularity, splits: [TrainTestSplit(train: train, test: test)], k: 2).folds[0]
        let direct = try Popularity.fit(RatingMatrix(train)).evaluateRanking(on: test, k: 2)
        #expect(fold.evaluation == direct)
        #expect(fold.fitSeconds >= 0)
        let report = try RankingProtocol.crossValidate(model: .popularity, splits: [TrainTestSplit(train: train, test: test)], k: 2)
        #expect(report.mean == direct && report.folds.count == 1)
    }

    /// Popularity on MovieLens 100k u1 against an independent computation of protocol T (a short Python script over
    /// the raw files: items by count, ties by first appearance in u1.base, relevant = u1.test ratings >= 4).
    @Test(.enabled(if: TestData.hasMovieLens, "needs MovieLens 100k in ../shared/data/ml-100k"))
    func popularityOnU1MatchesAnIndependentComputation() throws {
        let (train, _) = try RatingReader.read(TestData.movieLens100k.appendingPathComponent("u1.base"))
        let (test, _) = try RatingReader.read(TestData.movieLens100k.appendingPathComponent("u1.test"))
        let e = try RankingProtocol.crossValidate(model: .popularity, splits: [TrainTestSplit(train: train, test: test)], k: 10,
                                                  relevanceThreshold: 4, context: TrainingContext(threads: 2)).folds[0].evaluation
        #expect(e.users == 456)
        #expect(abs(e.precision - 0.2135964912280699) < 1e-12)
        #expect(abs(e.recall - 0.11800967978994226) < 1e-12)
        #expect(abs(e.ndcg - 0.24506799753069006) < 1e-12)
        #expect(abs(e.map - 0.1333199476590508) < 1e-12)
        #expect(abs(e.hitRate - 0.7828947368421053) < 1e-12)
    }
}
