/// The result of one train/test fold of a ranking evaluation: protocol T's metrics and the fit time.
public struct RankingFoldReport: Sendable, Equatable, Codable {
    /// The metrics on the fold's test part.
    public var evaluation: RankingEvaluation
    /// Seconds spent fitting the model on the fold's training part.
    public var fitSeconds: Double

    /// A fold report from its parts.
    public init(evaluation: RankingEvaluation, fitSeconds: Double) {
        self.evaluation = evaluation
        self.fitSeconds = fitSeconds
    }

    enum CodingKeys: String, CodingKey { case fitSeconds = "fit_seconds" }

    /// Encodes flat: the metric keys of ``RankingEvaluation`` (`precision`, `recall`, `ndcg`, `map`, `hit_rate`,
    /// `auc`, `coverage`, `k`, `users`) beside `fit_seconds`.
    public func encode(to encoder: any Encoder) throws {
        try evaluation.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fitSeconds, forKey: .fitSeconds)
    }

    public init(from decoder: any Decoder) throws {
        evaluation = try RankingEvaluation(from: decoder)
        fitSeconds = try decoder.container(keyedBy: CodingKeys.self).decode(Double.self, forKey: .fitSeconds)
    }
}

/// The result of evaluating a model's rankings over one or more folds; encodes as the JSON object
/// `latent evaluate --task ranking --json` prints: `{"model", "task": "ranking", "k", "relevance_threshold",
/// "precision", "recall", "ndcg", "map", "hit_rate", "auc", "coverage", "users", "fit_seconds", "folds": [...]}` with
/// the means over folds at the top (`users` summed) and each fold's figures under `folds`.
public struct RankingEvaluationReport: Sendable, Equatable, Codable {
    /// The model's name.
    public var model: String
    /// Always `ranking`.
    public var task: String = ModelTask.ranking.rawValue
    /// The test ratings at or above this value were relevant.
    public var relevanceThreshold: Float
    /// The mean of each metric over the folds.
    public var mean: RankingEvaluation
    /// The mean fit time over folds, in seconds.
    public var fitSeconds: Double
    /// Each fold's figures.
    public var folds: [RankingFoldReport]

    /// The report of `folds`, with the means computed from them.
    public init(model: String, relevanceThreshold: Float, folds: [RankingFoldReport]) {
        self.model = model
        self.relevanceThreshold = relevanceThreshold
        self.folds = folds
        mean = RankingEvaluation.mean(folds.map(\.evaluation))
        fitSeconds = folds.isEmpty ? 0 : folds.map(\.fitSeconds).reduce(0, +) / Double(folds.count)
    }

    enum CodingKeys: String, CodingKey {
        case model, task, folds
        case relevanceThreshold = "relevance_threshold"
        case fitSeconds = "fit_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        try mean.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(task, forKey: .task)
        try c.encode(relevanceThreshold, forKey: .relevanceThreshold)
        try c.encode(fitSeconds, forKey: .fitSeconds)
        try c.encode(folds, forKey: .folds)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        task = try c.decode(String.self, forKey: .task)
        relevanceThreshold = try c.decode(Float.self, forKey: .relevanceThreshold)
        fitSeconds = try c.decode(Double.self, forKey: .fitSeconds)
        folds = try c.decode([RankingFoldReport].self, forKey: .folds)
        mean = try RankingEvaluation(from: decoder)
    }
}

/// Protocol T of Latent's measurements, as a library function the command line and the benchmark share: train on
/// every pair of the training part as an interaction of weight 1, rank all items each user did not interact with,
/// and judge against the test items that user rated at or above the relevance threshold.
public enum RankingProtocol {
    /// Fits `model` on `train` (every observation an interaction of weight 1, or as `conversion` says) and evaluates
    /// the ranking on `test`.
    public static func evaluate(model: ModelDescriptor, hyperparameters: Hyperparameters = Hyperparameters(),
                                train: RatingSet, test: RatingSet, k: Int = 10, relevanceThreshold: Float = 4,
                                conversion: InteractionConversion = .allPairs, duplicates: DuplicatePolicy = .keepLast,
                                context: TrainingContext = TrainingContext()) throws -> RankingFoldReport {
        try crossValidate(model: model, hyperparameters: hyperparameters, splits: [TrainTestSplit(train: train, test: test)],
                          k: k, relevanceThreshold: relevanceThreshold, conversion: conversion, duplicates: duplicates,
                          context: context).folds[0]
    }

    /// Protocol T on every split (``CrossValidation/run(_:splits:inputs:hyperparameters:context:training:measure:onFold:)``);
    /// `onFold` is called after each fold with its index (from 0) and figures.
    public static func crossValidate(model: ModelDescriptor, inputs: ModelInputs = ModelInputs(),
                                     hyperparameters: Hyperparameters = Hyperparameters(),
                                     splits: [TrainTestSplit], k: Int = 10, relevanceThreshold: Float = 4,
                                     conversion: InteractionConversion = .allPairs, duplicates: DuplicatePolicy = .keepLast,
                                     context: TrainingContext = TrainingContext(),
                                     onFold: ((Int, RankingFoldReport) -> Void)? = nil) throws -> RankingEvaluationReport {
        guard k >= 1 else { throw RankingEvaluationError.invalidCutoff(k) }
        let folds = try CrossValidation.run(
            model, splits: splits, inputs: inputs, hyperparameters: hyperparameters, context: context,
            training: { RatingMatrix($0.interactions(conversion), duplicates: duplicates) }, measure: { fitted, test, seconds in
                RankingFoldReport(evaluation: try fitted.evaluateRanking(on: test, k: k, relevanceThreshold: relevanceThreshold,
                                                                         threads: context.threads), fitSeconds: seconds)
            }, onFold: onFold)
        return RankingEvaluationReport(model: model.name, relevanceThreshold: relevanceThreshold, folds: folds)
    }
}
