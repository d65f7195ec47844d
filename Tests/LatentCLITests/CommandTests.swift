import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

@Suite("latent demo")
struct DemoTests {
    @Test("the demo prints every movie, Eve's item means and the related movies")
    func demoRuns() throws {
        let out = try runLatent(["demo"]).output
        for movie in DemoData.notesExample.movies { #expect(out.contains(movie)) }
        #expect(out.contains("Eve"))
        #expect(out.contains("Related movies"))
        // Swords vs. karate's mean is 5/3: Eve is predicted 1.67.
        #expect(out.contains("1.67"))
    }

    @Test("mean normalization predicts Eve the movie means, and fits the known ratings")
    func demoNumbers() throws {
        let example = DemoData.notesExample
        let result = try example.run()
        let eve = example.users.firstIndex(of: "Eve")!
        for (m, mean) in example.movieMeans.enumerated() {
            #expect(abs(result.predictions[m][eve] - mean) < 1e-5)
        }
        #expect(abs(example.movieMeans[4] - 5.0 / 3.0) < 1e-6)
        // Known ratings are reproduced to within the regularization's pull.
        for m in example.movies.indices {
            for u in example.users.indices {
                if let r = example.ratings[m][u] { #expect(abs(result.predictions[m][u] - r) < 1.0) }
            }
        }
        // Bob likes romance: his missing Romance forever is high; Carol's low.
        #expect(result.predictions[1][1] > 4)
        #expect(result.predictions[1][2] < 1)
        // The two action movies are each other's nearest; so are the first two romance movies.
        #expect(result.related[3].first?.id == "Swords vs. karate")
        #expect(result.related[4].first?.id == "Nonstop car chases")
        #expect(result.related[0].first?.id == "Romance forever")
    }

    @Test("demo --model trains a registry model; a model without item vectors says so")
    func demoWithModel() throws {
        #expect(try runLatent(["demo", "--model", "biased-mf"]).output.contains("Model: biased-mf"))
        #expect(try runLatent(["demo", "--model", "item-mean"]).output.contains("no item vectors"))
        #expect(errorMessage(["demo", "--model", "no-such-model"])?.contains("unknown model 'no-such-model'") == true)
    }
}

@Suite("latent train, predict, recommend, similar")
struct TrainAndUseTests {
    let dir = temporaryDirectory()
    var data: String { dir.appendingPathComponent("ratings.txt").path }
    var model: String { dir.appendingPathComponent("model.latent").path }

    func train(_ extra: [String] = []) throws -> String {
        try writeTwoTasteRatings(to: URL(fileURLWithPath: data))
        return try runLatent(["train", "--data", data, "--model", "biased-mf", "--factors", "2", "--epochs", "200",
                              "--learning-rate", "0.02", "--decay", "1", "--output", model, "--quiet"] + extra).output
    }

    @Test("train prints a summary and writes a model that predict, recommend and similar use")
    func trainThenUse() throws {
        let summary = try train()
        #expect(summary.contains("24 users, 10 items, 192 ratings"))
        #expect(summary.contains("0 duplicates folded, 0 lines skipped"))
        #expect(FileManager.default.fileExists(atPath: model))

        // u1 likes items 1-5; i4 is one of u1's two unrated items ((4 + 1) % 5 == 0), i9 the other.
        let liked = try jsonObject(runLatent(["predict", "--model", model, "--user", "u1", "--item", "i4", "--json"]).output)
        let disliked = try jsonObject(runLatent(["predict", "--model", model, "--user", "u1", "--item", "i9", "--json"]).output)
        #expect(Set(liked.keys) == ["user", "item", "prediction", "known_user", "known_item"])
        let p4 = try #require(liked["prediction"] as? Double), p9 = try #require(disliked["prediction"] as? Double)
        #expect(p4 > 3.5 && p4 <= 5)
        #expect(p9 < 2.5 && p9 >= 1)
        let plain = try runLatent(["predict", "--model", model, "--user", "u1", "--item", "i4"]).output
        #expect(abs(Double(plain.trimmingCharacters(in: .whitespacesAndNewlines))! - p4) < 1e-3)

        let rec = try jsonObject(runLatent(["recommend", "--model", model, "--user", "u1", "--count", "2", "--json"]).output)
        #expect(rec["user"] as? String == "u1")
        let items = try #require(rec["items"] as? [[String: Any]])
        // Only two unseen items remain, the liked one first.
        #expect(items.map { $0["item"] as? String } == ["i4", "i9"])
        #expect(items.allSatisfy { $0["score"] is Double })

        let seen = try jsonObject(runLatent(["recommend", "--model", model, "--user", "u1", "--count", "10",
                                             "--include-seen", "--json"]).output)
        #expect((seen["items"] as? [[String: Any]])?.count == 10)

        let similar = try jsonObject(runLatent(["similar", "--model", model, "--item", "i1", "--count", "3",
                                                "--metric", "cosine", "--json"]).output)
        #expect(similar["item"] as? String == "i1")
        let related = try #require(similar["items"] as? [[String: Any]]).compactMap { $0["item"] as? String }
        #expect(related.count == 3 && !related.contains("i1"))
        // The items most like i1 are the other items the same users like.
        #expect(related.allSatisfy { ["i2", "i3", "i4", "i5"].contains($0) })
        #expect(try runLatent(["similar", "--model", model, "--item", "i1", "--count", "3"]).output.contains("-distance"))
    }

    @Test("titles come from an item file")
    func titles() throws {
        _ = try train()
        let items = dir.appendingPathComponent("u.item")
        try "1|Unused|x\n".write(to: items, atomically: true, encoding: .isoLatin1)
        let catalog = dir.appendingPathComponent("movies.csv")
        try "movieId,title,genres\ni4,\"Love, at last (2001)\",Romance\ni9,Car chases,Action\n"
            .write(to: catalog, atomically: true, encoding: .utf8)
        let rec = try jsonObject(runLatent(["recommend", "--model", model, "--user", "u1", "--count", "2",
                                            "--items", catalog.path, "--json"]).output)
        let entries = try #require(rec["items"] as? [[String: Any]])
        #expect(entries.first?["title"] as? String == "Love, at last (2001)")
        #expect(try runLatent(["recommend", "--model", model, "--user", "u1", "--count", "2", "--items", catalog.path])
            .output.contains("Car chases"))
    }

    @Test("unknown users and items: predict falls back with a note; recommend and similar refuse")
    func unknowns() throws {
        _ = try train()
        let run = try runLatent(["predict", "--model", model, "--user", "stranger", "--item", "i1"])
        #expect(run.error.contains("does not know user stranger"))
        #expect(errorMessage(["recommend", "--model", model, "--user", "stranger"]) == "user 'stranger' is not in the model")
        #expect(errorMessage(["similar", "--model", model, "--item", "nothing"]) == "item 'nothing' is not in the model")
    }

    @Test("a truncated copy of a model file is refused with a message")
    func truncatedModel() throws {
        _ = try train()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        let truncated = dir.appendingPathComponent("truncated.latent")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let message = try #require(errorMessage(["predict", "--model", truncated.path, "--user", "u1", "--item", "i1"]))
        #expect(message.contains("truncated.latent"))
        #expect(message.contains("truncated"))
        let garbage = dir.appendingPathComponent("garbage.latent")
        try Data("not a model".utf8).write(to: garbage)
        #expect(errorMessage(["recommend", "--model", garbage.path, "--user", "u1"])?.contains("is not a Latent model file") == true)
    }

    @Test("a data file with a bad third line is refused naming line 3, and no model file is written")
    func badThirdLine() throws {
        let bad = dir.appendingPathComponent("bad.txt")
        try "1 10 4\n1 11 5\n2 10 four\n2 11 3\n".write(to: bad, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("never.latent")
        let message = try #require(errorMessage(["train", "--data", bad.path, "--model", "biased-mf", "--output", output.path]))
        #expect(message.contains("bad.txt:3:"))
        #expect(message.contains("rating"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains("never") })

        // --skip-invalid trains on the rest and says how many lines it skipped.
        let run = try runLatent(["train", "--data", bad.path, "--model", "baseline", "--output", output.path, "--skip-invalid"])
        #expect(run.output.contains("1 lines skipped"))
        #expect(run.error.contains("skipped 1 invalid line"))
        #expect(FileManager.default.fileExists(atPath: output.path))
    }

    @Test("an explicit rating scale rejects ratings outside it, and clips predictions to it")
    func ratingScale() throws {
        try writeTwoTasteRatings(to: URL(fileURLWithPath: data))
        let message = errorMessage(["train", "--data", data, "--model", "baseline", "--output", model, "--rating-scale", "2:5"])
        #expect(message?.contains("outside the rating scale") == true)
        #expect(errorMessage(["train", "--data", data, "--model", "baseline", "--output", model, "--rating-scale", "5:1"])?
            .contains("--rating-scale must be LOW:HIGH") == true)
        _ = try runLatent(["train", "--data", data, "--model", "biased-mf", "--output", model, "--rating-scale", "0:10", "--quiet"])
        let loaded = try ModelRegistry.load(from: URL(fileURLWithPath: model))
        #expect(loaded.domain.ratingScale == 0...10)
        // Inferred from the data when not given.
        _ = try runLatent(["train", "--data", data, "--model", "baseline", "--output", model])
        #expect(try ModelRegistry.load(from: URL(fileURLWithPath: model)).domain.ratingScale == 1...5)
    }

    @Test("duplicates are folded by the chosen policy and counted")
    func duplicates() throws {
        let file = dir.appendingPathComponent("dups.txt")
        try "a x 1\na x 5\nb x 3\na y 2\n".write(to: file, atomically: true, encoding: .utf8)
        let summary = try runLatent(["train", "--data", file.path, "--model", "global-mean", "--output", model,
                                     "--duplicates", "mean"]).output
        #expect(summary.contains("3 ratings (1 duplicates folded"))
        // mean policy: (a,x) = 3, so the global mean is (3 + 3 + 2) / 3.
        let p = try ModelRegistry.load(from: URL(fileURLWithPath: model)).predict(user: "a", item: "x")
        #expect(abs(p - 8.0 / 3.0) < 1e-5)
    }
}

@Suite("hyperparameters on the command line")
struct HyperparameterTests {
    @Test("--set name=value is parsed, merged with the flags, and malformed text is refused")
    func setParsing() throws {
        let h = try Hyperparameters(assignments: ["decay=0.9", " init-scale = 0.2 "], over: ["factors": "8"])
        #expect(h.values == ["factors": "8", "decay": "0.9", "init-scale": "0.2"])
        #expect(throws: TrainingError.self) { try Hyperparameters(assignments: ["factors"]) }
        #expect(throws: TrainingError.self) { try Hyperparameters(assignments: ["=3"]) }
        #expect(throws: TrainingError.self) { try Hyperparameters(assignments: ["factors=4"], over: ["factors": "8"]) }
        // The same value twice is harmless.
        #expect(try Hyperparameters(assignments: ["factors=8"], over: ["factors": "8"]).values == ["factors": "8"])

        let parsed = try LatentCommand.parseAsRoot([
            "train", "--data", "d", "--model", "biased-mf", "--output", "o", "--factors", "8", "--learning-rate", "0.01",
            "--bias-regularization", "0.02", "--set", "decay=0.9", "--set", "init-scale=0.2",
        ])
        let train = try #require(parsed as? TrainCommand)
        #expect(try train.hyperparameters.hyperparameters().values == [
            "factors": "8", "learning-rate": "0.01", "bias-regularization": "0.02", "decay": "0.9", "init-scale": "0.2",
        ])
    }

    @Test("unknown and invalid hyperparameters are refused with the library's message, before reading data")
    func unknownHyperparameters() throws {
        let base = ["train", "--data", "/nonexistent/ratings.txt", "--model", "biased-mf", "--output", "/nonexistent/m"]
        let unknown = try #require(errorMessage(base + ["--set", "nonsense=1"]))
        #expect(unknown.contains("unknown hyperparameter 'nonsense'"))
        #expect(unknown.contains("factors"))
        #expect(errorMessage(base + ["--alpha", "5"])?.contains("unknown hyperparameter 'alpha'") == true)
        // One name per concept: --epochs is --iterations, and giving both with different values is an error.
        #expect(errorMessage(base + ["--iterations", "5", "--epochs", "6"])?.contains("is given twice") == true)
        #expect(errorMessage(base + ["--set", "oops"])?.contains("is not of the form name=value") == true)
        // A bad value is found when the model reads it.
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let bad = errorMessage(["train", "--data", data.path, "--model", "biased-mf", "--output",
                                dir.appendingPathComponent("m").path, "--factors", "many"])
        #expect(bad == "hyperparameter factors=many is not a whole number")
    }
}

