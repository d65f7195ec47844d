import Foundation

/// Training on Apache Spark's ALS (`pyspark.ml.recommendation.ALS`) and bringing its factors into Latent.
///
/// The pieces, in the order a run uses them:
/// 1. ``SparkALSParameters``: Latent's hyperparameter names mapped to Spark's (`factors` -> `rank`,
///    `regularization` -> `regParam`, `iterations` -> `maxIter`, `alpha` -> `alpha`,
///    `implicit-als` -> `implicitPrefs`).
/// 2. ``writeRatings(_:to:)``: the training ratings as `user,item,rating` CSV for the job.
/// 3. The job (`scripts/spark-als.py`) writes `user_factors/` and `item_factors/` as JSON lines
///    (`{"id": 196, "features": [0.12, ...]}`, Spark's `ALSModel.userFactors` / `itemFactors`) and `params.json`.
/// 4. ``importModel(from:ratings:ratingsFile:)``: a ``FactorModel`` that predicts what Spark predicts,
///    `r(u, i) = p_u . q_i` (Spark's ALS has no biases and no offset), unclipped as Spark's are.
///
/// Spark's ALS identifies users and items by integers. Identifiers that are all integers (MovieLens) are written as
/// they are; otherwise the users (or items) are numbered 0, 1, ... in the order of `user_ids.csv` (`item_ids.csv`),
/// written beside the ratings, and the import maps the numbers back.
public enum SparkALS {
    /// The Latent models Spark's ALS can train.
    public static let models = ["als", "implicit-als"]

