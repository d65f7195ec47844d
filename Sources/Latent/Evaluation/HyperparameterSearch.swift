import Foundation

/// What a hyperparameter search optimizes: a rating error (lower is better) or a ranking metric at K (higher is
/// better).
public enum SearchMetric: String, Sendable, CaseIterable, Codable {
    case rmse, mae
    case precision, recall, ndcg, map
    case hitRate = "hit_rate"
    case auc, coverage

    /// Rating metrics judge predicted ratings (``CrossValidation``); the others judge rankings (``RankingProtocol``).
    public var task: ModelTask { self == .rmse || self == .mae ? .rating : .ranking }

    /// Whether a smaller value is better (errors) rather than a larger one (ranking quality).
    public var lowerIsBetter: Bool { task == .rating }

    /// The metric's value in a rating fold.
    func value(_ fold: RatingFoldReport) -> Double { self == .rmse ? fold.rmse : fold.mae }

    /// The metric's value in a ranking evaluation.
    func value(_ e: RankingEvaluation) -> Double { e.metrics[rawValue] ?? .nan }
}

/// A range a random search draws a hyperparameter from: `name=low:high` (uniform) or `name=low:high:log`
/// (log-uniform: exp of a uniform draw between log low and log high, for rates and regularizations). When both
/// bounds are written as whole numbers the draws are whole numbers (uniform over low...high, or rounded
/// log-uniform).
public struct ParameterRange: Sendable, Equatable {
    /// The hyperparameter's name.
    public var name: String
    /// The smallest value.
    public var low: Double
    /// The largest value.
    public var high: Double
    /// Draw log-uniformly rather than uniformly.
    public var logarithmic: Bool
    /// Draw whole numbers.
    public var integer: Bool

    /// A range from its parts.
    public init(name: String, low: Double, high: Double, logarithmic: Bool = false, integer: Bool = false) {
        self.name = name
        self.low = low
        self.high = high
        self.logarithmic = logarithmic
        self.integer = integer
    }

    /// Parses `name=low:high` or `name=low:high:log`.
    ///
    /// - Throws: ``SearchError/invalidRange(_:reason:)`` naming the text and what is wrong with it.
    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw SearchError.invalidRange(text, reason: "is not of the form name=low:high[:log]")
        }
        let name = String(text[..<eq])
        let parts = text[text.index(after: eq)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || (parts.count == 3 && parts[2] == "log") else {
            throw SearchError.invalidRange(text, reason: "is not of the form name=low:high[:log]")
        }
        guard let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite else {
            throw SearchError.invalidRange(text, reason: "has bounds that are not finite numbers")
        }
        guard low < high else { throw SearchError.invalidRange(text, reason: "needs low < high") }
        let log = parts.count == 3
        if log, low <= 0 { throw SearchError.invalidRange(text, reason: "a :log range needs low > 0") }
        self.init(name: name, low: low, high: high, logarithmic: log,
                  integer: Int(parts[0]) != nil && Int(parts[1]) != nil)
    }

    /// One draw, as the text a hyperparameter takes.
    func draw(using rng: inout SeededGenerator) -> String {
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        let x = logarithmic ? Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low)))
                            : low + u * (high - low)
        if integer { return "\(Int(Swift.min(high, Swift.max(low, x.rounded()))))" }
        // Six significant digits: the draw is a choice, not a measurement.
        return "\(Double(String(format: "%.6g", x)) ?? x)"
    }
}

/// The configurations a search tries: the grid's every combination, or random draws.
public struct SearchSpace: Sendable, Equatable {
    /// Hyperparameters and the values to try, in the order given (`--grid factors=50,200`).
    public var grid: [(name: String, values: [String])]
    /// Ranges to draw from (random search only).
    public var ranges: [ParameterRange]
    /// The number of random configurations, or nil for the full grid.
    public var randomCount: Int?

    /// A search space.
    public init(grid: [(name: String, values: [String])] = [], ranges: [ParameterRange] = [], randomCount: Int? = nil) {
        self.grid = grid
        self.ranges = ranges
        self.randomCount = randomCount
    }

    public static func == (a: SearchSpace, b: SearchSpace) -> Bool {
        a.grid.map(\.name) == b.grid.map(\.name) && a.grid.map(\.values) == b.grid.map(\.values) && a.ranges == b.ranges
            && a.randomCount == b.randomCount
    }

