import Foundation
import Testing
@testable import Latent

/// Issue 8, classes 3 and 4: sizes checked before work, diverged models refused, meaningful fallbacks.
@Suite struct TrainingLimitsTests {
    let data = RatingMatrix(SyntheticData(users: 60, items: 40, ratings: 900, seed: 5).ratingSet())

    @Test func anExplodingOptimizerIsRefusedWithAdviceThatFitsIt() throws {
        // Before: cofi with Adam at a high rate saved a model whose scores were around 1e18.
        let h = Hyperparameters(["optimizer": "adam", "learning-rate": "1000", "iterations": "200"])
        do {
            let model = try ModelDescriptor.cofi.fit(data, hyperparameters: h)
            let worst = (0..<data.userCount).map { abs(model.rawPrediction(user: $0, item: 0)) }.max() ?? 0
            Issue.record("trained a model whose largest score is \(worst)")
        } catch let TrainingError.unstable(score, limit, advice) {
            #expect(!score.isFinite || score > limit)
            #expect(advice.hasPrefix("try a smaller --learning-rate (it was 1000); the adaptive optimizer adam"))
        } catch let TrainingError.diverged(_, rate) {
            #expect(rate > 0)
        }
    }

    @Test func theCheckCatchesHugeAndNonFiniteScoresOfAnyModel() throws {
        let model = try ModelDescriptor.sgdMF.fit(data, hyperparameters: Hyperparameters(["factors": "2", "epochs": "2"]))
        // A model whose factors blew up while staying finite.
        let blown = try #require(model as? FactorModel)
        var archive = blown.archive()
        archive.floats["user_factors"] = archive.floats["user_factors"]?.map { $0 * 1e10 }
        archive.floats["item_factors"] = archive.floats["item_factors"]?.map { $0 * 1e10 }
        let exploded = try ModelRegistry.model(from: archive)
        #expect(throws: TrainingError.self) {
            try TrainingHealth.check(exploded, trainedOn: data, descriptor: .sgdMF, hyperparameters: Hyperparameters())
        }
        #expect(TrainingHealth.advice(.als, Hyperparameters(["regularization": "0.001"]))
                == "try a larger --regularization (it was 0.001), or check the data for extreme values")
        #expect(TrainingError.diverged(epoch: 3, learningRate: 0).description.contains("try a larger regularization"))
        #expect(TrainingError.unstable(score: 2e18, limit: 5e6, advice: "try X").description
                == "training diverged: the model's scores reach 2e+18, beyond any sensible score (limit 5e+06 for these data); try X; no model was saved")
    }

    @Test func hugeFactorCountsAreRefusedBeforeTraining() {
        // Before: --factors 100000 started silently and ran for minutes.
        #expect(throws: LimitError("--factors 100000 is more than these data can use: a rank above both the users (60) and the items (39) adds nothing; the limit here is 1000")) {
            _ = try ModelDescriptor.sgdMF.fit(data, hyperparameters: Hyperparameters(["factors": "100000"]))
        }
        // 50,000 factors for 50,000 users: allowed by the rank, not by the memory (about 60 GB).
        let wide = RatingMatrix(SyntheticData(users: 50_000, items: 10, ratings: 50_000, seed: 1).ratingSet())
        if Limits.memory < 50e9 {
            #expect(throws: LimitError.self) {
                _ = try ModelDescriptor.sgdMF.fit(wide, hyperparameters: Hyperparameters(["factors": "50000"]))
            }
        }
    }

    @Test func foldsAreCheckedAgainstTheDataAndTheMemory() {
        // Before: folds beyond the ratings gave NaN means; folds near them grew memory until the kernel killed it.
        #expect(throws: LimitError("11 folds need at least 11 ratings, one per test part; the data have 10")) {
            try Splits.checkKFold(count: 10, folds: 11)
        }
        #expect(throws: LimitError("k-fold needs at least 2 folds (got 1)")) { try Splits.checkKFold(count: 10, folds: 1) }
        #expect(throws: LimitError.self) { try Splits.checkKFold(count: 100_000_000, folds: 99_000_000) }
        #expect(throws: Never.self) { try Splits.checkKFold(count: 100_000, folds: 10) }
    }

    @Test func generatedSizesAreChecked() {
        #expect(throws: LimitError("5 ratings do not fit on 2 users x 2 items = 4 distinct pairs")) {
            try SyntheticData.check(users: 2, items: 2, ratings: 5)
        }
        #expect(throws: LimitError.self) { try SyntheticData.check(users: 2_000_000_000, items: 2_000_000_000, ratings: 1) }
    }

    @Test func aNewUserWithoutKnownItemsGetsThePopularItems() throws {
        // Before: sgd-mf and implicit-als gave the first items of the catalog at score 0.
        let set = try RatingReader.read(text: "a x 5\nb x 4\nc x 3\na y 2\nb y 5\na z 1\nd w 4\n").0
        let matrix = RatingMatrix(set)
        for (descriptor, h) in [(ModelDescriptor.sgdMF, ["factors": "2", "epochs": "3"]),
                                (ModelDescriptor.implicitALS, ["factors": "2", "iterations": "2"])] {
            let model = try descriptor.fit(matrix, hyperparameters: Hyperparameters(h))
            let list = model.recommend(foldingIn: [(item: "unknown", value: 1)], count: 4)
            #expect(list.map(\.id) == ["x", "y", "z", "w"], "\(descriptor.name)")
        }
    }

    @Test func recommendClipsRatingScoresLikePredict() throws {
        let set = try RatingReader.read(text: "a x 5\nb x 5\na y 1\nb z 5\nc z 5\nc x 5\n").0
        var context = TrainingContext()
        context.ratingScale = 1...5
        let model = try ModelDescriptor.sgdMF.fit(RatingMatrix(set), hyperparameters: Hyperparameters(["factors": "2", "learning-rate": "0.2", "epochs": "200"]), context: context)
        for entry in try model.recommend(user: "a", count: 3, excludeSeen: false) {
            #expect(entry.score == model.predict(user: "a", item: entry.id))
            #expect((1...5).contains(entry.score))
        }
    }

    @Test func foldInWeightsAreBounded() {
        // Before: a weight of 1e20 made every implicit score 0.
        #expect(throws: FoldInError(pair: 1, text: "x:1e20", reason: "has a weight above the largest accepted, 1000000")) {
            _ = try FoldInRatings.parse("x:1e20", interactions: true, scale: nil)
        }
        #expect(throws: FoldInError(pair: 2, text: "y:0x10", reason: "has no numeric rating after ':' (got '0x10')")) {
            _ = try FoldInRatings.parse("x:1,y:0x10", interactions: false, scale: nil)
        }
    }
}
