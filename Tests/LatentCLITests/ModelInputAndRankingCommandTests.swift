import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

/// Item features for the two-taste ratings of `writeTwoTasteRatings`: items 1-5 have the first feature, 6-10 the
/// second, with a header naming them.
func writeTwoTasteFeatures(to url: URL) throws {
    var lines = ["item,first,second"]
    for i in 1...10 { lines.append(i <= 5 ? "i\(i),1,0" : "i\(i),0,1") }
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
}

@Suite("--item-features and the content model")
struct ItemFeaturesCommandTests {
    let dir = temporaryDirectory()

    @Test("evaluate, train and recommend content with a CSV of item features")
    func contentWithFeatures() throws {
        let data = dir.appendingPathComponent("r.txt"), features = dir.appendingPathComponent("features.csv")
        try writeTwoTasteRatings(to: data)
        try writeTwoTasteFeatures(to: features)
        // Little regularization, solved exactly: 8 ratings per user and 2 features + intercept.
        let fit = ["--regularization", "0.1", "--solver", "normal"]
        let report = try jsonObject(runLatent(["evaluate", "--model", "content", "--item-features", features.path,
                                               "--train", data.path, "--test", data.path, "--json"] + fit).output)
        #expect(report["task"] as? String == "rating")
        // The features separate the two tastes exactly: each user's regression fits to the 4-vs-5 (1-vs-2) noise,
        // far better than the item means (RMSE 1.5 on these ratings).
        let rmse = try #require(report["rmse"] as? Double)
        #expect(rmse < 0.6, "content RMSE \(rmse)")

        let model = dir.appendingPathComponent("content.latent").path
        try runLatent(["train", "--data", data.path, "--model", "content", "--item-features", features.path,
                       "--output", model] + fit)
        // u1 likes items 1-5 and has not rated i4 (liked) and i9 (disliked).
        let rec = try jsonObject(runLatent(["recommend", "--model", model, "--user", "u1", "--json"]).output)
        let items = try #require(rec["items"] as? [[String: Any]]).compactMap { $0["item"] as? String }
        #expect(items == ["i4", "i9"])
        let p4 = try #require(try jsonObject(runLatent(["predict", "--model", model, "--user", "u1", "--item", "i4", "--json"])
            .output)["prediction"] as? Double)
        #expect(p4 > 3.5)
    }

    @Test("without --item-features, content fails with the library's missing-input message")
    func contentWithoutFeatures() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let message = try #require(errorMessage(["evaluate", "--model", "content", "--train", data.path, "--test", data.path]))
        #expect(message.contains("missing input: item features"))
        #expect(message.contains("--item-features"))
        let output = dir.appendingPathComponent("never.latent")
        #expect(errorMessage(["train", "--data", data.path, "--model", "content", "--output", output.path])?
            .contains("missing input: item features") == true)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("time bins asked for on a file without times: the file and the exact reason, no model; auto trains without them")
    func timeBinsWithoutTimes() throws {
        let data = dir.appendingPathComponent("notimes.txt")
        try writeTwoTasteRatings(to: data)
        let output = dir.appendingPathComponent("never.latent")
        let common = ["train", "--data", data.path, "--model", "bayesian-svdpp", "--set", "iterations=4", "--set", "burn-in=1"]
        #expect(errorMessage(common + ["--set", "time-bins=8", "--output", output.path])
                == "\(data.path): time-bins=8 needs the time of each rating, and the ratings have none (a file with a timestamp column, such as MovieLens u.data, has them); use time-bins=auto or 0")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        try runLatent(common + ["--output", output.path, "--quiet"])
        let model = try #require(try ModelRegistry.load(from: output) as? ImplicitFactorModel)
        #expect(model.time == nil && model.hyperparameters.values["time-bins"] == "0")
    }

    @Test("a bad feature file is refused naming its line and field")
    func badFeatureFile() throws {
        let data = dir.appendingPathComponent("r.txt"), features = dir.appendingPathComponent("bad.csv")
        try writeTwoTasteRatings(to: data)
        try "i1,1,0\ni2,1,zero\n".write(to: features, atomically: true, encoding: .utf8)
        let message = try #require(errorMessage(["train", "--data", data.path, "--model", "content", "--item-features",
                                                 features.path, "--output", dir.appendingPathComponent("m").path]))
        #expect(message.contains("bad.csv:2:"))
        #expect(message.contains("'zero' is not a number"))
    }

    @Test("demo --model content takes the movies' features from --item-features")
    func demoContent() throws {
        // The notes' features: x1 romance, x2 action.
        let features = dir.appendingPathComponent("notes.csv")
        try """
            movie,romance,action
            Love at last,0.9,0
            Romance forever,1.0,0.01
            Cute puppies of love,0.99,0
            Nonstop car chases,0.1,1.0
            Swords vs. karate,0,0.9
            """.write(to: features, atomically: true, encoding: .utf8)
        let out = try runLatent(["demo", "--model", "content", "--item-features", features.path]).output
        #expect(out.contains("Model: content"))
        #expect(out.contains("Related movies"))
        #expect(errorMessage(["demo", "--model", "content"])?.contains("missing input: item features") == true)
    }
}