    /// Parses `name=v1,v2,...` as one grid axis.
    public static func gridAxis(parsing text: String) throws -> (name: String, values: [String]) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw SearchError.invalidGrid(text, reason: "is not of the form name=v1,v2,...")
        }
        let values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.contains(where: \.isEmpty) else { throw SearchError.invalidGrid(text, reason: "has an empty value") }
        guard Set(values).count == values.count else { throw SearchError.invalidGrid(text, reason: "lists a value twice") }
        return (String(text[..<eq]), values)
    }

    /// The configurations to try, over `base` (fixed hyperparameters).
    ///
    /// The grid gives every combination, the first axis varying slowest. A random search draws `randomCount`
    /// configurations from `seed`: each range as ``ParameterRange`` says, each grid axis one of its values uniformly.
    ///
    /// - Throws: ``SearchError`` for a name given twice, for ranges without a random count, or for an empty space.
    public func configurations(over base: Hyperparameters = Hyperparameters(), seed: UInt64 = 42) throws -> [Hyperparameters] {
        let names = grid.map(\.name) + ranges.map(\.name)
        if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw SearchError.repeatedName(twice)
        }
        if let fixed = names.first(where: { base.values[$0] != nil }) { throw SearchError.repeatedName(fixed) }
        guard let count = randomCount else {
            guard ranges.isEmpty else { throw SearchError.rangesNeedRandom }
            guard !grid.isEmpty else { throw SearchError.emptySpace }
            var all = [base]
            for axis in grid {
                all = all.flatMap { h in axis.values.map { v in var c = h; c.values[axis.name] = v; return c } }
            }
            return all
        }
        guard count >= 1 else { throw SearchError.emptySpace }
        guard !grid.isEmpty || !ranges.isEmpty else { throw SearchError.emptySpace }
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var c = base
            for axis in grid { c.values[axis.name] = axis.values[Int(rng.next() % UInt64(axis.values.count))] }
            for r in ranges { c.values[r.name] = r.draw(using: &rng) }
            return c
        }
    }
}

/// One configuration's figures in a search: the metric on every fold, their mean and standard deviation.
public struct SearchResult: Sendable, Equatable, Codable {
    /// The hyperparameters that vary in the search (those fixed for all configurations are left out).
    public var hyperparameters: [String: String]
    /// The metric's mean and standard deviation over the folds.
    public var mean: Double
    /// See ``mean``.
    public var standardDeviation: Double
    /// The metric on each fold, in fold order.
    public var folds: [Double]
    /// The mean fit time over the folds, in seconds.
    public var fitSeconds: Double

    enum CodingKeys: String, CodingKey {
        case hyperparameters, mean, folds
        case standardDeviation = "sd"
        case fitSeconds = "fit_seconds"
    }

    /// A result from the metric on each fold.
    public init(hyperparameters: [String: String], folds: [Double], fitSeconds: Double) {
        self.hyperparameters = hyperparameters
        self.folds = folds
        let s = Spread(folds)
        mean = s.mean
        standardDeviation = s.standardDeviation
        self.fitSeconds = fitSeconds
    }
}

/// The outcome of a search: every configuration, best first, as `latent tune --json` prints it.
public struct SearchReport: Sendable, Equatable, Codable {
    /// The model's name.
    public var model: String
    /// The metric the configurations are ranked by.
    public var metric: SearchMetric
    /// The number of train/test splits every configuration was measured on.
    public var splits: Int
    /// Every configuration, best first (ties keep the order of the search space).
    public var results: [SearchResult]
    /// The best configuration (the first of ``results``).
    public var best: SearchResult

    enum CodingKeys: String, CodingKey { case model, metric, splits = "folds", results, best }
}