    /// Writes the ratings of `data` as `user,item,rating` lines under a header into `folder/ratings.csv`, with
    /// `user_ids.csv` / `item_ids.csv` when identifiers are not integers (see ``SparkALS``).
    public static func writeRatings(_ data: RatingMatrix, to folder: URL) throws {
        func sparkIDs(_ map: IDMap) -> [String]? {
            map.ids.allSatisfy({ Int32($0) != nil }) ? nil : map.ids.indices.map(String.init)
        }
        let userNumbers = sparkIDs(data.users), itemNumbers = sparkIDs(data.items)
        var text = "user,item,rating\n"
        text.reserveCapacity(data.count * 16)
        for u in 0..<data.userCount {
            let user = userNumbers?[u] ?? data.users[u]
            for n in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[n])
                text += user + "," + (itemNumbers?[i] ?? data.items[i]) + "," + FactorExport.number(data.byUser.values[n]) + "\n"
            }
        }
        try OutputFile.write(Array(text.utf8), to: folder.appendingPathComponent("ratings.csv"))
        if userNumbers != nil {
            try OutputFile.write(FactorExport.idFile(header: "user", data.users.ids), to: folder.appendingPathComponent("user_ids.csv"))
        }
        if itemNumbers != nil {
            try OutputFile.write(FactorExport.idFile(header: "item", data.items.ids), to: folder.appendingPathComponent("item_ids.csv"))
        }
    }

    /// Reads the factors a Spark ALS job wrote into `folder` and builds the model that predicts what Spark predicts.
    ///
    /// `folder` holds `user_factors` and `item_factors` (each a folder of Spark's `part-*.json` files, or one
    /// `.json` file) and optionally `params.json` (`{"rank", "regParam", "maxIter", "alpha", "implicitPrefs", "seed"}`,
    /// written by `scripts/spark-als.py`; without it Spark's defaults are assumed: explicit, `regParam` 0.1) and
    /// `user_ids.csv` / `item_ids.csv` (see ``SparkALS``).
    ///
    /// The model's users and items are those with factors, ordered by Spark's number. A user or item Spark did not see
    /// has no factors: Spark's `coldStartStrategy="drop"` drops such pairs and `"nan"` predicts NaN, while the model
    /// predicts 0 for them (its fallback: no offset, no biases) and `latent predict` says it does not know them.
    /// New users are folded in with the rule Spark uses for its own user update: explicit, the ridge solve
    /// `(sum q_i q_i^T + regParam * n_u I) p = sum r_ui q_i`; implicit, Latent's implicit rule with `alpha` and
    /// `regParam` (Spark multiplies that `regParam` by the user's count, Latent's rule does not).
    ///
    /// - Parameters:
    ///   - folder: the folder Spark saved the ALS model in.
    ///   - ratings: the ratings Spark trained on, whose items are each user's seen items (left out of
    ///     recommendations); nil for none.
    ///   - ratingsFile: the name of the ratings file, for errors.
    /// - Throws: ``DataError`` naming the file, line and field of the first bad input.
    public static func importModel(from folder: URL, ratings: RatingSet? = nil, ratingsFile: String = "ratings") throws -> FactorModel {
        let params = try readParameters(folder.appendingPathComponent("params.json"))
        let userNames = try readIDList(folder.appendingPathComponent("user_ids.csv"), header: "user")
        let itemNames = try readIDList(folder.appendingPathComponent("item_ids.csv"), header: "item")
        let users = try readFactors(folder.appendingPathComponent("user_factors"), names: userNames, what: "user")
        let items = try readFactors(folder.appendingPathComponent("item_factors"), names: itemNames, what: "item")
        guard users.rank == items.rank else {
            throw DataError.malformed(file: items.firstFile, line: 1, field: "features",
                                      reason: "has \(items.rank) values, but the user factors have \(users.rank)")
        }
        if let rank = params.rank, rank != users.rank {
            throw DataError.malformed(file: folder.appendingPathComponent("params.json").path, line: 1, field: "rank",
                                      reason: "is \(rank), but the factors have \(users.rank) values")
        }
        let userMap = IDMap(users.ids), itemMap = IDMap(items.ids)
        let seen = try seenRows(ratings, file: ratingsFile, users: userMap, items: itemMap)
        let domain = ModelDomain(users: userMap, items: itemMap, seen: seen, ratingScale: nil,
                                 task: params.implicitPrefs ? .ranking : .rating)
        var values: [String: String] = [
            "engine": "spark", "rank": "\(users.rank)", "regParam": "\(params.regParam)",
            "implicitPrefs": "\(params.implicitPrefs)",
        ]
        if let maxIter = params.maxIter { values["maxIter"] = "\(maxIter)" }
        if params.implicitPrefs { values["alpha"] = "\(params.alpha)" }
        if let seed = params.seed { values["seed"] = "\(seed)" }
        let foldIn: FoldInRule = params.implicitPrefs ? .implicit(alpha: params.alpha, lambda: params.regParam)
                                                      : .ridge(lambda: params.regParam)
        return FactorModel(name: params.implicitPrefs ? "spark-implicit-als" : "spark-als", domain: domain,
                           hyperparameters: Hyperparameters(values), globalMean: 0, userBias: [], itemBias: [],
                           userFactors: Matrix(rows: users.ids.count, columns: users.rank, storage: users.values),
                           itemFactors: Matrix(rows: items.ids.count, columns: items.rank, storage: items.values),
                           foldIn: foldIn)
    }

    /// A JSON number as JSONSerialization returns it; nil for anything else, true and false included.
    static func jsonNumber(_ value: Any) -> Double? {
        guard !isJSONBool(value), let n = value as? NSNumber else { return nil }
        return n.doubleValue
    }

    /// Whether JSONSerialization read `value` from `true` or `false` (a boolean NSNumber, which also casts to numbers).
    static func isJSONBool(_ value: Any) -> Bool {
        String(describing: type(of: value)).contains("Boolean")
    }

    /// What `params.json` says (only what the import needs).
    struct Parameters {
        var rank: Int?
        var maxIter: Int?
        var regParam: Float = 0.1
        var alpha: Float = 1
        var implicitPrefs = false
        var seed: Int?
    }

    static func readParameters(_ url: URL) throws -> Parameters {
        var p = Parameters()
        guard FileManager.default.fileExists(atPath: url.path) else { return p }
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError.unreadable(file: file, reason: "cannot read: \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw DataError.malformed(file: file, line: 1, field: "params", reason: "is not a JSON object")
        }
        func number(_ key: String, integer: Bool = false) throws -> Double? {
            guard let raw = dict[key] else { return nil }
            guard let n = jsonNumber(raw), n.isFinite, n >= 0, !integer || n == n.rounded() else {
                throw DataError.malformed(file: file, line: 1, field: key,
                                          reason: "is not a non-negative \(integer ? "integer" : "number") (got \(raw))")
            }
            return n
        }
        p.rank = try number("rank", integer: true).map { Int($0) }
        p.maxIter = try number("maxIter", integer: true).map { Int($0) }
        p.regParam = try number("regParam").map { Float($0) } ?? p.regParam
        p.alpha = try number("alpha").map { Float($0) } ?? p.alpha
        p.seed = try number("seed", integer: true).map { Int($0) }
        if let raw = dict["implicitPrefs"] {
            guard isJSONBool(raw), let b = raw as? Bool else {
                throw DataError.malformed(file: file, line: 1, field: "implicitPrefs", reason: "is not true or false (got \(raw))")
            }
            p.implicitPrefs = b
        }
        return p
    }

    /// The identifiers of `user_ids.csv` (or `item_ids.csv`), or nil when the file is absent.
    static func readIDList(_ url: URL, header: String) throws -> [String]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let lines = try textLines(url)
        guard lines.first == header else {
            throw DataError.malformed(file: url.path, line: 1, field: "header", reason: "is not '\(header)'")
        }
        return try lines.dropFirst().enumerated().map { try unquote($1, file: url.path, line: $0 + 2, field: header) }
    }

    private static func unquote(_ field: String, file: String, line: Int, field name: String) throws -> String {
        guard field.hasPrefix("\"") else { return field }
        guard field.count >= 2, field.hasSuffix("\"") else {
            throw DataError.malformed(file: file, line: line, field: name, reason: "has an unterminated quote")
        }
        return String(field.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }

    /// The lines of a text file, without line ends; a last empty line (after the final newline) is dropped.
    private static func textLines(_ url: URL) throws -> [String] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError.unreadable(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.unreadable(file: url.path, reason: "is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Factors read from Spark's JSON lines, ordered by Spark's number.
    struct FactorTable {
        var ids: [String]
        var values: [Float]
        var rank: Int
        var firstFile: String
    }

    /// The files of a factor table: `url` itself if it is a file, `url.json` if that exists, or the `part-*` files of
    /// the folder `url` (Spark's output), by name.
    static func factorFiles(_ url: URL) throws -> [URL] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return [url] }
            let names = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
            let parts = names.filter { $0.hasPrefix("part-") && !$0.hasSuffix(".crc") }.sorted()
            guard !parts.isEmpty else {
                throw DataError.unreadable(file: url.path, reason: "holds no part-* files of factors (Spark's JSON output)")
            }
            return parts.map { url.appendingPathComponent($0) }
        }
        let single = url.appendingPathExtension("json")
        if fm.fileExists(atPath: single.path) { return [single] }
        throw DataError.unreadable(file: url.path, reason: "not found: expected Spark's \(url.lastPathComponent) folder of JSON lines")
    }

    /// Reads `{"id": N, "features": [...]}` lines; `names` maps Spark's numbers to identifiers when given.
    static func readFactors(_ url: URL, names: [String]?, what: String) throws -> FactorTable {
        let files = try factorFiles(url)
        var rows: [(number: Int, id: String, features: [Float])] = []
        var rank: Int?
        var firstLine: [String: (file: String, line: Int)] = [:]
        for file in files {
            let lines = try textLines(file)
            for (n, text) in lines.enumerated() where !text.trimmingCharacters(in: .whitespaces).isEmpty {
                let line = n + 1
                func bad(_ field: String, _ reason: String) -> DataError {
                    .malformed(file: file.path, line: line, field: field, reason: reason)
                }
                guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
                      let dict = object as? [String: Any] else {
                    throw bad("line", "is not a JSON object like {\"id\": 1, \"features\": [0.5, 0.25]}")
                }
                guard let rawID = dict["id"] else { throw bad("id", "is missing") }
                guard let idNumber = jsonNumber(rawID), let number = Int(exactly: idNumber) else {
                    throw bad("id", "is not an integer (got \(rawID))")
                }
                if let names, !names.indices.contains(number) {
                    throw bad("id", "\(number) has no line in \(what)_ids.csv (\(names.count) \(what)s)")
                }
                let id = names?[number] ?? String(number)
                guard let rawFeatures = dict["features"] else { throw bad("features", "is missing") }
                guard let list = rawFeatures as? [Any] else { throw bad("features", "is not a list of numbers") }
                let features = try list.enumerated().map { k, v -> Float in
                    guard let x = jsonNumber(v), Float(x).isFinite else { throw bad("features[\(k)]", "is not a finite number (got \(v))") }
                    return Float(x)
                }
                if let rank, features.count != rank {
                    throw bad("features", "has \(features.count) values; the first \(what) has \(rank)")
                }
                rank = features.count
                if let first = firstLine[id] {
                    throw bad("id", "\(what) \(id) appears a second time (first at \(first.file):\(first.line))")
                }
                firstLine[id] = (file.path, line)
                rows.append((number, id, features))
            }
        }
        guard let rank else {
            throw DataError.unreadable(file: url.path, reason: "holds no \(what) factors")
        }
        rows.sort { $0.number < $1.number }
        return FactorTable(ids: rows.map(\.id), values: rows.flatMap(\.features), rank: rank, firstFile: files[0].path)
    }

    /// The seen items of each user from the ratings Spark trained on.
    static func seenRows(_ ratings: RatingSet?, file: String, users: IDMap, items: IDMap) throws -> SparseRows {
        guard let ratings, !ratings.isEmpty else {
            return SparseRows(offsets: [Int](repeating: 0, count: users.count + 1), indices: [], values: [])
        }
        // Map the rating set's own indices to the model's, refusing users and items Spark has no factors for.
        func mapping(_ own: IDMap, to model: IDMap, what: String, of positions: [Int32]) throws -> [Int32] {
            try own.ids.enumerated().map { index, id in
                guard let m = model.index(of: id) else {
                    let n = (positions.firstIndex(of: Int32(index)) ?? 0) + 1
                    throw DataError.unreadable(file: file, reason: "\(what) \(id) of rating number \(n) has no factors in the Spark output: these are not the ratings Spark trained on")
                }
                return Int32(m)
            }
        }
        let u = try mapping(ratings.users, to: users, what: "user", of: ratings.userIndices)
        let i = try mapping(ratings.items, to: items, what: "item", of: ratings.itemIndices)
        var perUser = [[(item: Int32, value: Float)]](repeating: [], count: users.count)
        for n in 0..<ratings.count {
            perUser[Int(u[Int(ratings.userIndices[n])])].append((i[Int(ratings.itemIndices[n])], ratings.values[n]))
        }
        var offsets = [0], indices: [Int32] = [], values: [Float] = []
        for row in perUser {
            // One entry per item (a repeated pair keeps its last value), sorted by item.
            var last: [Int32: Float] = [:]
            for (item, value) in row { last[item] = value }
            for item in last.keys.sorted() {
                indices.append(item)
                values.append(last[item]!)
            }
            offsets.append(indices.count)
        }
        return SparseRows(offsets: offsets, indices: indices, values: values)
    }
}

