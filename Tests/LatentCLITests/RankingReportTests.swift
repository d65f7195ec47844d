import Testing
import Latent

/// The JSON shape `latent evaluate --task ranking --json` prints comes from the library's report.
@Suite struct RankingReportTests {
    @Test func reportCarriesTheIssueKeysAndPerFoldValues() throws {
        let e = RankingEvaluation(k: 10, precision: 0.5, recall: 0.25, ndcg: 0.4, map: 0.3, hitRate: 1, auc: 0.9,
                                  coverage: 0.1, users: 3)
        let report = RankingReport(model: "popularity", folds: [RankingFoldResult(evaluation: e, fitSeconds: 1)])
        let o = report.jsonObject
        for key in ["precision", "recall", "ndcg", "map", "hit_rate", "auc", "coverage"] {
            #expect(o[key] as? Double != nil, "missing \(key)")
        }
        #expect(o["precision"] as? Double == 0.5)
        let folds = try #require(o["folds"] as? [[String: any Sendable]])
        #expect(folds.count == 1)
        #expect(folds[0]["hit_rate"] as? Double == 1)
    }
}
