import Foundation
import Testing
@testable import Latent

/// `latent export` and `latent import --spark-als` in the library: exact files on small synthetic factors, and the
/// errors bad input gives.
@Suite struct FactorExportTests {
    /// Two users (one with a comma in its name), three items, two factors, biases and a mean.
    static func smallModel(biases: Bool = true) -> FactorModel {
        let users = IDMap(["u1", "u,2"]), items = IDMap(["a", "b", "c"])
        let seen = SparseRows(offsets: [0, 1, 1], indices: [2], values: [4])
        return FactorModel(
            name: "hand", domain: ModelDomain(users: users, items: items, seen: seen, ratingScale: 1...5, task: .rating),
            hyperparameters: Hyperparameters(), globalMean: biases ? 3.5 : 0,
            userBias: biases ? [0.25, -0.5] : [], itemBias: biases ? [1e-05, 0, -1] : [],
            userFactors: Matrix(rows: 2, columns: 2, storage: [0.5, -1.25, 2, 0.1]),
            itemFactors: Matrix(rows: 3, columns: 2, storage: [1, 0, -0.75, 3, 1e-08, 0.125]),
            foldIn: .ridge(lambda: 0.1))
    }

    static func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    @Test("CSV export: exact files, identifiers quoted, biases and mean in the layout")
    func csvFilesAreExact() throws {
        let files = FactorExport.files(Self.smallModel(), format: .csv)
        #expect(Set(files.keys) == ["manifest.json", "user_ids.csv", "item_ids.csv", "user_factors.csv", "item_factors.csv",
                                    "user_bias.csv", "item_bias.csv"])
        #expect(Self.text(files["user_ids.csv"]) == "user\nu1\n\"u,2\"\n")
        #expect(Self.text(files["item_ids.csv"]) == "item\na\nb\nc\n")
        #expect(Self.text(files["user_factors.csv"]) == "f0,f1\n0.5,-1.25\n2.0,0.1\n")
        #expect(Self.text(files["item_factors.csv"]) == "f0,f1\n1.0,0.0\n-0.75,3.0\n1e-08,0.125\n")
        #expect(Self.text(files["user_bias.csv"]) == "bias\n0.25\n-0.5\n")
        #expect(Self.text(files["item_bias.csv"]) == "bias\n1e-05\n0.0\n-1.0\n")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(files["manifest.json"]!)) as? [String: Any])
        #expect(manifest["global_mean"] as? Double == 3.5)
        #expect(manifest["factors"] as? Int == 2 && manifest["users"] as? Int == 2 && manifest["items"] as? Int == 3)
        #expect(manifest["has_user_bias"] as? Bool == true && manifest["has_item_bias"] as? Bool == true)
        #expect(manifest["rating_scale"] as? [Double] == [1, 5])
        #expect(manifest["layout_version"] as? Int == 1 && manifest["format"] as? String == "csv")
    }

    @Test("a model without biases exports zero bias files and says so")
    func noBiasesExportZeros() throws {
        let files = FactorExport.files(Self.smallModel(biases: false), format: .csv)
        #expect(Self.text(files["user_bias.csv"]) == "bias\n0.0\n0.0\n")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(files["manifest.json"]!)) as? [String: Any])
        #expect(manifest["has_user_bias"] as? Bool == false && manifest["global_mean"] as? Double == 0)
    }

    @Test("npy export: numpy's version 1.0 header, 64-byte aligned data, the exact float32 values")
    func npyFilesAreExact() throws {
        let files = FactorExport.files(Self.smallModel(), format: .npy)
        let bytes = try #require(files["item_factors.npy"])
        #expect(Array(bytes[0..<8]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = Self.text(Array(bytes[10..<(10 + headerLength)]))
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
        #expect(header.hasSuffix(" \n"))
        let data = Array(bytes[(10 + headerLength)...])
        let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values == [1, 0, -0.75, 3, 1e-08, 0.125])
        let bias = try #require(files["user_bias.npy"])
        #expect(Self.text(Array(bias[10..<64])).contains("'shape': (2,)"))
        #expect((bias.count - 8) % 64 == 0)
    }

    @Test("export writes a new folder whole and never replaces anything")
    func exportIsSafe() throws {
        let dir = TestData.temporaryDirectory()
        let out = dir.appendingPathComponent("export")
        try FactorExport.export(Self.smallModel(), to: out, format: .csv)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["export"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).count == 7)
        #expect(throws: ExportError.destinationExists(path: out.path)) {
            try FactorExport.export(Self.smallModel(), to: out, format: .npy)
        }
        let file = dir.appendingPathComponent("model.latent")
        try Self.smallModel().save(to: file)
        let before = try Data(contentsOf: file)
        #expect(throws: ExportError.destinationExists(path: file.path)) {
            try FactorExport.export(Self.smallModel(), to: file, format: .csv)
        }
        #expect(try Data(contentsOf: file) == before)
        // An empty folder is filled.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        try FactorExport.export(Self.smallModel(), to: empty, format: .npy)
        #expect(FileManager.default.fileExists(atPath: empty.appendingPathComponent("user_factors.npy").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["empty", "export", "model.latent"])
        // A missing parent folder: an error, nothing left behind.
        #expect(throws: ExportError.self) {
            try FactorExport.export(Self.smallModel(), to: dir.appendingPathComponent("no/such"), format: .csv)
        }
    }

    @Test("a model without factors is refused with the reason")
    func notAFactorModel() throws {
        let ease = try ModelRegistry.descriptor(named: "ease").fit(RatingMatrix(DemoData.notesExample.ratingSet))
        let out = TestData.temporaryDirectory().appendingPathComponent("x")
        #expect(throws: ExportError.notAFactorModel(model: "ease")) { try FactorExport.export(ease, to: out, format: .csv) }
        #expect(ExportError.notAFactorModel(model: "ease").description
            == "the ease model has no user and item factors to export (only factor models can be exported)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}

/// Spark's factors, written by hand in the JSON lines Spark writes.
@Suite struct SparkImportTests {
    /// A folder with `user_factors/part-00000-x.json`, `item_factors/part-*.json`, `params.json`.
    static func sparkFolder(users: String, items: String, params: String? = #"{"rank": 2, "regParam": 0.05, "maxIter": 5, "alpha": 1.0, "implicitPrefs": false, "seed": 3}"#,
                            extra: [String: String] = [:]) throws -> URL {
        let dir = TestData.temporaryDirectory()
        let fm = FileManager.default
        for (name, text) in [("user_factors", users), ("item_factors", items)] {
            let folder = dir.appendingPathComponent(name)
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent("part-00000-abc-c000.json"), atomically: true, encoding: .utf8)
            try "".write(to: folder.appendingPathComponent("_SUCCESS"), atomically: true, encoding: .utf8)
            try "x".write(to: folder.appendingPathComponent(".part-00000-abc-c000.json.crc"), atomically: true, encoding: .utf8)
        }
        if let params { try params.write(to: dir.appendingPathComponent("params.json"), atomically: true, encoding: .utf8) }
        for (name, text) in extra { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    static let users = """
        {"id":7,"features":[0.5,-1.25]}
        {"id":3,"features":[2.0,0.1]}

        """
    static let items = """
        {"id":10,"features":[1.0,0.0]}
        {"id":2,"features":[-0.75,3.0]}
        {"id":5,"features":[1.0E-8,0.125]}

        """

    @Test("import: exact factors ordered by Spark's id, p_u . q_i unclipped, no biases, ridge fold-in with regParam")
    func importIsExact() throws {
        let model = try SparkALS.importModel(from: try Self.sparkFolder(users: Self.users, items: Self.items))
        #expect(model.name == "spark-als")
        #expect(model.domain.users.ids == ["3", "7"] && model.domain.items.ids == ["2", "5", "10"])
        #expect(model.userFactors.storage == [2.0, 0.1, 0.5, -1.25])
        #expect(model.itemFactors.storage == [-0.75, 3.0, 1e-8, 0.125, 1.0, 0.0])
        #expect(model.globalMean == 0 && model.userBias.isEmpty && model.itemBias.isEmpty)
        #expect(model.domain.ratingScale == nil)
        #expect(model.foldIn == .ridge(lambda: 0.05))
        #expect(model.hyperparameters.values["regParam"] == "0.05" && model.hyperparameters.values["maxIter"] == "5")
        // 0.5 * -0.75 + -1.25 * 3 = -4.125: Spark's dot product, not clipped to any scale.
        #expect(model.predict(user: "7", item: "2") == -4.125)
        #expect(model.predict(user: "3", item: "10") == 2.0)
        #expect(model.predict(user: "nobody", item: "10") == 0)
        #expect(model.domain.seen.entryCount == 0)
        // Through a model file and back: the same numbers.
        let file = TestData.temporaryDirectory().appendingPathComponent("spark.latent")
        try model.save(to: file)
        let loaded = try #require(try ModelRegistry.load(from: file) as? FactorModel)
        #expect(loaded.userFactors == model.userFactors && loaded.itemFactors == model.itemFactors && loaded.name == "spark-als")
    }

    @Test("import then export: the exported files hold Spark's numbers exactly")
    func importThenExport() throws {
        let model = try SparkALS.importModel(from: try Self.sparkFolder(users: Self.users, items: Self.items))
        let files = FactorExport.files(model, format: .csv)
        #expect(FactorExportTests.text(files["user_factors.csv"]) == "f0,f1\n2.0,0.1\n0.5,-1.25\n")
        #expect(FactorExportTests.text(files["item_bias.csv"]) == "bias\n0.0\n0.0\n0.0\n")
    }

    @Test("--ratings: each user's rated items are seen and left out of recommendations")
    func seenItemsFromRatings() throws {
        let ratings = RatingSet([("7", "10", 4), ("7", "2", 1), ("3", "5", 5), ("7", "10", 5)])
        let model = try SparkALS.importModel(from: try Self.sparkFolder(users: Self.users, items: Self.items), ratings: ratings)
        #expect(model.domain.seen.offsets == [0, 1, 3])
        #expect(model.domain.seen.indices == [1, 0, 2] && model.domain.seen.values == [5, 1, 5])
        #expect(try model.recommend(user: "7", count: 3).map(\.id) == ["5"])
        #expect(try model.recommend(user: "7", count: 3, excludeSeen: false).map(\.id) == ["10", "5", "2"])
        let stray = RatingSet([("7", "10", 4), ("99", "2", 1)])
        #expect(throws: DataError.unreadable(file: "r.data", reason: "user 99 of rating number 2 has no factors in the Spark output: these are not the ratings Spark trained on")) {
            try SparkALS.importModel(from: try Self.sparkFolder(users: Self.users, items: Self.items), ratings: stray, ratingsFile: "r.data")
        }
    }

    @Test("implicit parameters give the implicit fold-in rule and the implicit name")
    func implicitParameters() throws {
        let folder = try Self.sparkFolder(users: Self.users, items: Self.items,
                                          params: #"{"regParam": 0.5, "alpha": 40, "implicitPrefs": true}"#)
        let model = try SparkALS.importModel(from: folder)
        #expect(model.name == "spark-implicit-als" && model.foldIn == .implicit(alpha: 40, lambda: 0.5))
        // Without params.json: Spark's defaults, explicit.
        let bare = try SparkALS.importModel(from: try Self.sparkFolder(users: Self.users, items: Self.items, params: nil))
        #expect(bare.foldIn == .ridge(lambda: 0.1) && bare.name == "spark-als")
    }

    @Test("user_ids.csv maps Spark's numbers back to identifiers")
    func identifierLists() throws {
        let folder = try Self.sparkFolder(
            users: #"{"id":1,"features":[1,2]}"# + "\n" + #"{"id":0,"features":[3,4]}"#,
            items: #"{"id":0,"features":[1,1]}"#, extra: ["user_ids.csv": "user\nAlice\n\"Bob, Jr.\"\n"])
        let model = try SparkALS.importModel(from: folder)
        #expect(model.domain.users.ids == ["Alice", "Bob, Jr."])
        #expect(model.predict(user: "Bob, Jr.", item: "0") == 3)
        let outside = try Self.sparkFolder(users: #"{"id":2,"features":[1,2]}"#, items: #"{"id":0,"features":[1,1]}"#,
                                           extra: ["user_ids.csv": "user\nAlice\n"])
        let file = outside.appendingPathComponent("user_factors/part-00000-abc-c000.json").path
        #expect(throws: DataError.malformed(file: file, line: 1, field: "id", reason: "2 has no line in user_ids.csv (1 users)")) {
            try SparkALS.importModel(from: outside)
        }
    }

    /// The error importing `users` (the user factor lines) with the standard items.
    static func userError(_ users: String) throws -> (DataError?, String) {
        let folder = try sparkFolder(users: users, items: items)
        let file = folder.appendingPathComponent("user_factors/part-00000-abc-c000.json").path
        do {
            _ = try SparkALS.importModel(from: folder)
            return (nil, file)
        } catch let e as DataError {
            return (e, file)
        }
    }

    @Test("bad factor lines: file, line and field in the error")
    func badFactorLines() throws {
        var (e, file) = try Self.userError(#"{"id":1,"features":[1,2]}"# + "\n" + "{oops\n")
        #expect(e == .malformed(file: file, line: 2, field: "line", reason: #"is not a JSON object like {"id": 1, "features": [0.5, 0.25]}"#))
        (e, file) = try Self.userError(#"{"features":[1,2]}"#)
        #expect(e == .malformed(file: file, line: 1, field: "id", reason: "is missing"))
        (e, file) = try Self.userError(#"{"id":"x","features":[1,2]}"#)
        #expect(e == .malformed(file: file, line: 1, field: "id", reason: "is not an integer (got x)"))
        (e, file) = try Self.userError(#"{"id":1.5,"features":[1,2]}"#)
        #expect(e?.line == 1 && e.map { "\($0)" }?.contains("id: is not an integer") == true)
        (e, file) = try Self.userError(#"{"id":1}"#)
        #expect(e == .malformed(file: file, line: 1, field: "features", reason: "is missing"))
        (e, file) = try Self.userError(#"{"id":1,"features":[1,"a"]}"#)
        #expect(e == .malformed(file: file, line: 1, field: "features[1]", reason: "is not a finite number (got a)"))
        (e, file) = try Self.userError(#"{"id":1,"features":[1,1e300]}"#)
        #expect(e == .malformed(file: file, line: 1, field: "features[1]", reason: "is not a finite number (got 1e+300)"))
        (e, file) = try Self.userError(#"{"id":1,"features":[1,2]}"# + "\n" + #"{"id":2,"features":[1,2,3]}"#)
        #expect(e == .malformed(file: file, line: 2, field: "features", reason: "has 3 values; the first user has 2"))
        (e, file) = try Self.userError(#"{"id":1,"features":[1,2]}"# + "\n" + #"{"id":1,"features":[3,4]}"#)
        #expect(e == .malformed(file: file, line: 2, field: "id", reason: "user 1 appears a second time (first at \(file):1)"))
        (e, file) = try Self.userError(#"{"id":1,"features":[1,2,3]}"#)
        let itemFile = file.replacingOccurrences(of: "user_factors", with: "item_factors")
        #expect(e == .malformed(file: itemFile, line: 1, field: "features", reason: "has 2 values, but the user factors have 3"))
        (e, file) = try Self.userError("\n")
        #expect(e == .unreadable(file: file.replacingOccurrences(of: "/part-00000-abc-c000.json", with: ""), reason: "holds no user factors"))
        #expect("\(DataError.malformed(file: "f.json", line: 2, field: "id", reason: "is missing"))" == "f.json:2: id: is missing")
    }

    @Test("missing folders and bad params.json are reported with the file")
    func badFolders() throws {
        let empty = TestData.temporaryDirectory()
        #expect(throws: DataError.unreadable(file: empty.appendingPathComponent("user_factors").path,
                                             reason: "not found: expected Spark's user_factors folder of JSON lines")) {
            try SparkALS.importModel(from: empty)
        }
        let folder = try Self.sparkFolder(users: Self.users, items: Self.items, params: #"{"regParam": -1}"#)
        #expect(throws: DataError.malformed(file: folder.appendingPathComponent("params.json").path, line: 1, field: "regParam",
                                            reason: "is not a non-negative number (got -1)")) {
            try SparkALS.importModel(from: folder)
        }
        let rank = try Self.sparkFolder(users: Self.users, items: Self.items, params: #"{"rank": 3}"#)
        #expect(throws: DataError.malformed(file: rank.appendingPathComponent("params.json").path, line: 1, field: "rank",
                                            reason: "is 3, but the factors have 2 values")) {
            try SparkALS.importModel(from: rank)
        }
        let flag = try Self.sparkFolder(users: Self.users, items: Self.items, params: #"{"implicitPrefs": "yes"}"#)
        #expect(throws: DataError.malformed(file: flag.appendingPathComponent("params.json").path, line: 1, field: "implicitPrefs",
                                            reason: "is not true or false (got yes)")) {
            try SparkALS.importModel(from: flag)
        }
    }

    @Test("Latent's hyperparameter names map to Spark's; others are refused")
    func parameterMapping() throws {
        let als = try SparkALSParameters(model: "als", hyperparameters: Hyperparameters(["factors": "20", "iterations": "7", "regularization": "0.05"]), seed: 9)
        #expect(als == SparkALSParameters(rank: 20, regParam: 0.05, maxIter: 7, alpha: 1, implicitPrefs: false, seed: 9))
        #expect(als.scriptArguments == ["--rank", "20", "--reg-param", "0.05", "--max-iter", "7", "--alpha", "1.0", "--seed", "9"])
        let implicit = try SparkALSParameters(model: "implicit-als", hyperparameters: Hyperparameters(["alpha": "40", "iterations": "3"]), seed: 1)
        #expect(implicit == SparkALSParameters(rank: 10, regParam: 0.1, maxIter: 3, alpha: 40, implicitPrefs: true, seed: 1))
        #expect(implicit.scriptArguments.last == "--implicit-prefs")
        #expect(throws: TrainingError.unknownHyperparameter(name: "solver", known: ["factors", "regularization", "iterations"])) {
            try SparkALSParameters(model: "als", hyperparameters: Hyperparameters(["solver": "coordinate"]), seed: 1)
        }
        #expect(throws: TrainingError.unknownModel(name: "biased-mf", known: ["als", "implicit-als"])) {
            try SparkALSParameters(model: "biased-mf", hyperparameters: Hyperparameters(), seed: 1)
        }
        #expect(throws: TrainingError.self) {
            try SparkALSParameters(model: "als", hyperparameters: Hyperparameters(["factors": "0"]), seed: 1)
        }
    }

    @Test("ratings for Spark: integer identifiers as they are, others numbered with the lists beside")
    func ratingsForSpark() throws {
        let dir = TestData.temporaryDirectory()
        try SparkALS.writeRatings(RatingMatrix(RatingSet([("196", "242", 3), ("186", "302", 3.5)])), to: dir)
        #expect(try String(contentsOf: dir.appendingPathComponent("ratings.csv"), encoding: .utf8) == "user,item,rating\n196,242,3.0\n186,302,3.5\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("user_ids.csv").path))
        let named = TestData.temporaryDirectory()
        try SparkALS.writeRatings(RatingMatrix(RatingSet([("Alice", "7", 5), ("Bob, Jr.", "7", 1), ("Alice", "8", 2)])), to: named)
        #expect(try String(contentsOf: named.appendingPathComponent("ratings.csv"), encoding: .utf8) == "user,item,rating\n0,7,5.0\n0,8,2.0\n1,7,1.0\n")
        #expect(try String(contentsOf: named.appendingPathComponent("user_ids.csv"), encoding: .utf8) == "user\nAlice\n\"Bob, Jr.\"\n")
        #expect(!FileManager.default.fileExists(atPath: named.appendingPathComponent("item_ids.csv").path))
    }
}
