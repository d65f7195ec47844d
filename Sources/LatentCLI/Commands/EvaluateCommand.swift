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
            Give either --train and --test, or --data with --folds K (seeded k-fold), or --data with --test-fraction F \
            (seeded holdout).

            --task rating: predictions are clipped to the rating scale (--rating-scale, else the training data's range). \
            --task ranking (protocol T): every pair of the training part is an interaction of weight 1; each test user's \
            relevant items are those rated --relevance-threshold or more in the test part; all items the user did not \
            interact with in training are ranked, and the first --k are judged. Without --task, the model's own task \
            decides (`latent models` shows it): rating models are judged as rating, ranking models as ranking.

            Examples: latent evaluate --model biased-mf --train ml-100k/u1.base --test ml-100k/u1.test --json
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

    @Option(help: "The model to evaluate (see `latent models`).") var model: String
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
        if files {
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
        let descriptor = try ModelRegistry.descriptor(named: model)
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
        let console = Console.current
        if !json {
            console.line("\(descriptor.name), \(splits.count) fold\(splits.count == 1 ? "" : "s")")
        }
        let report = try CrossValidation.evaluateRatings(
            descriptor, splits: splits, inputs: modelInputs, hyperparameters: h, duplicates: reading.duplicates, context: context
        ) { f, fold in
            bar?.finish()
            if !json {
                console.line("fold \(f + 1): rmse \(fixed(fold.rmse)), mae \(fixed(fold.mae)), fit \(fixed(fold.fitSeconds, 2)) s, \(fold.testCount) test ratings")
            }
        }
        if json {
            console.line(try jsonLine(report))
        } else {
            console.line("mean:   rmse \(fixed(report.rmse)), mae \(fixed(report.mae)), fit \(fixed(report.fitSeconds, 2)) s")
        }
    }

    private func evaluateRanking(_ descriptor: ModelDescriptor, splits: [TrainTestSplit], inputs modelInputs: ModelInputs,
                                 hyperparameters h: Hyperparameters,
                                 context: TrainingContext, bar: ProgressBar?) throws {
        let console = Console.current
        let k = self.k ?? 10, threshold = relevanceThreshold ?? 4
        if !json {
            console.line("\(descriptor.name), \(splits.count) fold\(splits.count == 1 ? "" : "s"), ranking: K = \(k), relevant = test rating >= \(threshold.formatted())")
        }
        let report = try RankingProtocol.crossValidate(
            model: descriptor, inputs: modelInputs, hyperparameters: h, splits: splits, k: k, relevanceThreshold: threshold,
            conversion: try inputs.interactionConversion() ?? .allPairs, duplicates: reading.duplicates, context: context
        ) { _, _ in bar?.finish() }
        if json {
            console.line(try jsonLine(report))
            return
        }
        var table = TextTable(["fold", "P@\(k)", "R@\(k)", "nDCG@\(k)", "MAP@\(k)", "HR@\(k)", "AUC", "coverage", "users", "fit s"])
        func row(_ label: String, _ e: RankingEvaluation, _ fit: Double) -> [String] {
            [label] + [e.precision, e.recall, e.ndcg, e.map, e.hitRate, e.auc, e.coverage].map { fixed($0) }
                + ["\(e.users)", fixed(fit, 2)]
        }
        for (f, fold) in report.folds.enumerated() { table.add(row("\(f + 1)", fold.evaluation, fold.fitSeconds)) }
        if report.folds.count > 1 { table.add(row("mean", report.mean, report.fitSeconds)) }
        table.render().forEach { console.line($0) }
    }
}