@Suite("latent evaluate --task ranking")
struct RankingEvaluateCommandTests {
    let dir = temporaryDirectory()

    /// Training: i1 is rated by three users (all 1 star), i2 by two (5 stars), i3 and i4 by one (5 stars). Test: d
    /// rated i1 5 and i2 2; c rated i2 4.
    func writeExactSplit() throws -> (train: String, test: String) {
        let train = dir.appendingPathComponent("train.txt"), test = dir.appendingPathComponent("test.txt")
        try "a i1 1\nb i1 1\nc i1 1\na i2 5\nb i2 5\nc i3 5\nd i4 5\n".write(to: train, atomically: true, encoding: .utf8)
        try "d i1 5\nd i2 2\nc i2 4\n".write(to: test, atomically: true, encoding: .utf8)
        return (train.path, test.path)
    }

    @Test("protocol T by hand: every training pair is an interaction of weight 1, relevance from the test ratings")
    func exactPopularity() throws {
        let (train, test) = try writeExactSplit()
        // Every pair counts once, whatever its rating: popularity ranks i1 (3) > i2 (2) > i3, i4 (1). d's candidates
        // are i1, i2, i3 (d saw i4): [i1, i2]; c's are i2, i4: [i2, i4]. Relevant: d {i1}, c {i2}.
        let base = ["evaluate", "--model", "popularity", "--task", "ranking", "--train", train, "--test", test, "--json"]
        let r = try jsonObject(runLatent(base + ["--k", "2"]).output)
        #expect(r["task"] as? String == "ranking")
        #expect(r["k"] as? Int == 2)
        #expect(r["users"] as? Int == 2)
        #expect(r["precision"] as? Double == 0.5)
        #expect(r["recall"] as? Double == 1)
        #expect(r["hit_rate"] as? Double == 1)
        #expect(r["ndcg"] as? Double == 1)
        #expect(r["map"] as? Double == 1)
        #expect(r["coverage"] as? Double == 0.75)
        // With K = 1 both users hit: had ratings been weights, i2 (10 stars) would beat i1 (3) and d would miss.
        #expect(try jsonObject(runLatent(base + ["--k", "1"]).output)["precision"] as? Double == 1)
        // Threshold 2 makes d's i2 relevant too: d's precision@2 is 1, c's 0.5.
        let lower = try jsonObject(runLatent(base + ["--k", "2", "--relevance-threshold", "2"]).output)
        #expect(lower["precision"] as? Double == 0.75)
        #expect(lower["relevance_threshold"] as? Double == 2)
    }

