import Foundation
import Testing
@testable import Latent

@Suite struct RankingMetricsTests {
    // Ranked 3, 1, 4, 5, 9; relevant {1, 5, 7}: hits at ranks 2 and 4.
    let ranked = [3, 1, 4, 5, 9]
    let relevant: Set<Int> = [1, 5, 7]

    @Test func precisionRecallHitRateCountHitsInTheFirstK() {
        #expect(RankingMetrics.precision(ranked, relevant: relevant, k: 5) == 2.0 / 5)
        #expect(RankingMetrics.recall(ranked, relevant: relevant, k: 5) == 2.0 / 3)
        #expect(RankingMetrics.hitRate(ranked, relevant: relevant, k: 5) == 1)
        #expect(RankingMetrics.precision(ranked, relevant: relevant, k: 1) == 0)
        #expect(RankingMetrics.hitRate(ranked, relevant: relevant, k: 1) == 0)
        #expect(RankingMetrics.precision(ranked, relevant: relevant, k: 2) == 0.5)
        // An unrankable relevant item still counts in |relevant|.
        #expect(RankingMetrics.recall(ranked, relevant: relevant, k: 5, relevantCount: 4) == 0.5)
    }

    @Test func ndcgUsesBinaryGainsAndTheIdealOfMinKRelevantHits() {
        let dcg = 1 / log2(3.0) + 1 / log2(5.0)
        let ideal = 1 / log2(2.0) + 1 / log2(3.0) + 1 / log2(4.0)
        #expect(abs(RankingMetrics.ndcg(ranked, relevant: relevant, k: 5) - dcg / ideal) < 1e-15)
        // K = 2: one hit at rank 2, ideal = two hits.
        #expect(abs(RankingMetrics.ndcg(ranked, relevant: relevant, k: 2) - (1 / log2(3.0)) / (1 + 1 / log2(3.0))) < 1e-15)
        // All relevant at the top is 1.
        #expect(RankingMetrics.ndcg([1, 5, 7, 2], relevant: relevant, k: 4) == 1)
    }

    @Test func averagePrecisionDividesByMinKRelevant() {
        // (1/2 + 2/4) / min(5, 3)
        #expect(abs(RankingMetrics.averagePrecision(ranked, relevant: relevant, k: 5) - 1.0 / 3) < 1e-15)
        // K = 2: (1/2) / min(2, 3) = 1/4.
        #expect(RankingMetrics.averagePrecision(ranked, relevant: relevant, k: 2) == 0.25)
        #expect(RankingMetrics.averagePrecision([5, 1], relevant: relevant, k: 2) == 1)
    }

    @Test func aucCountsOrderedPairsAndHalvesTies() throws {
        // Relevant item 2 scores 0.5; negatives 0.9 (above), 0.1 (below), 0.5 (tie): (0 + 1 + 0.5) / 3.
        #expect(try #require(RankingMetrics.auc(scores: [0.9, 0.1, 0.5, 0.5], relevant: [2])) == 0.5)
        #expect(try #require(RankingMetrics.auc(scores: [0.1, 0.2, 0.9, 0.8], relevant: [2, 3])) == 1)
        #expect(RankingMetrics.auc(scores: [0.1, 0.2], relevant: [0, 1]) == nil)
    }

    @Test func coverageIsTheShareOfItemsShown() {
        #expect(RankingMetrics.coverage([[0, 1], [1, 2]], itemCount: 6) == 0.5)
    }

    /// Users a, b, c; items 1..5. Popularity ranks 1 (3 users), 2 (2), 3 (1), then 4, 5 unseen in training.
    func tinyPopularity() -> FactorModel {
        let train = RatingSet([("a", "1", 5), ("b", "1", 3), ("c", "1", 4), ("a", "2", 4), ("b", "2", 2), ("c", "3", 1),
                               ("a", "4", 1), ("b", "5", 1)])
        return Popularity.fit(RatingMatrix(train))
    }

    @Test func evaluationMatchesHandComputedMetricsOnATinyCase() throws {
        let model = tinyPopularity()
        // Item counts: 1:3, 2:2, 3:1, 4:1, 5:1. a saw 1, 2, 4: candidates 3, 5 (tie 1/3 each, index order 3 then 5).
        // b saw 1, 2, 5: candidates 3, 4. c saw 1, 3: candidates 2 (2/3), then 4, 5.
        let test = RatingSet([("a", "5", 5), ("a", "3", 2), ("b", "4", 4), ("c", "4", 5), ("c", "9", 4), ("c", "2", 3)])
        let e = try model.evaluateRanking(on: test, k: 2, relevanceThreshold: 4)
        // a: list [3, 5], relevant {5}: P 1/2, R 1, nDCG (1/log2 3)/1, AP (1/2)/1, HR 1, AUC: 5 vs 3 tie -> 0.5.
        // b: list [3, 4], relevant {4}: P 1/2, R 1, nDCG 1/log2 3, AP 1/2, HR 1, AUC: 4 (1/3) vs 3 (1/3) tie -> 0.5.
        // c: list [2, 4] (4 before 5 by index), relevant {4, unknown 9}: P 1/2, R 1/2, nDCG (1/log2 3)/(1 + 1/log2 3),
        //    AP (1/2)/2, HR 1, AUC: 4 vs {2 above, 5 tie} -> 0.25.
        let l3 = 1 / log2(3.0)
        #expect(e.users == 3)
        #expect(abs(e.precision - 0.5) < 1e-12)
        #expect(abs(e.recall - (1 + 1 + 0.5) / 3) < 1e-12)
        #expect(abs(e.ndcg - (l3 + l3 + l3 / (1 + l3)) / 3) < 1e-12)
        #expect(abs(e.map - (0.5 + 0.5 + 0.25) / 3) < 1e-12)
        #expect(e.hitRate == 1)
        #expect(abs(e.auc - (0.5 + 0.5 + 0.25) / 3) < 1e-12)
        #expect(abs(e.coverage - 4.0 / 5) < 1e-12)  // items 2, 3, 4, 5 shown
    }

    @Test func evaluationDoesNotDependOnTheThreadCount() throws {
        let model = tinyPopularity()
        let test = RatingSet([("a", "5", 5), ("b", "4", 4), ("c", "4", 5), ("c", "2", 4)])
        let one = try model.evaluateRanking(on: test, k: 3, threads: 1)
        let three = try model.evaluateRanking(on: test, k: 3, threads: 3)
        #expect(one == three)
    }

    @Test func evaluationRejectsBadInput() {
        let model = tinyPopularity()
        #expect(throws: RankingEvaluationError.invalidCutoff(0)) {
            try model.evaluateRanking(on: RatingSet([("a", "5", 5)]), k: 0)
        }
        #expect(throws: RankingEvaluationError.noRelevantItems(threshold: 4)) {
            try model.evaluateRanking(on: RatingSet([("a", "5", 2)]), k: 10)
        }
    }
}
