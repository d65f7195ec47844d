import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

/// Saved models everywhere (evaluate and predict on files), the version, JSON numbers, evaluate's tables, the demo's
/// refusal of ranking models.
@Suite("Saved-model workflow")
struct WorkflowCommandTests {
    /// A two-taste rating file and a biased-mf model trained on it, in a fresh folder.
    private func trainedModel() throws -> (dir: URL, data: URL, model: String) {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        let model = dir.appendingPathComponent("m.latent").path
        try runLatent(["train", "--data", data.path, "--model", "biased-mf", "--factors", "4", "--epochs", "20",
                       "--output", model, "--quiet"])
        return (dir, data, model)
    }

    @Test("evaluate --model FILE measures the saved model on --test: the library's figures, fit 0")
    func evaluateSavedModel() throws {
        let (_, data, model) = try trainedModel()
        let report = try jsonObject(runLatent(["evaluate", "--model", model, "--test", data.path, "--json"]).output)
        let saved = try ModelRegistry.load(from: URL(fileURLWithPath: model))
        let expected = saved.evaluateRatings(on: try RatingReader.read(data).0)
        let rmse = try #require(report["rmse"] as? Double)
        #expect(abs(rmse - expected.rmse) < 1e-11)
        #expect(report["fit_seconds"] as? Double == 0)
        #expect(report["model"] as? String == "biased-mf")
        // Ranking metrics of the same file on request.
        let ranking = try jsonObject(runLatent(["evaluate", "--model", model, "--test", data.path, "--task", "ranking",
                                                "--json"]).output)
        #expect(ranking["task"] as? String == "ranking" && ranking["k"] as? Int == 10)
        // What does not apply to a saved model is refused.
        #expect(errorMessage(["evaluate", "--model", model, "--train", data.path, "--test", data.path])
            == "a saved model (\(model)) is measured on --test FILE only: no --train or --data")
        #expect(errorMessage(["evaluate", "--model", model, "--test", data.path, "--factors", "3"])
            == "\(model) is a saved model: its hyperparameters are fixed, so hyperparameter options do not apply")
    }

    @Test("each command says whether --model is a name or a file")
    func nameOrFile() throws {
        let (_, data, model) = try trainedModel()
        let names = ModelRegistry.names.joined(separator: ", ")
        #expect(errorMessage(["evaluate", "--model", "nothing.latent", "--test", data.path])
            == "--model 'nothing.latent' is neither a model name (\(names)) nor a model file: there is no file nothing.latent")
        #expect(errorMessage(["train", "--model", model, "--data", data.path, "--output", model + "2"])
            == "--model takes a model name (\(names)), and '\(model)' is a file; a saved model is evaluated by `latent evaluate --model \(model) --test FILE`")
        #expect(errorMessage(["predict", "--model", "biased-mf", "--user", "u1", "--item", "i1"])
            == "--model takes a model file written by `latent train`, and 'biased-mf' is a model name: train it first (latent train --model biased-mf --data FILE --output MODEL)")
    }

    @Test("predict --input scores every line in order, writes user item prediction, and gives evaluate's RMSE")
    func predictFile() throws {
        let (dir, data, model) = try trainedModel()
        let out = dir.appendingPathComponent("p.tsv")
        let run = try runLatent(["predict", "--model", model, "--input", data.path, "--output", out.path])
        let saved = try ModelRegistry.load(from: URL(fileURLWithPath: model))
        let (set, _) = try RatingReader.read(data)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == set.count && set.count == 192)
        let inputLines = try String(contentsOf: data, encoding: .utf8).split(separator: "\n")
        for (line, source) in zip(lines, inputLines) {
            let f = line.split(separator: "\t"), s = source.split(separator: " ")
            #expect(f.count == 3 && f[0] == s[0] && f[1] == s[1])
            #expect(Float(f[2]) == saved.predict(user: String(f[0]), item: String(f[1])))
        }
        let e = saved.evaluateRatings(on: set)
        #expect(run.output == "192 predictions written to \(out.path): rmse \(fixed(e.rmse)), mae \(fixed(e.mae))\n")
        let evaluate = try jsonObject(runLatent(["evaluate", "--model", model, "--test", data.path, "--json"]).output)
        let summary = try jsonObject(runLatent(["predict", "--model", model, "--input", data.path, "--output", out.path,
                                                "--json"]).output)
        #expect(summary["rmse"] as? Double == evaluate["rmse"] as? Double)
        #expect(summary["count"] as? Int == 192)
    }

    @Test("predict --input of user-item pairs prints no error figures; unknown pairs are counted; inputs are never overwritten")
    func predictPairs() throws {
        let (dir, data, model) = try trainedModel()
        let pairs = dir.appendingPathComponent("pairs.txt")
        try "u1 i1\nu1 i9\nnobody i1\n".write(to: pairs, atomically: true, encoding: .utf8)
        let run = try runLatent(["predict", "--model", model, "--input", pairs.path])
        let lines = run.output.split(separator: "\n")
        #expect(lines.count == 3 && lines[2].hasPrefix("nobody\ti1\t"))
        #expect(run.error.split(separator: "\n").contains("3 predictions"))
        #expect(run.error.contains("note: 1 line has a user the model does not know: their predictions are its fallback"))
        #expect(errorMessage(["predict", "--model", model, "--input", data.path, "--output", data.path])
            == "\(data.path): refusing to overwrite an input of this command; choose another output path")
        #expect(errorMessage(["predict", "--model", model, "--input", data.path, "--output", model])
            == "\(model): refusing to overwrite an input of this command; choose another output path")
        #expect(errorMessage(["predict", "--model", model, "--input", data.path, "--user", "u1"])?
            .contains("give either --user and --item, or --input") == true)
        // A bad line stops the run and writes nothing.
        let bad = dir.appendingPathComponent("bad.txt"), out = dir.appendingPathComponent("never.tsv")
        try "u1 i1 4\nu1 i2 four\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(errorMessage(["predict", "--model", model, "--input", bad.path, "--output", out.path]) != nil)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("--version, and --threads defaults to all cores")
    func versionAndThreads() throws {
        #expect(LatentCommand.configuration.version == LatentCommand.version)
        let train = try TrainCommand.parse(["--data", "d", "--model", "baseline", "--output", "o"])
        #expect(train.execution.threads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(TrainCommand.helpMessage().contains("default: all cores"))
    }

    @Test("JSON numbers are printed at the precision of their value; strings and integers are left alone")
    func jsonNoise() {
        #expect(trimmingFloatNoise(#"{"a":0.0016345594000000002,"b":"0.30000000000000004","c":18446744073709551615,"d":[true,-2.5e-07,0.30000000000000004,1.0000000000000002e-05]}"#)
            == #"{"a":0.0016345594,"b":"0.30000000000000004","c":18446744073709551615,"d":[true,-2.5e-07,0.3,1e-05]}"#)
        #expect(trimmingFloatNoise(#"{"s":"a \"0.10000000000000001\" b","x":0.1}"#) == #"{"s":"a \"0.10000000000000001\" b","x":0.1}"#)
    }

    @Test("evaluate's tables end with the mean and the standard deviation; the ranking mean row sums no users")
    func evaluateTables() throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        let json = try jsonObject(runLatent(["evaluate", "--model", "baseline", "--data", data.path, "--folds", "3", "--json"]).output)
        let rmses = try #require(json["folds"] as? [[String: Any]]).compactMap { $0["rmse"] as? Double }
        let spread = Spread(rmses)
        let text = try runLatent(["evaluate", "--model", "baseline", "--data", data.path, "--folds", "3"]).output
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.count == 8)
        #expect(rows[6].first == "mean" && rows[6][1] == fixed(spread.mean))
        #expect(rows[7].first == "sd" && rows[7][1] == fixed(spread.standardDeviation))
        let ranking = try runLatent(["evaluate", "--model", "popularity", "--data", data.path, "--folds", "3"]).output
        let rankingRows = ranking.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        // fold, 7 metrics, users, fit s; the mean and sd rows have no users.
        #expect(rankingRows[3].count == 10 && rankingRows[6].first == "mean" && rankingRows[6].count == 9)
        #expect(rankingRows[7].first == "sd" && rankingRows[7].count == 9)
    }

    @Test("Spread: mean and standard deviation over n")
    func spread() {
        let s = Spread([1, 2, 3, 4])
        #expect(s.mean == 2.5 && s.standardDeviation == 1.25.squareRoot())
        #expect(Spread([7]).standardDeviation == 0)
        #expect(Spread([Double]()).mean.isNaN)
    }

    @Test("the demo refuses ranking models and says why")
    func demoRefusesRanking() {
        let message = errorMessage(["demo", "--model", "implicit-als"])
        #expect(message?.hasPrefix("implicit-als is a ranking model: it scores items to rank them and does not predict ratings") == true)
        #expect(message?.contains("The demo takes a rating model: global-mean,") == true)
    }
}