@Suite("latent evaluate, info, models, generate")
struct EvaluateAndToolsTests {
    let dir = temporaryDirectory()

    @Test("evaluate --json prints one object with the means and each fold")
    func evaluateJSON() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let out = try runLatent(["evaluate", "--model", "baseline", "--data", data.path, "--folds", "3", "--json"]).output
        let report = try jsonObject(out)
        #expect(report["model"] as? String == "baseline")
        let folds = try #require(report["folds"] as? [[String: Any]])
        #expect(folds.count == 3)
        for fold in folds {
            for key in ["rmse", "mae", "fit_seconds"] { #expect(fold[key] is Double) }
            #expect(fold["test_count"] is Int)
        }
        #expect(folds.compactMap { $0["test_count"] as? Int }.reduce(0, +) == 192)
        let rmse = try #require(report["rmse"] as? Double), mae = try #require(report["mae"] as? Double)
        let foldRMSE = folds.compactMap { $0["rmse"] as? Double }
        #expect(abs(rmse - foldRMSE.reduce(0, +) / 3) < 1e-9)
        #expect(mae <= rmse && rmse > 0)
        #expect(report["fit_seconds"] is Double)

        // The same through a holdout and through given files; the text form lists the folds.
        let holdout = try jsonObject(runLatent(["evaluate", "--model", "item-mean", "--data", data.path,
                                                "--test-fraction", "0.25", "--json"]).output)
        #expect((holdout["folds"] as? [[String: Any]])?.first?["test_count"] as? Int == 48)
        let text = try runLatent(["evaluate", "--model", "item-mean", "--train", data.path, "--test", data.path]).output
        #expect(text.contains("fold 1: rmse"))
        #expect(text.contains("mean:"))
    }

