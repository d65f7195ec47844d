import ArgumentParser
import Foundation
import Latent

extension SearchMetric: ExpressibleByArgument {}

/// `latent tune`: hyperparameter search by cross-validation (grid or random), best configuration optionally retrained
/// on all the data and saved.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search hyperparameters by cross-validation: a grid or random draws, ranked by a metric.",
        discussion: """
            Every configuration is trained and measured on the same splits: --data cut into --folds K seeded folds \
            (--seed), or the given --train and --test files. The table lists the configurations best first with the \
            metric's mean and standard deviation over the folds, then the best. Configurations run in parallel on \
            --threads threads (each fit gets an equal share); a line on standard error reports each configuration \
            as it finishes.

            --grid name=v1,v2,... (repeatable) tries every combination. --random N draws N configurations instead: \
            each --range name=low:high (uniform) or name=low:high:log (log-uniform; whole numbers when both bounds \
            are) from its range, each --grid axis one of its values. Other hyperparameter options are fixed for all \
            configurations.

            --metric: rmse or mae (lower is better; predictions clipped to the rating scale) or a ranking metric at \
            --k (higher is better; protocol T, as `latent evaluate --task ranking`). Default: rmse for rating models, \
            ndcg for ranking models.

            --output FILE retrains the best configuration on all the data (--data, or --train and --test together) \
            and saves it.

            Examples: latent tune --model biased-mf --data ml-100k/u.data --folds 3 --grid factors=50,200 --grid regularization=0.05,0.1
                      latent tune --model implicit-als --train ml-100k/u1.base --test ml-100k/u1.test --random 8 --range alpha=1:40:log --metric ndcg
            """)

    @Option(help: "The name of the model to tune (see `latent models`).") var model: String
    @Option(help: "One rating file, cut into --folds.") var data: String?
    @Option(help: "Number of seeded folds of --data.") var folds: Int?
    @Option(help: "The training file (with --test).") var train: String?
    @Option(help: "The test file (with --train).") var test: String?
    @Option(parsing: .singleValue, help: ArgumentHelp("A hyperparameter and the values to try (repeatable).", valueName: "name=v1,v2,..."))
    var grid: [String] = []
    @Option(help: "Draw this many random configurations instead of the full grid.") var random: Int?
    @Option(parsing: .singleValue, help: ArgumentHelp("A range to draw a hyperparameter from, with --random (repeatable).", valueName: "name=low:high[:log]"))
    var range: [String] = []
    @Option(help: "What ranks the configurations: rmse, mae, precision, recall, ndcg, map, hit_rate, auc, coverage (default: rmse for rating models, ndcg for ranking models).")
    var metric: SearchMetric?
    @Option(help: "Ranking metrics: the length K of each user's list (default 10).") var k: Int?
    @Option(name: .customLong("relevance-threshold"), help: "Ranking metrics: test ratings at or above this are relevant (default 4).")
    var relevanceThreshold: Float?
    @Option(help: "Retrain the best configuration on all the data and save it here.") var output: String?
    @Flag(help: """
        Print one JSON object: {"model", "metric", "folds", "results": [{"hyperparameters", "mean", "sd", "folds", "fit_seconds"}, ...] (best first), "best"}.
        """) var json = false
    @OptionGroup(title: "Reading") var reading: DataOptions
    @OptionGroup(title: "Fixed hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Model inputs") var inputs: ModelInputOptions
    @OptionGroup(title: "Run") var execution: RunOptions

    func validate() throws {
        if data != nil {
            guard train == nil, test == nil, let folds else { throw ValidationError("give either --data with --folds K, or --train and --test") }
            guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        } else {
            guard train != nil, test != nil, folds == nil else { throw ValidationError("give either --data with --folds K, or --train and --test") }
        }
        if let random, random < 1 { throw ValidationError("--random must be at least 1") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let console = Console.current
        let descriptor = try ModelReference.descriptor(model)
        let metric = self.metric ?? (descriptor.task == .ranking ? .ndcg : .rmse)
        if metric.task == .rating, k != nil || relevanceThreshold != nil {
            throw OptionError("--k and --relevance-threshold apply to ranking metrics, not \(metric.rawValue)")
        }
        let fixedValues = try hyperparameters.hyperparameters()
        let space = SearchSpace(grid: try grid.map(SearchSpace.gridAxis(parsing:)),
                                ranges: try range.map(ParameterRange.init(parsing:)), randomCount: random)
        let configurations = try space.configurations(over: fixedValues, seed: execution.seed)
        for h in configurations { _ = try h.canonical(for: descriptor.parameters) }
        var context = execution.context(ratingScale: nil, progress: nil)
        let modelInputs = ModelInputs(itemFeatures: try inputs.readItemFeatures())
        let conversion = try inputs.interactionConversion() ?? .allPairs

        // The splits, made once: every configuration sees the same folds.
        let splits: [TrainTestSplit], all: RatingSet
        if let data {
            all = try reading.read(data).0
            splits = Splits.kFold(all, folds: folds!, seed: execution.seed)
        } else {
            let trainSet = try reading.read(train!).0, testSet = try reading.read(test!).0
            splits = [TrainTestSplit(train: trainSet, test: testSet)]
            all = trainSet.appending(testSet)
        }
        if metric.task == .rating { context.ratingScale = reading.scale(for: all) }

        let total = configurations.count
        if !execution.quiet {
            console.note("tuning \(descriptor.name): \(total) configuration\(total == 1 ? "" : "s") x \(splits.count) fold\(splits.count == 1 ? "" : "s"), \(min(total, execution.threads)) at a time")
        }
        let start = ContinuousClock.now
        let quiet = execution.quiet
        let report = try HyperparameterSearch.run(
            descriptor, configurations: configurations, splits: splits, metric: metric, inputs: modelInputs, k: k ?? 10,
            relevanceThreshold: relevanceThreshold ?? 4, conversion: conversion, duplicates: reading.duplicates,
            context: context
        ) { done, result in
            guard !quiet else { return }
            console.note("[\(done)/\(total)] \(describe(result.hyperparameters)): \(metric.rawValue) \(fixed(result.mean)) ± \(fixed(result.standardDeviation)) (\(ProgressBar.duration(seconds(since: start))))")
        }

        if json {
            console.line(try jsonLine(report))
        } else {
            let names = report.results.first.map { $0.hyperparameters.keys.sorted() } ?? []
            console.line("\(descriptor.name), \(total) configuration\(total == 1 ? "" : "s"), \(splits.count) fold\(splits.count == 1 ? "" : "s"), by \(metric.rawValue) (\(metric.lowerIsBetter ? "lower" : "higher") is better)")
            var table = TextTable(["rank"] + names + ["\(metric.rawValue) mean", "sd", "fit s"])
            for (r, result) in report.results.enumerated() {
                table.add(["\(r + 1)"] + names.map { result.hyperparameters[$0] ?? "" }
                          + [fixed(result.mean), fixed(result.standardDeviation), fixed(result.fitSeconds, 2)])
            }
            table.render().forEach { console.line($0) }
            console.line("best: \(describe(report.best.hyperparameters)) (\(metric.rawValue) \(fixed(report.best.mean)) ± \(fixed(report.best.standardDeviation)))")
        }

        if let output {
            var best = fixedValues
            for (name, value) in report.best.hyperparameters { best.values[name] = value }
            let (set, interactions) = metric.task == .ranking
                ? (all.interactions(conversion), true) : try inputs.trainingData(all, for: descriptor)
            var fitContext = context
            fitContext.ratingScale = interactions ? reading.ratingScale : reading.scale(for: set)
            let matrix = RatingMatrix(set, duplicates: reading.duplicates, keepingTimes: descriptor.usesTimes(best))
            let bar = execution.progressBar("training the best \(descriptor.name)")
            fitContext.progress = bar.map { bar in { @Sendable p in bar.update(p) } }
            let model = try descriptor.fit(matrix, inputs: modelInputs, hyperparameters: best, context: fitContext)
            bar?.finish()
            try model.save(to: URL(fileURLWithPath: output), inputs: [data, train, test].compactMap { $0 }.map { URL(fileURLWithPath: $0) })
            let message = "retrained the best on all \(matrix.count) \(interactions ? "interactions" : "ratings"); saved \(output)"
            if json { console.note(message) } else { console.line(message) }
        }
    }

    private func describe(_ h: [String: String]) -> String {
        h.keys.sorted().map { "\($0)=\(h[$0]!)" }.joined(separator: " ")
    }
}

extension RatingSet {
    /// This set followed by `other`'s observations (identifiers matched by text).
    func appending(_ other: RatingSet) -> RatingSet {
        var merged = self
        merged.reserveCapacity(count + other.count)
        for n in 0..<other.count {
            merged.append(user: other.users.ids[Int(other.userIndices[n])], item: other.items.ids[Int(other.itemIndices[n])],
                          value: other.values[n], timestamp: other.timestamps?[n])
        }
        return merged
    }
}