@Suite("latent tune")
struct TuneCommandTests {
    @Test("tune --json ranks every grid configuration, best first; --output saves the best retrained on all the data")
    func tuneGrid() throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        let best = dir.appendingPathComponent("best.latent")
        let run = try runLatent(["tune", "--model", "biased-mf", "--data", data.path, "--folds", "3", "--grid", "factors=1,3",
                                 "--grid", "regularization=0.01,2", "--epochs", "15", "--json", "--output", best.path])
        let report = try jsonObject(run.output)
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.count == 4 && report["folds"] as? Int == 3 && report["metric"] as? String == "rmse")
        let means = results.compactMap { $0["mean"] as? Double }
        #expect(means == means.sorted())
        let bestResult = try #require(report["best"] as? [String: Any])
        #expect(bestResult["mean"] as? Double == means[0])
        let bestValues = try #require(bestResult["hyperparameters"] as? [String: String])
        #expect(bestValues.keys.sorted() == ["factors", "regularization"])
        let model = try ModelRegistry.load(from: best)
        #expect(model.name == "biased-mf" && model.domain.users.count == 24)
        #expect(model.hyperparameters.values["factors"] == bestValues["factors"] && model.hyperparameters.values["iterations"] == "15")
        #expect(run.error.contains("[4/4] "))

        let text = try runLatent(["tune", "--model", "biased-mf", "--data", data.path, "--folds", "3", "--grid", "factors=1,3",
                                  "--epochs", "15", "--quiet"])
        let lines = text.output.split(separator: "\n").map(String.init)
        #expect(lines[0] == "biased-mf, 2 configurations, 3 folds, by rmse (lower is better)")
        #expect(lines[1].split(separator: " ") == ["rank", "factors", "rmse", "mean", "sd", "fit", "s"])
        #expect(lines.count == 6 && lines[5].hasPrefix("best: factors="))
        #expect(text.error.isEmpty)
    }

    @Test("tune checks its options")
    func tuneErrors() throws {
        #expect(errorMessage(["tune", "--model", "baseline", "--data", "x", "--grid", "a=1"])
            == "give either --data with --folds K, or --train and --test")
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        #expect(errorMessage(["tune", "--model", "baseline", "--data", data.path, "--folds", "2", "--range", "factors=1:3"])
            == "--range draws random configurations: give --random N too")
        #expect(errorMessage(["tune", "--model", "baseline", "--data", data.path, "--folds", "2", "--grid", "fctors=1,3"])?
            .hasPrefix("unknown hyperparameter 'fctors'") == true)
    }
}

