import ArgumentParser
import Foundation
import Latent

/// `latent evaluate`: train and measure a model on given train/test files, a holdout, or k folds, by rating error
/// (RMSE, MAE) or by ranking quality (protocol T: precision, recall, nDCG, MAP, hit rate at K, AUC, coverage).
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a model: rating error (RMSE, MAE) or ranking quality (precision, recall, nDCG, ... at K) per fold and their means.",
        discussion: """
            --model is a model name (trained and measured on each split) or a model file written by `latent train` \
            (measured on --test as it is, with no training: its fit_seconds is 0).

            For a model name, give either --train and --test, or --data with --folds K (seeded k-fold), or --data with \
            --test-fraction F (seeded holdout). The text output is a table with one row per fold, then the mean and \
            the standard deviation over the folds (divided by the number of folds).

            --task rating: predictions are clipped to the rating scale (--rating-scale, else the training data's range). \
            --task ranking (protocol T): every pair of the training part is an interaction of weight 1; each test user's \
            relevant items are those rated --relevance-threshold or more in the test part; all items the user did not \
            interact with in training are ranked, and the first --k are judged. Without --task, the model's own task \
            decides (`latent models` shows it): rating models are judged as rating, ranking models as ranking.

            Examples: latent evaluate --model biased-mf --train ml-100k/u1.base --test ml-100k/u1.test --json
                      latent evaluate --model u1.latent --test ml-100k/u1.test
                      latent evaluate --model implicit-als --task ranking --k 10 --train ml-100k/u1.base --test ml-100k/u1.test
            """)

    /// What is measured.
    enum Task: String, ExpressibleByArgument, CaseIterable {
        case rating, ranking
    }

    /// How `--data` is split when no test file is given.
    enum SplitKind: String, ExpressibleByArgument, CaseIterable {
        /// Ratings drawn at random (`--folds` or `--test-fraction`).
        case random
        /// The same fraction of each user's ratings (`--test-fraction`).
        case perUser = "per-user"
        /// Each user's latest rating by timestamp.
        case leaveLast = "leave-last"
        /// The latest fraction of all ratings by timestamp (`--test-fraction`).
        case temporal
    }

    @Option(help: "A model name (see `latent models`) to train and measure, or a model file written by `latent train` to measure on --test.")
    var model: String
    @Option(help: "The training file.") var train: String?
    @Option(help: "The test file.") var test: String?
    @Option(help: "One rating file to split.") var data: String?
    @Option(help: "Number of folds for k-fold cross-validation of --data.") var folds: Int?
    @Option(name: .customLong("test-fraction"), help: "Fraction of --data held out for testing.") var testFraction: Double?
    @Option(help: "How --data is split: random (k-fold or holdout), per-user (the same --test-fraction of each user), leave-last (each user's latest rating), temporal (the latest --test-fraction of all ratings).")
    var split: SplitKind = .random
    @Option(help: "rating: RMSE and MAE; ranking: precision, recall, nDCG, MAP, hit rate at K, AUC, coverage (default: the model's task).")
    var task: Task?
    @Option(help: "Ranking: the length K of each user's list (default 10).") var k: Int?
    @Option(name: .customLong("relevance-threshold"), help: "Ranking: test ratings at or above this are relevant (default 4).")
    var relevanceThreshold: Float?
    @Flag(help: """
        Print one JSON object: rating {"model", "task", "rmse", "mae", "fit_seconds", "folds": [...]}; ranking {"model",         "task", "k", "relevance_threshold", "precision", "recall", "ndcg", "map", "hit_rate", "auc", "coverage", "users",         "fit_seconds", "folds": [...]}.
        """) var json = false
    @OptionGroup(title: "Reading") var reading: DataOptions
    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Model inputs") var inputs: ModelInputOptions
    @OptionGroup(title: "Run") var execution: RunOptions

    func validate() throws {
        let files = train != nil || test != nil
        if !ModelRegistry.names.contains(model) {
            guard ModelReference.isFile(model) else { throw ValidationError(ModelReference.neither(model)) }
            guard test != nil, train == nil, data == nil else {
                throw ValidationError("a saved model (\(model)) is measured on --test FILE only: no --train or --data")
            }
        } else if files {
            guard train != nil, test != nil else { throw ValidationError("--train and --test go together") }
            guard split == .random else { throw ValidationError("--split applies to --data") }
            guard data == nil, folds == nil, testFraction == nil else {
                throw ValidationError("give either --train and --test, or --data with --folds or --test-fraction")
            }
        } else {
            guard data != nil else {
                throw ValidationError("give either --train and --test, or --data with --folds or --test-fraction")
            }
            switch split {
            case .random:
                guard (folds == nil) != (testFraction == nil) else {
                    throw ValidationError("with --data, give exactly one of --folds and --test-fraction")
                }
            case .perUser, .temporal:
                guard folds == nil, testFraction != nil else {
                    throw ValidationError("--split \(split.rawValue) takes --test-fraction, not --folds")
                }
            case .leaveLast:
                guard folds == nil, testFraction == nil else {
                    throw ValidationError("--split leave-last holds out each user's latest rating: no --folds or --test-fraction")
                }
            }
            if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
            if let f = testFraction, !(f > 0 && f < 1) { throw ValidationError("--test-fraction must be between 0 and 1") }
        }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
        if let t = relevanceThreshold, !t.isFinite { throw ValidationError("--relevance-threshold must be a number") }
        if task == .rating, k != nil || relevanceThreshold != nil {
            throw ValidationError("--k and --relevance-threshold apply to --task ranking")
        }
    }

    func run() throws {
        let descriptor: ModelDescriptor
        switch try ModelReference.resolve(model) {
        case let .file(saved, path): return try evaluateSaved(saved, path: path)
        case let .name(d): descriptor = d
        }
        let task = self.task ?? (descriptor.task == .ranking ? .ranking : .rating)
        if task == .rating, k != nil || relevanceThreshold != nil {
            throw OptionError("--k and --relevance-threshold apply to --task ranking, and \(descriptor.name) is evaluated as a rating model; add --task ranking")
        }
        let h = try hyperparameters.hyperparameters()
        _ = try h.canonical(for: descriptor.parameters)
        if task == .rating, inputs.interactions != nil {
            throw OptionError("--interactions applies to ranking; \(descriptor.name) is evaluated on ratings (add --task ranking)")
        }
        let features = try inputs.readItemFeatures()

        let splits: [TrainTestSplit]
        let scale: ClosedRange<Float>?
        if let train, let test {
            let (trainSet, _) = try reading.read(train)
            let (testSet, _) = try reading.read(test)
            splits = [TrainTestSplit(train: trainSet, test: testSet)]
            scale = reading.scale(for: trainSet)
        } else {
            let (set, _) = try reading.read(data!)
            scale = reading.scale(for: set)
            switch split {
            case .random:
                if let folds {
                    do {
                        try Splits.checkKFold(count: set.count, folds: folds, timestamps: set.timestamps != nil)
                    } catch let error as LimitError {
                        throw OptionError("--folds: \(error)")
                    }
                    splits = Splits.kFold(set, folds: folds, seed: execution.seed)
                } else {
                    splits = [Splits.holdout(set, testFraction: testFraction!, seed: execution.seed)]
                }
            case .perUser: splits = [try RankingSplits.perUserHoldout(set, testFraction: testFraction!, seed: execution.seed)]
            case .leaveLast: splits = [try RankingSplits.leaveLastOut(set)]
            case .temporal: splits = [try RankingSplits.temporal(set, testFraction: testFraction!)]
            }
        }

        let bar = execution.progressBar("evaluating \(descriptor.name)")
        // Ranking trains on interactions (weight 1): scores are not ratings and are never clipped.
        let context = execution.context(ratingScale: task == .rating ? scale : nil, progress: bar)
        let modelInputs = ModelInputs(itemFeatures: features)
        switch task {
        case .rating: try evaluateRatings(descriptor, splits: splits, inputs: modelInputs, hyperparameters: h, context: context, bar: bar)
        case .ranking: try evaluateRanking(descriptor, splits: splits, inputs: modelInputs, hyperparameters: h, context: context, bar: bar)
        }
    }

    private func evaluateRatings(_ descriptor: ModelDescriptor, splits: [TrainTestSplit], inputs modelInputs: ModelInputs,
                                 hyperparameters h: Hyperparameters,
                                 context: TrainingContext, bar: ProgressBar?) throws {
        let report = try CrossValidation.evaluateRatings(
            descriptor, splits: splits, inputs: modelInputs, hyperparameters: h, duplicates: reading.duplicates, context: context
        ) { _, _ in bar?.finish() }
        try printRatings(report)
    }

    /// A saved model measured on --test as it is: rating or ranking metrics, as its task (or --task) says.
    private func evaluateSaved(_ saved: any Recommender, path: String) throws {
        let hasHyperparameters = try !hyperparameters.hyperparameters().values.isEmpty
        guard !hasHyperparameters else {
            throw OptionError("\(path) is a saved model: its hyperparameters are fixed, so hyperparameter options do not apply")
        }
        let task = self.task ?? (ModelReference.task(of: saved) == .ranking ? .ranking : .rating)
        if task == .rating, k != nil || relevanceThreshold != nil {
            throw OptionError("--k and --relevance-threshold apply to --task ranking, and \(path) is evaluated as a rating model; add --task ranking")
        }
        let (testSet, _) = try reading.read(test!)
        switch task {
        case .rating:
            let e = saved.evaluateRatings(on: testSet)
            try printRatings(RatingEvaluationReport(model: saved.name, folds: [
                RatingFoldReport(rmse: e.rmse, mae: e.mae, fitSeconds: 0, testCount: e.count,
                                 unknownUsers: e.unknownUsers, unknownItems: e.unknownItems)]))
        case .ranking:
            let threshold = relevanceThreshold ?? 4
            let e = try saved.evaluateRanking(on: testSet, k: k ?? 10, relevanceThreshold: threshold, threads: execution.threads)
            try printRanking(RankingEvaluationReport(model: saved.name, relevanceThreshold: threshold,
                                                     folds: [RankingFoldReport(evaluation: e, fitSeconds: 0)]))
        }
    }

    /// Prints a rating report: JSON, or a table of the folds with their mean and standard deviation.
    private func printRatings(_ report: RatingEvaluationReport) throws {
        let console = Console.current
        if json { return console.line(try jsonLine(report)) }
        console.line("\(report.model), \(report.folds.count) fold\(report.folds.count == 1 ? "" : "s")")
        var table = TextTable(["fold", "RMSE", "MAE", "fit s", "test ratings"])
        for (f, fold) in report.folds.enumerated() {
            table.add(["\(f + 1)", fixed(fold.rmse), fixed(fold.mae), fixed(fold.fitSeconds, 2), "\(fold.testCount)"])
        }
        if report.folds.count > 1 {
            let rmse = Spread(report.folds.map(\.rmse)), mae = Spread(report.folds.map(\.mae))
            let fit = Spread(report.folds.map(\.fitSeconds))
            table.add(["mean", fixed(rmse.mean), fixed(mae.mean), fixed(fit.mean, 2), ""])
            table.add(["sd", fixed(rmse.standardDeviation), fixed(mae.standardDeviation), fixed(fit.standardDeviation, 2), ""])
        }
        table.render().forEach { console.line($0) }
    }

    private func evaluateRanking(_ descriptor: ModelDescriptor, splits: [TrainTestSplit], inputs modelInputs: ModelInputs,
                                 hyperparameters h: Hyperparameters,
                                 context: TrainingContext, bar: ProgressBar?) throws {
        let report = try RankingProtocol.crossValidate(
            model: descriptor, inputs: modelInputs, hyperparameters: h, splits: splits, k: k ?? 10, relevanceThreshold: relevanceThreshold ?? 4,
            conversion: try inputs.interactionConversion() ?? .allPairs, duplicates: reading.duplicates, context: context
        ) { _, _ in bar?.finish() }
        try printRanking(report)
    }

    /// Prints a ranking report: JSON, or a table of the folds with their mean and standard deviation (users are
    /// counted per fold only).
    private func printRanking(_ report: RankingEvaluationReport) throws {
        let console = Console.current
        if json { return console.line(try jsonLine(report)) }
        let k = report.mean.k, folds = report.folds
        console.line("\(report.model), \(folds.count) fold\(folds.count == 1 ? "" : "s"), ranking: K = \(k), relevant = test rating >= \(report.relevanceThreshold.formatted())")
        var table = TextTable(["fold", "P@\(k)", "R@\(k)", "nDCG@\(k)", "MAP@\(k)", "HR@\(k)", "AUC", "coverage", "users", "fit s"])
        let metrics: [(RankingEvaluation) -> Double] = [\.precision, \.recall, \.ndcg, \.map, \.hitRate, \.auc, \.coverage]
        for (f, fold) in folds.enumerated() {
            table.add(["\(f + 1)"] + metrics.map { fixed($0(fold.evaluation)) } + ["\(fold.evaluation.users)", fixed(fold.fitSeconds, 2)])
        }
        if folds.count > 1 {
            let spreads = metrics.map { m in Spread(folds.map { m($0.evaluation) }) }
            let fit = Spread(folds.map(\.fitSeconds))
            table.add(["mean"] + spreads.map { fixed($0.mean) } + ["", fixed(fit.mean, 2)])
            table.add(["sd"] + spreads.map { fixed($0.standardDeviation) } + ["", fixed(fit.standardDeviation, 2)])
        }
        table.render().forEach { console.line($0) }
    }
}