/// Hyperparameter search by cross-validation, as scikit-learn's `GridSearchCV` and Surprise's `GridSearchCV`: every
/// configuration is fitted and measured on the same train/test splits (made once, from one seed, by the caller), and
/// the configurations are ranked by the mean of the metric over the splits.
public enum HyperparameterSearch {
    /// Measures every configuration on every split and ranks them.
    ///
    /// - Parameters:
    ///   - descriptor: the model to search.
    ///   - splits: the train/test splits every configuration is measured on.
    ///   - configurations: the hyperparameters to try (``SearchSpace/configurations(over:seed:)``).
    ///   - inputs: what the model needs besides the ratings (item features).
    ///   - metric: what ranks them; rating metrics fit on the ratings and clip to `context.ratingScale`, ranking
    ///     metrics fit on the interactions of `conversion` (protocol T) with no scale.
    ///   - k: the ranking protocol's cut-off K (ranking metrics only).
    ///   - relevanceThreshold: test ratings at or above it are relevant (ranking metrics only).
    ///   - conversion: how ratings become interactions (ranking metrics only).
    ///   - duplicates: how repeated (user, item) pairs of a training part are folded.
    ///   - context: the seed every fit uses, and `threads`, the threads of the whole search: up to that many
    ///     configurations are measured at once, each fit getting an equal share of the threads. The result depends
    ///     on the seed and the thread count only.
    ///   - onResult: called (serially, in completion order) after each configuration with the number done so far and
    ///     its result, e.g. to show progress.
    public static func run(
        _ descriptor: ModelDescriptor, configurations: [Hyperparameters], splits: [TrainTestSplit], metric: SearchMetric,
        inputs: ModelInputs = ModelInputs(), k: Int = 10, relevanceThreshold: Float = 4, conversion: InteractionConversion = .allPairs,
        duplicates: DuplicatePolicy = .keepLast, context: TrainingContext = TrainingContext(),
        onResult: (@Sendable (Int, SearchResult) -> Void)? = nil
    ) throws -> SearchReport {
        guard !configurations.isEmpty else { throw SearchError.emptySpace }
        guard !splits.isEmpty else { throw SearchError.noSplits }
        let configurations = try configurations.map { try $0.canonical(for: descriptor.parameters) }
        // The hyperparameters that vary: the ones a reader needs to tell configurations apart.
        let names = Set(configurations.flatMap(\.values.keys))
        let varying = names.filter { n in Set(configurations.map { $0.values[n] ?? "" }).count > 1 || configurations.count == 1 }

        let concurrent = max(1, min(context.threads, configurations.count))
        var perFit = context
        perFit.threads = max(1, context.threads / concurrent)
        perFit.progress = nil
        if metric.task == .ranking { perFit.ratingScale = nil }

        // Each configuration's outcome, and how many are done.
        let outcomes = Locked((results: [Result<SearchResult, any Error>?](repeating: nil, count: configurations.count), done: 0))
        Parallel.run(concurrent) { t in
            for c in stride(from: t, to: configurations.count, by: concurrent) {
                let h = configurations[c]
                let result = Result { () throws -> SearchResult in
                    let (folds, fitSeconds): ([Double], Double)
                    switch metric.task {
                    case .rating:
                        let r = try CrossValidation.evaluateRatings(descriptor, splits: splits, inputs: inputs, hyperparameters: h,
                                                                    duplicates: duplicates, context: perFit)
                        (folds, fitSeconds) = (r.folds.map(metric.value), r.fitSeconds)
                    case .ranking:
                        let r = try RankingProtocol.crossValidate(
                            model: descriptor, inputs: inputs, hyperparameters: h, splits: splits, k: k, relevanceThreshold: relevanceThreshold,
                            conversion: conversion, duplicates: duplicates, context: perFit)
                        (folds, fitSeconds) = (r.folds.map { metric.value($0.evaluation) }, r.fitSeconds)
                    }
                    return SearchResult(hyperparameters: h.values.filter { varying.contains($0.key) }, folds: folds, fitSeconds: fitSeconds)
                }
                let done = outcomes.withLock { o in
                    o.results[c] = result
                    o.done += 1
                    return o.done
                }
                if case let .success(r) = result { onResult?(done, r) }
            }
        }
        // In configuration order; the first configuration's error (in that order) if any failed.
        let results = try outcomes.withLock { try $0.results.map { try $0!.get() } }
        // Best first; NaN (a diverged fit) last; ties in the order of the space.
        let order = results.indices.sorted { a, b in
            let x = results[a].mean, y = results[b].mean
            if x.isNaN != y.isNaN { return !x.isNaN }
            if x != y, !x.isNaN { return metric.lowerIsBetter ? x < y : x > y }
            return a < b
        }
        let sorted = order.map { results[$0] }
        return SearchReport(model: descriptor.name, metric: metric, splits: splits.count, results: sorted, best: sorted[0])
    }
}

/// Mistakes in a search's setup.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// A `--grid` that does not parse.
    case invalidGrid(String, reason: String)
    /// A `--range` that does not parse.
    case invalidRange(String, reason: String)
    /// A hyperparameter searched twice, or both searched and fixed.
    case repeatedName(String)
    /// Ranges were given without a number of random configurations.
    case rangesNeedRandom
    /// Nothing to search.
    case emptySpace
    /// No train/test split.
    case noSplits

    public var description: String {
        switch self {
        case let .invalidGrid(text, reason): return "--grid '\(text)' \(reason)"
        case let .invalidRange(text, reason): return "--range '\(text)' \(reason)"
        case let .repeatedName(name): return "the hyperparameter \(name) is given more than once (in --grid, --range or as a fixed value)"
        case .rangesNeedRandom: return "--range draws random configurations: give --random N too"
        case .emptySpace: return "nothing to search: give --grid name=v1,v2,... or --random N with --range name=low:high"
        case .noSplits: return "no train/test split to measure the configurations on"
        }
    }
}
