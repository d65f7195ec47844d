/// The result of one train/test fold of a rating evaluation.
public struct RatingFoldReport: Sendable, Equatable, Codable {
    /// Root mean squared error of the clipped predictions on the fold's test part.
    public var rmse: Double
    /// Mean absolute error of the clipped predictions on the fold's test part.
    public var mae: Double
    /// Seconds spent fitting the model on the fold's training part.
    public var fitSeconds: Double
    /// The number of test ratings.
    public var testCount: Int
    /// How many test ratings had a user the model does not know (predicted by its fallback).
    public var unknownUsers: Int
    /// How many test ratings had an item the model does not know (predicted by its fallback).
    public var unknownItems: Int

    enum CodingKeys: String, CodingKey {
        case rmse, mae
        case fitSeconds = "fit_seconds"
        case testCount = "test_count"
        case unknownUsers = "unknown_users"
        case unknownItems = "unknown_items"
    }

    /// A fold report from its parts.
    public init(rmse: Double, mae: Double, fitSeconds: Double, testCount: Int, unknownUsers: Int = 0, unknownItems: Int = 0) {
        self.rmse = rmse
        self.mae = mae
        self.fitSeconds = fitSeconds
        self.testCount = testCount
        self.unknownUsers = unknownUsers
        self.unknownItems = unknownItems
    }
}

/// The result of evaluating a model's rating predictions over one or more folds; encodes as the JSON object
/// `latent evaluate --json` prints: `{"model", "task", "rmse", "mae", "fit_seconds", "folds": [...]}` with the means
/// over folds at the top.
public struct RatingEvaluationReport: Sendable, Equatable, Codable {
    /// The model's name.
    public var model: String
    /// Always `rating`.
    public var task: String = ModelTask.rating.rawValue
    /// The mean RMSE over folds.
    public var rmse: Double
    /// The mean MAE over folds.
    public var mae: Double
    /// The mean fit time over folds, in seconds.
    public var fitSeconds: Double
    /// Each fold's figures.
    public var folds: [RatingFoldReport]

    enum CodingKeys: String, CodingKey {
        case model, task, rmse, mae, folds
        case fitSeconds = "fit_seconds"
    }

    /// The report of `folds`, with the means computed from them.
    public init(model: String, folds: [RatingFoldReport]) {
        self.model = model
        self.folds = folds
        let n = Double(max(1, folds.count))
        rmse = folds.map(\.rmse).reduce(0, +) / n
        mae = folds.map(\.mae).reduce(0, +) / n
        fitSeconds = folds.map(\.fitSeconds).reduce(0, +) / n
    }
}

/// Evaluation of any model over given train/test splits (given files, a holdout, or k folds), for either task.
public enum CrossValidation {
    /// The one loop (like Surprise's `cross_validate`): for each split, fits `descriptor` on `training(split.train)`,
    /// timing the fit, and measures the fitted model on `split.test` with `measure` (model, test part, fit seconds).
    ///
    /// - Parameters:
    ///   - descriptor: the model to fit.
    ///   - splits: the train/test splits.
    ///   - inputs: what the model needs besides the ratings (item features).
    ///   - hyperparameters: the model's hyperparameters (defaults for those not given).
    ///   - context: the training context of every fold.
    ///   - training: the matrix a training part is fitted on (ratings, or interactions).
    ///   - measure: the fold's figures from the fitted model, the test part and the fit seconds.
    ///   - onFold: called after each fold with its index (from 0) and figures, e.g. to print them as they come.
    public static func run<Fold>(
        _ descriptor: ModelDescriptor, splits: [TrainTestSplit], inputs: ModelInputs = ModelInputs(),
        hyperparameters: Hyperparameters = Hyperparameters(), context: TrainingContext = TrainingContext(),
        training: (RatingSet) -> RatingMatrix, measure: (any Recommender, RatingSet, Double) throws -> Fold,
        onFold: ((Int, Fold) -> Void)? = nil
    ) throws -> [Fold] {
        let clock = ContinuousClock()
        var folds: [Fold] = []
        for (f, split) in splits.enumerated() {
            let data = training(split.train)
            let start = clock.now
            let model = try descriptor.fit(data, inputs: inputs, hyperparameters: hyperparameters, context: context)
            let fold = try measure(model, split.test, start.duration(to: clock.now).seconds)
            onFold?(f, fold)
            folds.append(fold)
        }
        return folds
    }

    /// Fits `descriptor` on each split's training part and measures RMSE and MAE on its test part.
    ///
    /// - Parameters:
    ///   - descriptor: the model to fit.
    ///   - splits: the train/test splits.
    ///   - inputs: what the model needs besides the ratings (item features).
    ///   - hyperparameters: the model's hyperparameters (defaults for those not given).
    ///   - duplicates: how repeated (user, item) pairs of a training part are folded.
    ///   - context: the training context of every fold (its rating scale clips the predictions).
    ///   - onFold: called after each fold with its index (from 0) and figures.
    public static func evaluateRatings(
        _ descriptor: ModelDescriptor, splits: [TrainTestSplit], inputs: ModelInputs = ModelInputs(),
        hyperparameters: Hyperparameters = Hyperparameters(), duplicates: DuplicatePolicy = .keepLast,
        context: TrainingContext = TrainingContext(), onFold: ((Int, RatingFoldReport) -> Void)? = nil
    ) throws -> RatingEvaluationReport {
        let folds = try run(descriptor, splits: splits, inputs: inputs, hyperparameters: hyperparameters, context: context,
                            training: { RatingMatrix($0, duplicates: duplicates, keepingTimes: descriptor.usesTimes(hyperparameters)) },
                            measure: { model, test, seconds in
            let e = model.evaluateRatings(on: test)
            return RatingFoldReport(rmse: e.rmse, mae: e.mae, fitSeconds: seconds, testCount: e.count,
                                    unknownUsers: e.unknownUsers, unknownItems: e.unknownItems)
        }, onFold: onFold)
        return RatingEvaluationReport(model: descriptor.name, folds: folds)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