    @Test("evaluate checks its data options and the task")
    func evaluateValidation() {
        #expect(errorMessage(["evaluate", "--model", "baseline", "--train", "a"])?.contains("--train and --test go together") == true)
        #expect(errorMessage(["evaluate", "--model", "baseline", "--data", "a"])?.contains("exactly one of --folds and --test-fraction") == true)
        #expect(errorMessage(["evaluate", "--model", "baseline", "--data", "a", "--folds", "1"])?.contains("at least 2") == true)
        #expect(errorMessage(["evaluate", "--model", "baseline", "--data", "a", "--folds", "2", "--task", "sideways"])?
            .contains("--task") == true)
    }

    @Test("info reports counts, density and the histogram, as text and JSON")
    func info() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let info = try jsonObject(runLatent(["info", "--data", data.path, "--json"]).output)
        #expect(info["users"] as? Int == 24)
        #expect(info["items"] as? Int == 10)
        #expect(info["ratings"] as? Int == 192)
        #expect(abs((info["density"] as? Double ?? 0) - 0.8) < 1e-12)
        let histogram = try #require(info["histogram"] as? [[String: Any]])
        #expect(histogram.compactMap { $0["rating"] as? String } == ["1", "2", "4", "5"])
        #expect(histogram.compactMap { $0["count"] as? Int }.reduce(0, +) == 192)
        #expect(try runLatent(["info", "--data", data.path]).output.contains("density  80.0000%"))
    }

    @Test("models lists every registered model with its hyperparameters")
    func models() throws {
        let out = try runLatent(["models"]).output
        for d in ModelRegistry.all {
            #expect(out.contains(d.name))
            for p in d.parameters { #expect(out.contains(p.name)) }
        }
    }

    @Test("models --json gives every model's task and hyperparameters; models NAME describes one")
    func modelsJSON() throws {
        let out = try runLatent(["models", "--json"]).output
        let list = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        #expect(list.compactMap { $0["name"] as? String } == ModelRegistry.names)
        let als = try #require(list.first { $0["name"] as? String == "als" })
        #expect(als["task"] as? String == "rating")
        let parameters = try #require(als["hyperparameters"] as? [[String: Any]])
        let iterations = try #require(parameters.first { $0["name"] as? String == "iterations" })
        #expect(iterations["type"] as? String == "int")
        #expect(iterations["default"] as? String == "6")
        #expect(iterations["range"] as? String == "0...100000")
        #expect(iterations["aliases"] as? [String] == ["epochs", "sweeps"])
        #expect(iterations["meaning"] is String)
        let one = try runLatent(["models", "ease"]).output
        #expect(one.hasPrefix("ease  (ranking)"))
        #expect(one.contains("regularization") && one.contains("lambda") && !one.contains("implicit-als"))
        #expect(errorMessage(["models", "nonsense"])?.contains("unknown model 'nonsense'") == true)
    }

    @Test("generate writes a seeded synthetic file that trains")
    func generate() throws {
        let a = dir.appendingPathComponent("a.txt"), b = dir.appendingPathComponent("b.txt")
        let arguments = ["--users", "50", "--items", "30", "--ratings", "500", "--seed", "3"]
        #expect(try runLatent(["generate", "--output", a.path] + arguments).output.contains("wrote 500 ratings"))
        try runLatent(["generate", "--output", b.path] + arguments)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let (set, _) = try RatingReader.read(a)
        #expect(set.count == 500)
        #expect(set.valueRange.map { $0.lowerBound >= 1 && $0.upperBound <= 5 } == true)
        try runLatent(["train", "--data", a.path, "--model", "biased-mf", "--epochs", "2", "--output",
                       dir.appendingPathComponent("g.latent").path])
    }

    @Test("the progress bar shows the epoch, the loss and the time left")
    func progressLine() throws {
        let line = ProgressBar.line(title: "training", progress: TrainingProgress(step: 3, total: 12, loss: 0.91234),
                                    elapsed: 3, width: 12)
        #expect(line == "training  epoch 3/12 [===         ]  loss 0.9123  9.0s left")
        // Not drawn when the error stream is not a terminal (as in these tests).
        let options = try RunOptions.parse([])
        #expect(Console.$current.withValue(CapturedOutput().console) { options.progressBar("x") } == nil)
        var terminal = CapturedOutput().console
        terminal.errorIsTerminal = true
        #expect(Console.$current.withValue(terminal) { options.progressBar("x") } != nil)
        let quiet = try RunOptions.parse(["--quiet"])
        #expect(Console.$current.withValue(terminal) { quiet.progressBar("x") } == nil)
    }
}