    @Test("JSON keys, per-fold values and metrics in [0, 1] for folds and a holdout; a text table")
    func keysAndRanges() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let keys = ["precision", "recall", "ndcg", "map", "hit_rate", "auc", "coverage"]
        for split in [["--folds", "3"], ["--test-fraction", "0.25"]] {
            let out = try runLatent(["evaluate", "--model", "implicit-als", "--task", "ranking", "--k", "3", "--data",
                                     data.path, "--set", "iterations=2", "--json"] + split).output
            let r = try jsonObject(out)
            let folds = try #require(r["folds"] as? [[String: Any]])
            #expect(folds.count == (split[0] == "--folds" ? 3 : 1))
            for key in keys {
                let mean = try #require(r[key] as? Double, "missing \(key)")
                #expect((0...1).contains(mean), "\(key) = \(mean)")
                let perFold = folds.compactMap { $0[key] as? Double }
                #expect(perFold.count == folds.count)
                #expect(abs(mean - perFold.reduce(0, +) / Double(perFold.count)) < 1e-12)
            }
            #expect(folds.allSatisfy { $0["fit_seconds"] is Double && $0["users"] is Int })
        }
        let text = try runLatent(["evaluate", "--model", "popularity", "--data", data.path, "--folds", "2", "--k", "3"]).output
        for header in ["fold", "P@3", "R@3", "nDCG@3", "MAP@3", "HR@3", "AUC", "coverage"] { #expect(text.contains(header)) }
        #expect(text.contains("\nmean "))
    }

    @Test("without --task, the model's own task decides")
    func defaultTask() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let ranking = try jsonObject(runLatent(["evaluate", "--model", "popularity", "--data", data.path, "--folds", "2", "--json"]).output)
        #expect(ranking["task"] as? String == "ranking")
        #expect(ranking["k"] as? Int == 10)
        #expect(ranking["relevance_threshold"] as? Double == 4)
        let rating = try jsonObject(runLatent(["evaluate", "--model", "baseline", "--data", data.path, "--folds", "2", "--json"]).output)
        #expect(rating["task"] as? String == "rating")
        #expect(rating["rmse"] is Double)
        // A rating model is judged by ranking when asked.
        let asked = try jsonObject(runLatent(["evaluate", "--model", "baseline", "--task", "ranking", "--data", data.path,
                                              "--folds", "2", "--json"]).output)
        #expect(asked["ndcg"] is Double)
    }

    @Test("--k and --relevance-threshold belong to the ranking task, and K is at least 1")
    func rankingOptions() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        #expect(errorMessage(["evaluate", "--model", "baseline", "--task", "rating", "--data", data.path, "--folds", "2",
                              "--k", "5"])?.contains("apply to --task ranking") == true)
        #expect(errorMessage(["evaluate", "--model", "baseline", "--data", data.path, "--folds", "2",
                              "--relevance-threshold", "3"])?.contains("add --task ranking") == true)
        #expect(errorMessage(["evaluate", "--model", "popularity", "--data", data.path, "--folds", "2", "--k", "0"])?
            .contains("--k must be at least 1") == true)
        // No test rating reaches the threshold: the library says so.
        #expect(errorMessage(["evaluate", "--model", "popularity", "--data", data.path, "--folds", "2",
                              "--relevance-threshold", "6"])?.contains("no test user has an item rated 6") == true)
    }
}

@Suite struct NeuralGradcheckCommandTests {
    @Test("gradcheck --model neural checks backpropagation: the same JSON, relative error <= 1e-5")
    func neural() throws {
        let object = try jsonObject(runLatent(["gradcheck", "--model", "neural", "--json"]).output)
        #expect(object["model"] as? String == "neural")
        let error = try #require(object["max_relative_error"] as? Double)
        #expect(error <= 1e-5)
        #expect((object["parameters"] as? Int ?? 0) > 0)
        #expect(try runLatent(["gradcheck", "--model", "neural"]).output.contains("neural: max relative error"))
        #expect(errorMessage(["gradcheck", "--model", "ease"])?.contains("models with one: sgd-mf, biased-mf, content, cofi, svdpp, neural") == true)
    }
}
