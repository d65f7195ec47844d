/// One fold of a ranking evaluation: the metrics and the time the fit took.
public struct RankingFoldResult: Sendable {
    /// The metrics on the fold's test part.
    public var evaluation: RankingEvaluation
    /// Seconds spent fitting the model.
    public var fitSeconds: Double

    /// A fold result from its parts.
    public init(evaluation: RankingEvaluation, fitSeconds: Double) {
        self.evaluation = evaluation
        self.fitSeconds = fitSeconds
    }
}

/// The ranking evaluation of a model over one or more folds: per-fold results and their means.
public struct RankingReport: Sendable {
    /// The model's name.
    public var model: String
    /// Each fold's result, in order.
    public var folds: [RankingFoldResult]

    /// A report from its parts.
    public init(model: String, folds: [RankingFoldResult]) {
        self.model = model
        self.folds = folds
    }

    /// The mean of each metric over the folds.
    public var mean: RankingEvaluation { RankingEvaluation.mean(folds.map(\.evaluation)) }
    /// The mean fit time per fold, in seconds.
    public var meanFitSeconds: Double { folds.isEmpty ? 0 : folds.reduce(0) { $0 + $1.fitSeconds } / Double(folds.count) }

    /// The report as a JSON-ready dictionary: every metric name of ``RankingEvaluation/metrics`` (means over the
    /// folds) at the top, plus `k`, `users`, `fit_seconds`, `model`, and `folds`, a list of per-fold objects with the
    /// same metric keys.
    public var jsonObject: [String: any Sendable] {
        var o: [String: any Sendable] = [:]
        let m = mean
        for (key, value) in m.metrics { o[key] = value }
        o["k"] = m.k
        o["model"] = model
        o["fit_seconds"] = meanFitSeconds
        o["folds"] = folds.map { f -> [String: any Sendable] in
            var d: [String: any Sendable] = [:]
            for (key, value) in f.evaluation.metrics { d[key] = value }
            d["users"] = f.evaluation.users
            d["fit_seconds"] = f.fitSeconds
            return d
        }
        return o
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
                                conversion: InteractionConversion = .allPairs,
                                context: TrainingContext = TrainingContext()) throws -> RankingFoldResult {
        guard k >= 1 else { throw RankingEvaluationError.invalidCutoff(k) }
        let matrix = RatingMatrix(train.interactions(conversion))
        let clock = ContinuousClock()
        let start = clock.now
        let fitted = try model.fit(matrix, hyperparameters: hyperparameters, context: context)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let evaluation = try fitted.evaluateRanking(on: test, k: k, relevanceThreshold: relevanceThreshold,
                                                    threads: context.threads)
        return RankingFoldResult(evaluation: evaluation, fitSeconds: seconds)
    }

    /// ``evaluate(model:hyperparameters:train:test:k:relevanceThreshold:conversion:context:)`` on every split.
    public static func crossValidate(model: ModelDescriptor, hyperparameters: Hyperparameters = Hyperparameters(),
                                     splits: [TrainTestSplit], k: Int = 10, relevanceThreshold: Float = 4,
                                     conversion: InteractionConversion = .allPairs,
                                     context: TrainingContext = TrainingContext()) throws -> RankingReport {
        var folds: [RankingFoldResult] = []
        for s in splits {
            folds.append(try evaluate(model: model, hyperparameters: hyperparameters, train: s.train, test: s.test, k: k,
                                      relevanceThreshold: relevanceThreshold, conversion: conversion, context: context))
        }
        return RankingReport(model: model.name, folds: folds)
    }
}