@Suite("train with a learning curve")
struct TrainCurveCommandTests {
    @Test("--validation-fraction --early-stopping --history --plot: a line per epoch, the best model saved, CSV and SVG")
    func curve() throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        let model = dir.appendingPathComponent("m.latent"), csv = dir.appendingPathComponent("h.csv")
        let svg = dir.appendingPathComponent("h.svg")
        let run = try runLatent(["train", "--data", data.path, "--model", "sgd-mf", "--factors", "20", "--epochs", "300",
                                 "--learning-rate", "0.05", "--decay", "1", "--set", "user-regularization=0",
                                 "--set", "item-regularization=0", "--set", "init-scale=0.5", "--validation-fraction", "0.2",
                                 "--early-stopping", "3", "--history", csv.path, "--plot", svg.path, "--output", model.path])
        let epochs = run.error.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        #expect(epochs.first?.hasPrefix("epoch 1/300: training loss ") == true)
        #expect(epochs.first?.contains(", validation rmse ") == true)
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == epochs.count && rows.count < 300)
        let validation = rows.compactMap { Double($0[2]) }
        let best = try #require(validation.min())
        let bestEpoch = try #require(validation.firstIndex(of: best)) + 1
        #expect(rows.count == bestEpoch + 3)
        let summary = run.output.split(separator: "\n").first.map(String.init)
        #expect(summary == "best validation rmse \(fixed(best)) at epoch \(bestEpoch) of \(rows.count) (stopped early: 3 epochs without improvement); the saved model is the one after epoch \(bestEpoch)")
        // The saved model is the best: its RMSE on the same seeded validation part is the best figure.
        let (all, _) = try RatingReader.read(data)
        let part = Splits.holdout(all, testFraction: 0.2, seed: 42).test
        #expect(try ModelRegistry.load(from: model).evaluateRatings(on: part).rmse == best)
        let picture = try String(contentsOf: svg, encoding: .utf8)
        #expect(picture.hasPrefix("<svg") && picture.contains(">epoch</text>") && picture.contains(">RMSE</text>"))
        #expect(picture.contains(">validation rmse</text>") && picture.contains(">training loss</text>"))
    }

    @Test("the curve options need validation data; a model without snapshots says so")
    func curveErrors() throws {
        #expect(errorMessage(["train", "--data", "d", "--model", "baseline", "--output", "o", "--early-stopping", "2"])
            == "--early-stopping, --history and --plot need validation data: --validation FILE or --validation-fraction F")
        #expect(errorMessage(["train", "--data", "d", "--model", "baseline", "--output", "o", "--validation", "v",
                              "--validation-fraction", "0.1"]) == "give --validation FILE or --validation-fraction F, not both")
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        let run = try runLatent(["train", "--data", data.path, "--model", "baseline", "--validation", data.path,
                                 "--output", dir.appendingPathComponent("b.latent").path])
        #expect(run.error.contains("note: baseline reports no model after each step"))
    }
}