/// Spark ALS's parameters, from Latent's hyperparameter names.
///
/// | Latent (`als` / `implicit-als`) | Spark | when not given |
/// | --- | --- | --- |
/// | `factors` | `rank` | 10 |
/// | `regularization` | `regParam` | 0.1 |
/// | `iterations` | `maxIter` | 10 |
/// | `alpha` (implicit-als) | `alpha` | 1.0 |
/// | the model | `implicitPrefs` | false for als, true for implicit-als |
/// | `--seed` | `seed` | |
///
/// The defaults are Spark's own, not Latent's: Spark's `regParam` multiplies each row's count of ratings (ALS-WR),
/// so Latent's defaults would mean another model. Spark's ALS fits no biases, so `bias-regularization` and the other
/// hyperparameters of Latent's own solvers have no counterpart and are refused.
public struct SparkALSParameters: Sendable, Equatable {
    public var rank: Int
    public var regParam: Float
    public var maxIter: Int
    public var alpha: Float
    public var implicitPrefs: Bool
    public var seed: UInt64

    /// The command-line arguments of `scripts/spark-als.py` for these parameters.
    public var scriptArguments: [String] {
        ["--rank", "\(rank)", "--reg-param", "\(regParam)", "--max-iter", "\(maxIter)", "--alpha", "\(alpha)",
         "--seed", "\(seed % UInt64(Int64.max))"] + (implicitPrefs ? ["--implicit-prefs"] : [])
    }
}

