import ArgumentParser
import Foundation
import Latent

/// `latent train`: read a rating file, fit a model, save it.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a rating file and save it.",
        discussion: """
            Reads --data, trains --model with its default hyperparameters except those given, and writes the model to \
            --output atomically. A bad line stops everything with its file and line number, and no model is written.

            Example: latent train --data ml-100k/u1.base --model biased-mf --factors 50 --output u1.latent
                     latent train --data ml-100k/u1.base --model content --item-features ml-100k/u.item --output c.latent
            """)

    @Option(help: "The rating file.") var data: String
    @Option(help: "The model to train (see `latent models`).") var model: String
    @Option(help: "Where to save the trained model.") var output: String
    @OptionGroup(title: "Reading") var reading: DataOptions
    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Model inputs") var inputs: ModelInputOptions
    @OptionGroup(title: "Run") var execution: RunOptions
    @Option(help: "latent (this process) or spark (Apache Spark's ALS for als and implicit-als; see --master).")
    var engine: TrainingEngine = .latent
    @OptionGroup(title: "Spark engine (--engine spark)") var spark: SparkOptions

    func run() throws {
        let console = Console.current
        // Check everything that can be checked before the long work.
        let descriptor = try ModelRegistry.descriptor(named: model)
        if engine == .spark { return try trainOnSpark(descriptor) }
        let h = try hyperparameters.hyperparameters()
        _ = try h.canonical(for: descriptor.parameters)
        let inputFiles = [data, inputs.itemFeatures].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
        _ = try OutputFile.checkedTarget(URL(fileURLWithPath: output), inputs: inputFiles)
        let features = try inputs.readItemFeatures()
        _ = try inputs.interactionConversion()

        let (ratings, report) = try reading.read(data)
        let (set, interactions) = try inputs.trainingData(ratings, for: descriptor)
        let matrix = RatingMatrix(set, duplicates: reading.duplicates)
        let bar = execution.progressBar("training \(descriptor.name)")
        // Interaction data has no rating scale: ranking scores are never clipped.
        let scale = interactions ? reading.ratingScale : reading.scale(for: set)
        let context = execution.context(ratingScale: scale, progress: bar)
        let start = ContinuousClock.now
        let trained: any Recommender
        do {
            trained = try descriptor.fit(matrix, inputs: ModelInputs(itemFeatures: features), hyperparameters: h, context: context)
            bar?.finish()
        } catch {
            bar?.finish()
            throw error
        }
        let fitSeconds = seconds(since: start)
        try trained.save(to: URL(fileURLWithPath: output), inputs: inputFiles)
        console.line("trained \(descriptor.name) on \(matrix.userCount) users, \(matrix.itemCount) items, \(matrix.count) \(interactions ? "interactions" : "ratings") "
            + "(\(matrix.duplicateCount) duplicates folded, \(report.skippedLines) lines skipped) in \(fixed(fitSeconds, 2)) s; saved \(output)")
    }
}
