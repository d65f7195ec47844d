import ArgumentParser
import Foundation
import Latent
import LatentServer

/// `latent train`: read a rating file, fit a model, save it.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a rating file and save it.",
        discussion: """
            Reads --data, trains --model with its default hyperparameters except those given, and writes the model to \
            --output atomically. A bad line stops everything with its file and line number, and no model is written.

            With --db, the ratings stored by `latent serve` are added (after the file's, so a stored rating of the same \
            user and item wins): serve, collect, retrain, then reload the server (SIGHUP or POST /admin/reload).

            Example: latent train --data ml-100k/u1.base --model biased-mf --factors 50 --output u1.latent
                     latent train --data ml-100k/u1.base --model content --item-features ml-100k/u.item --output c.latent
                     latent train --data ml-100k/u1.base --db latent.sqlite --model biased-mf --output u1.latent
            """)

    @Option(help: "The rating file.") var data: String?
    @Option(help: ArgumentHelp("The SQLite database of `latent serve`: its stored ratings are trained on too.", valueName: "file"))
    var db: String?
    @Option(help: "The model to train (see `latent models`).") var model: String
    @Option(help: "Where to save the trained model.") var output: String
    @OptionGroup(title: "Reading") var reading: DataOptions
    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Model inputs") var inputs: ModelInputOptions
    @OptionGroup(title: "Run") var execution: RunOptions
    @Option(help: "latent (this process) or spark (Apache Spark's ALS for als and implicit-als; see --master).")
    var engine: TrainingEngine = .latent
    @OptionGroup(title: "Spark engine (--engine spark)") var spark: SparkOptions

    func validate() throws {
        guard data != nil || db != nil else { throw ValidationError("give --data, --db or both") }
    }

    func run() throws {
        let console = Console.current
        // Check everything that can be checked before the long work.
        let descriptor = try ModelRegistry.descriptor(named: model)
        if engine == .spark { return try trainOnSpark(descriptor) }
        let h = try hyperparameters.hyperparameters()
        _ = try h.canonical(for: descriptor.parameters)
        let inputFiles = [data, db, inputs.itemFeatures].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
        _ = try OutputFile.checkedTarget(URL(fileURLWithPath: output), inputs: inputFiles)
        let features = try inputs.readItemFeatures()
        _ = try inputs.interactionConversion()

        var ratings = RatingSet()
        var skipped = 0
        if let data {
            let (set, report) = try reading.read(data)
            ratings = set
            skipped = report.skippedLines
        }
        let stored = try db.map(Self.storedRatings) ?? []
        for r in stored { ratings.append(user: r.user, item: r.item, value: r.value) }
        guard !ratings.isEmpty else { throw ValidationError("no ratings to train on in \([data, db].compactMap { $0 }.joined(separator: " and "))") }
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
            + "(\(db == nil ? "" : "\(stored.count) from the database, ")\(matrix.duplicateCount) duplicates folded, \(skipped) lines skipped) in \(fixed(fitSeconds, 2)) s; saved \(output)")
    }

    /// The ratings stored in the service's database at `path`, which must exist.
    static func storedRatings(_ path: String) throws -> [StoredRating] {
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no database at \(path)") }
        return try RatingStore(path: path).allRatings()
    }
}
