import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

/// The built-in example as a CSV rating file (its identifiers are names, so the Spark path numbers them).
func writeNotesExample(to url: URL) throws {
    var text = "user,item,rating\n"
    let set = DemoData.notesExample.ratingSet
    for n in 0..<set.count {
        text += "\(set.users[Int(set.userIndices[n])]),\(set.items[Int(set.itemIndices[n])]),\(set.values[n])\n"
    }
    try text.write(to: url, atomically: true, encoding: .utf8)
}

@Suite("latent export and import")
struct ExportImportCommandTests {
    @Test("export --format npy and csv write the layout; an existing folder or the model itself is refused")
    func exportCommand() throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("notes.csv"), model = dir.appendingPathComponent("m.latent")
        try writeNotesExample(to: data)
        try runLatent(["train", "--data", data.path, "--model", "biased-mf", "--factors", "2", "--output", model.path, "--quiet"])
        let out = try runLatent(["export", "--model", model.path, "--output", dir.appendingPathComponent("npy").path, "--format", "npy"])
        #expect(out.output == "exported biased-mf: 4 users, 5 items, 2 factors (npy) to \(dir.appendingPathComponent("npy").path)\n")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("npy").path).sorted()
        #expect(files == ["item_bias.npy", "item_factors.npy", "item_ids.csv", "manifest.json", "user_bias.npy", "user_factors.npy", "user_ids.csv"])
        #expect(errorMessage(["export", "--model", model.path, "--output", model.path])
            == "\(model.path) already exists: give a new folder (an export never replaces existing files)")
        #expect(errorMessage(["export", "--model", model.path, "--output", dir.appendingPathComponent("x").path, "--format", "parquet"])?
            .contains("parquet") == true)
        // The exported CSV reproduces the model's predictions: mu + b_u + b_i + p_u . q_i, clipped.
        let csv = dir.appendingPathComponent("csv")
        try runLatent(["export", "--model", model.path, "--output", csv.path])
        let m = try #require(try ModelRegistry.load(from: model) as? FactorModel)
        func column(_ name: String) throws -> [[Float]] {
            try String(contentsOf: csv.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",").map { Float(String($0))! } }
        }
        let p = try column("user_factors.csv"), q = try column("item_factors.csv")
        let bu = try column("user_bias.csv").map { $0[0] }, bi = try column("item_bias.csv").map { $0[0] }
        let ids = try String(contentsOf: csv.appendingPathComponent("user_ids.csv"), encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
        let items = try String(contentsOf: csv.appendingPathComponent("item_ids.csv"), encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
        #expect(ids == m.domain.users.ids && items == m.domain.items.ids)
        for u in 0..<ids.count {
            for i in 0..<items.count {
                let raw = m.globalMean + bu[u] + bi[i] + zip(p[u], q[i]).map(*).reduce(0, +)
                #expect(abs(min(max(raw, 0), 5) - m.predict(user: ids[u], item: items[i])) < 1e-5)
            }
        }
    }

    @Test("import --spark-als: the model predicts Spark's dot product; --ratings marks seen items; inputs are never overwritten")
    func importCommand() throws {
        let folder = try SparkImportFixture.folder()
        let dir = temporaryDirectory()
        let ratings = dir.appendingPathComponent("r.tsv")
        try "7\t10\t4\n3\t5\t5\n".write(to: ratings, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("s.latent")
        let printed = try runLatent(["import", "--spark-als", folder.path, "--ratings", ratings.path, "--output", out.path]).output
        #expect(printed == "imported spark-als: 2 users, 3 items, 2 factors, 2 seen ratings; saved \(out.path)\n")
        #expect(try runLatent(["predict", "--model", out.path, "--user", "7", "--item", "2"]).output == "-4.1250\n")
        let rec = try jsonObject(try runLatent(["recommend", "--model", out.path, "--user", "7", "--json"]).output)
        #expect((rec["items"] as? [[String: Any]])?.compactMap { $0["item"] as? String } == ["5", "2"])
        #expect(errorMessage(["import", "--spark-als", folder.path, "--ratings", ratings.path, "--output", ratings.path])
            == "--output \(ratings.path) is the input \(ratings.path): choose another file (an input is never overwritten)")
        #expect(errorMessage(["import", "--spark-als", folder.path, "--output", folder.appendingPathComponent("m.latent").path])?
            .hasPrefix("--output \(folder.appendingPathComponent("m.latent").path) is inside the input folder") == true)
        let bad = dir.appendingPathComponent("bad.tsv")
        try "7\t99\t4\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(errorMessage(["import", "--spark-als", folder.path, "--ratings", bad.path, "--output", out.path + "2"])
            == "\(bad.path): item 99 of rating number 1 has no factors in the Spark output: these are not the ratings Spark trained on")
        #expect(!FileManager.default.fileExists(atPath: out.path + "2"))
    }

    @Test("train --engine spark: refuses other models and hyperparameters Spark lacks before any work; says what is missing")
    func sparkEngineErrors() throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("notes.csv")
        try writeNotesExample(to: data)
        let out = dir.appendingPathComponent("m.latent").path
        #expect(errorMessage(["train", "--engine", "spark", "--data", data.path, "--model", "biased-mf", "--output", out])
            == "unknown model 'biased-mf'; models: als, implicit-als")
        #expect(errorMessage(["train", "--engine", "spark", "--data", data.path, "--model", "als", "--solver", "coordinate", "--output", out])
            == "unknown hyperparameter 'solver'; this model has: factors, regularization, iterations")
        #expect(errorMessage(["train", "--engine", "spark", "--data", data.path, "--model", "als", "--output", data.path])
            == "--output \(data.path) is the input \(data.path): choose another file (an input is never overwritten)")
        #expect(throws: SparkJobError.missingJava) { try SparkJob.locate(script: nil, environment: ["PATH": dir.path]) }
        #expect(SparkJobError.missingJava.description.contains("install a JRE (apt-get install openjdk-17-jre-headless) or set JAVA_HOME"))
        // Java present, no Spark: a folder with only a `java` on PATH.
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let java = bin.appendingPathComponent("java")
        try "#!/bin/sh\nexit 0\n".write(to: java, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: java.path)
        #expect(throws: SparkJobError.missingSpark) { try SparkJob.locate(script: nil, environment: ["PATH": bin.path]) }
        #expect(SparkJobError.missingSpark.description.hasSuffix("pip install pyspark"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("train --engine spark on the built-in example, in Spark's local mode: the imported model is Spark's dot product",
          .enabled(if: SparkJob.isAvailable, "needs Java and pyspark (pip install pyspark) or spark-submit; scripts/test-spark installs them"),
          .timeLimit(.minutes(10)))
    func sparkRoundTrip() throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("notes.csv")
        try writeNotesExample(to: data)
        let out = dir.appendingPathComponent("spark.latent"), sparkDir = dir.appendingPathComponent("spark")
        let script = SparkImportFixture.packageRoot.appendingPathComponent("scripts/spark-als.py").path
        let printed = try runLatent([
            "train", "--engine", "spark", "--master", "local[1]", "--driver-memory", "512m", "--data", data.path,
            "--model", "als", "--factors", "2", "--iterations", "5", "--regularization", "0.05", "--seed", "3",
            "--spark-dir", sparkDir.path, "--spark-script", script, "--spark-timeout", "400", "--output", out.path,
        ]).output
        #expect(printed.contains("trained als on Spark (local[1]) on 4 users, 5 items, 15 ratings"))
        let model = try #require(try ModelRegistry.load(from: out) as? FactorModel)
        #expect(model.name == "spark-als" && model.factorCount == 2 && model.foldIn == .ridge(lambda: 0.05))
        #expect(Set(model.domain.users.ids) == ["Alice", "Bob", "Carol", "Dave"])
        #expect(model.domain.seen.entryCount == 15)
        // The model file holds exactly the factors Spark wrote, by the user_ids.csv numbering.
        let direct = try SparkALS.importModel(from: sparkDir)
        #expect(direct.userFactors == model.userFactors && direct.itemFactors == model.itemFactors)
        let params = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sparkDir.appendingPathComponent("params.json"))) as? [String: Any])
        #expect(params["rank"] as? Int == 2 && params["maxIter"] as? Int == 5 && params["implicitPrefs"] as? Bool == false)
        let dot = zip(model.userFactors.row(model.domain.users.index(of: "Alice")!),
                      model.itemFactors.row(model.domain.items.index(of: "Swords vs. karate")!)).map(*).reduce(0, +)
        #expect(abs(model.predict(user: "Alice", item: "Swords vs. karate") - dot) < 1e-6)
        // Spark fits the example: Alice's rated romance films score high, the action films low.
        #expect(model.predict(user: "Alice", item: "Love at last") > 3.5)
        #expect(model.predict(user: "Alice", item: "Nonstop car chases") < 1.5)
        // Fold-in of Alice's own ratings repeats Spark's last user solve: the same factors, to float precision.
        let alice = DemoData.notesExample.ratings.enumerated().compactMap { m, row in
            row[0].map { (item: model.domain.items.index(of: DemoData.notesExample.movies[m])!, value: $0) }
        }
        let folded = model.foldInFactors(alice)
        for (a, b) in zip(folded, model.userFactors.row(model.domain.users.index(of: "Alice")!)) { #expect(abs(a - b) < 1e-3) }
    }
}

/// A Spark output folder written by hand (two users, three items, two factors).
enum SparkImportFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func folder() throws -> URL {
        let dir = temporaryDirectory().appendingPathComponent("spark-out")
        let fm = FileManager.default
        let lines = [
            "user_factors": #"{"id":7,"features":[0.5,-1.25]}"# + "\n" + #"{"id":3,"features":[2.0,0.1]}"# + "\n",
            "item_factors": #"{"id":10,"features":[1.0,0.0]}"# + "\n" + #"{"id":2,"features":[-0.75,3.0]}"# + "\n"
                + #"{"id":5,"features":[1.0E-8,0.125]}"# + "\n",
        ]
        for (name, text) in lines {
            let folder = dir.appendingPathComponent(name)
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent("part-00000-x-c000.json"), atomically: true, encoding: .utf8)
        }
        try #"{"rank": 2, "regParam": 0.05}"#.write(to: dir.appendingPathComponent("params.json"), atomically: true, encoding: .utf8)
        return dir
    }
}
