import ArgumentParser
import Foundation
import Latent

/// `latent evaluate`: train and measure a model on given train/test files, a holdout, or k folds.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a model: RMSE and MAE per fold and their means.",
        discussion: """
            Give either --train and --test, or --data with --folds K (seeded k-fold), or --data with --test-fraction F \
            (seeded holdout). Predictions are clipped to the rating scale (--rating-scale, else the training data's range).

            Example: latent evaluate --model biased-mf --train ml-100k/u1.base --test ml-100k/u1.test --json
            """)

    /// What is measured.
    enum Task: String, ExpressibleByArgument, CaseIterable {
        case rating, ranking
    }

    @Option(help: "The model to evaluate (see `latent models`).") var model: String
    @Option(help: "The training file.") var train: String?
    @Option(help: "The test file.") var test: String?
    @Option(help: "One rating file to split.") var data: String?
    @Option(help: "Number of folds for k-fold cross-validation of --data.") var folds: Int?
    @Option(name: .customLong("test-fraction"), help: "Fraction of --data held out for testing.") var testFraction: Double?
    @Option(help: "rating: RMSE and MAE; ranking: precision, recall, nDCG (not available yet).") var task: Task = .rating
    @Flag(help: "Print one JSON object: {\"model\", \"rmse\", \"mae\", \"fit_seconds\", \"folds\": [...]}.") var json = false
    @OptionGroup(title: "Reading") var reading: DataOptions
    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Run") var execution: RunOptions

    func validate() throws {
        let files = train != nil || test != nil
        if files {
            guard train != nil, test != nil else { throw ValidationError("--train and --test go together") }
            guard data == nil, folds == nil, testFraction == nil else {
                throw ValidationError("give either --train and --test, or --data with --folds or --test-fraction")
            }
        } else {
            guard data != nil else {
                throw ValidationError("give either --train and --test, or --data with --folds or --test-fraction")
            }
            guard (folds == nil) != (testFraction == nil) else {
                throw ValidationError("with --data, give exactly one of --folds and --test-fraction")
            }
            if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
            if let f = testFraction, !(f > 0 && f < 1) { throw ValidationError("--test-fraction must be between 0 and 1") }
        }
    }

    func run() throws {
        let console = Console.current
        guard task == .rating else {
            throw ValidationError("--task ranking is not available yet; use --task rating")
        }
        let descriptor = try ModelRegistry.descriptor(named: model)
        let h = try hyperparameters.hyperparameters()
        try h.checkNames(descriptor.parameters)

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
            if let folds {
                splits = Splits.kFold(set, folds: folds, seed: execution.seed)
            } else {
                splits = [Splits.holdout(set, testFraction: testFraction!, seed: execution.seed)]
            }
        }

        let bar = execution.progressBar("evaluating \(descriptor.name)")
        let context = execution.context(ratingScale: scale, progress: bar)
        if !json {
            console.line("\(descriptor.name), \(splits.count) fold\(splits.count == 1 ? "" : "s")")
        }
        let report = try CrossValidation.evaluateRatings(
            descriptor, splits: splits, hyperparameters: h, duplicates: reading.duplicates, context: context
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
}
