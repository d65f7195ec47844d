import Foundation
import Testing
import Latent

/// The JSON `latent evaluate --task ranking --json` prints is the library's report, encoded.
@Suite struct RankingReportTests {
    @Test func reportEncodesTheIssueKeysWithPerFoldValues() throws {
        let e = RankingEvaluation(k: 10, precision: 0.5, recall: 0.25, ndcg: 0.4, map: 0.3, hitRate: 1, auc: 0.9,
                                  coverage: 0.1, users: 3)
        let e2 = RankingEvaluation(k: 10, precision: 0.3, recall: 0.25, ndcg: 0.2, map: 0.1, hitRate: 0, auc: 0.7,
                                   coverage: 0.3, users: 5)
        let report = RankingEvaluationReport(model: "popularity", relevanceThreshold: 4,
                                             folds: [RankingFoldReport(evaluation: e, fitSeconds: 1),
                                                     RankingFoldReport(evaluation: e2, fitSeconds: 3)])
        let data = try JSONEncoder().encode(report)
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["precision", "recall", "ndcg", "map", "hit_rate", "auc", "coverage"] {
            #expect(o[key] is Double, "missing \(key)")
        }
        #expect(o["precision"] as? Double == 0.4)
        #expect(o["hit_rate"] as? Double == 0.5)
        #expect(o["users"] as? Int == 8)
        #expect(o["task"] as? String == "ranking" && o["k"] as? Int == 10 && o["fit_seconds"] as? Double == 2)
        let folds = try #require(o["folds"] as? [[String: Any]])
        #expect(folds.count == 2)
        #expect(folds[1]["ndcg"] as? Double == 0.2 && folds[1]["fit_seconds"] as? Double == 3)
        #expect(try JSONDecoder().decode(RankingEvaluationReport.self, from: data) == report)
    }
}