extension SparkALSParameters {
    /// The parameters for training `model` (`als` or `implicit-als`) with `hyperparameters`.
    ///
    /// - Throws: ``TrainingError/unknownModel(name:known:)`` for another model,
    ///   ``TrainingError/unknownHyperparameter(name:known:)`` for a name Spark has no counterpart for, and
    ///   ``TrainingError/invalidHyperparameter(name:value:reason:)`` for a bad value.
    public init(model: String, hyperparameters given: Hyperparameters, seed: UInt64) throws {
        guard SparkALS.models.contains(model) else { throw TrainingError.unknownModel(name: model, known: SparkALS.models) }
        let implicit = model == "implicit-als"
        let h = try given.canonical(for: try ModelRegistry.descriptor(named: model).parameters)
        let known = ["factors", "regularization", "iterations"] + (implicit ? ["alpha"] : [])
        for name in h.values.keys.sorted() where !known.contains(name) {
            throw TrainingError.unknownHyperparameter(name: name, known: known)
        }
        func number<T: LosslessStringConvertible & Comparable>(_ name: String, _ fallback: T, _ range: ClosedRange<T>) throws -> T {
            guard let text = h.values[name] else { return fallback }
            guard let v = T(text), range.contains(v) else {
                throw TrainingError.invalidHyperparameter(name: name, value: text, reason: "must be a number in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }
        self.init(rank: try number("factors", 10, 1...100_000),
                  regParam: try number("regularization", Float(0.1), 0...Float.greatestFiniteMagnitude),
                  maxIter: try number("iterations", 10, 1...100_000),
                  alpha: implicit ? try number("alpha", Float(1), 0...Float.greatestFiniteMagnitude) : 1,
                  implicitPrefs: implicit, seed: seed)
    }
}
