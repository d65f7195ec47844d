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

            With --json, prints one JSON object instead of the line: the counts, the seconds spent reading, building \
            the matrix, fitting and writing, and the peak resident memory of the process.

            With --db, the ratings stored by `latent serve` are added (after the file's, so a stored rating of the same \
            user and item wins): serve, collect, retrain, then reload the server (SIGHUP or POST /admin/reload).

            Example: latent train --data ml-100k/u1.base --model biased-mf --factors 50 --output u1.latent
                     latent train --data ml-100k/u1.base --model content --item-features ml-100k/u.item --output c.latent
                     latent train --data ml-100k/u1.base --db latent.sqlite --model biased-mf --output u1.latent
            """)

    @Option(help: "The rating file.") var data: String?
    @Option(help: ArgumentHelp("The SQLite database of `latent serve`: its stored ratings are trained on too.", valueName: "file"))
    var db: String?
    @Option(help: "The name of the model to train (see `latent models`).") var model: String
    @Option(help: "Where to save the trained model.") var output: String
    @OptionGroup(title: "Reading") var reading: DataOptions
    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Model inputs") var inputs: ModelInputOptions
    @OptionGroup(title: "Run") var execution: RunOptions
    @Flag(help: "Print one JSON object: counts, read/build/fit/write seconds, peak memory.") var json = false
    @OptionGroup(title: "Learning curve") var curveOptions: ValidationOptions
    @Option(help: "latent (this process) or spark (Apache Spark's ALS for als and implicit-als; see --master).")
    var engine: TrainingEngine = .latent
    @OptionGroup(title: "Spark engine (--engine spark)") var spark: SparkOptions

    func validate() throws {
        guard data != nil || db != nil else { throw ValidationError("give --data, --db or both") }
    }

    func run() throws {
        let console = Console.current
        // Check everything that can be checked before the long work.
        let descriptor = try ModelReference.descriptor(model)
        if engine == .spark { return try trainOnSpark(descriptor) }
        let h = try hyperparameters.hyperparameters()
        _ = try h.canonical(for: descriptor.parameters)
        let inputFiles = [data, db, inputs.itemFeatures, curveOptions.validation].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
        _ = try OutputFile.checkedTarget(URL(fileURLWithPath: output), inputs: inputFiles)
        let features = try inputs.readItemFeatures()
        _ = try inputs.interactionConversion()

        var clock = ContinuousClock.now
        var allRatings = RatingSet()
        var skipped = 0
        if let data {
            let (set, report) = try reading.read(data)
            allRatings = set
            skipped = report.skippedLines
        }
        let stored = try db.map(Self.storedRatings) ?? []
        for r in stored { allRatings.append(user: r.user, item: r.item, value: r.value) }
        guard !allRatings.isEmpty else { throw ValidationError("no ratings to train on in \([data, db].compactMap { $0 }.joined(separator: " and "))") }
        let readSeconds = seconds(since: clock)
        clock = .now
        let (ratings, validation) = try curveOptions.split(consume allRatings, reading: reading, seed: execution.seed)
        let (set, interactions) = try inputs.trainingData(consume ratings, for: descriptor)
        // Interaction data has no rating scale: ranking scores are never clipped.
        let scale = interactions ? reading.ratingScale : reading.scale(for: set)
        // A learning curve: the model measured on the validation part after every step, printed as it goes.
        let curve = validation.map {
            LearningCurve(validation: $0, metric: interactions ? .ndcg(k: 10, relevanceThreshold: 4) : .rmse,
                          patience: curveOptions.earlyStopping, training: interactions ? nil : set, threads: execution.threads)
        }
        // The matrix takes the last copy of the ratings read, and releases them once its rows hold them.
        let matrix = RatingMatrix(consume set, duplicates: reading.duplicates, keepingTimes: descriptor.usesTimes(h))
        let buildSeconds = seconds(since: clock)
        let bar = curve == nil ? execution.progressBar("training \(descriptor.name)") : nil
        var context = execution.context(ratingScale: scale, progress: bar)
        if let curve {
            let quiet = execution.quiet
            context.progress = { @Sendable p in
                guard !quiet, p.model != nil, let point = curve.points.last else { return }
                let loss = point.trainingLoss.map { "training loss \(fixed($0)), " } ?? ""
                console.note("\(p.stage) \(p.step)/\(p.total): \(loss)validation \(curve.metric.name) \(fixed(point.validation))")
            }
            context = curve.attach(to: context)
        }
        let start = ContinuousClock.now
        let trained: any Recommender
        do {
            let last = try descriptor.fit(matrix, inputs: ModelInputs(itemFeatures: features), hyperparameters: h, context: context)
            // Early stopping keeps the best model on the validation part; a curve alone only watches.
            trained = curveOptions.earlyStopping != nil ? curve?.best?.model ?? last : last
            bar?.finish()
        } catch TrainingError.missingTimes(let bins) {
            bar?.finish()
            throw OptionError("\(data ?? "the ratings"): \(TrainingError.missingTimes(bins: bins))")
        } catch {
            bar?.finish()
            throw error
        }
        let fitSeconds = seconds(since: start)
        if let curve { try reportCurve(curve, model: descriptor.name, inputs: inputFiles) }
        clock = .now
        try trained.save(to: URL(fileURLWithPath: output), inputs: inputFiles)
        let writeSeconds = seconds(since: clock)
        if json {
            console.line(try jsonLine(TrainReport(
                model: descriptor.name, output: output, users: matrix.userCount, items: matrix.itemCount,
                ratings: matrix.count, interactions: interactions, duplicatesFolded: matrix.duplicateCount,
                skippedLines: skipped, threads: execution.threads, readSeconds: readSeconds,
                buildSeconds: buildSeconds, fitSeconds: fitSeconds, writeSeconds: writeSeconds,
                peakMemoryBytes: peakResidentBytes())))
            return
        }
        console.line("trained \(descriptor.name) on \(matrix.userCount) users, \(matrix.itemCount) items, \(matrix.count) \(interactions ? "interactions" : "ratings") "
            + "(\(db == nil ? "" : "\(stored.count) from the database, ")\(matrix.duplicateCount) duplicates folded, \(skipped) lines skipped) in \(fixed(fitSeconds, 2)) s; saved \(output)")
    }

    /// The ratings stored in the service's database at `path`, which must exist.
    static func storedRatings(_ path: String) throws -> [StoredRating] {
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no database at \(path)") }
        return try RatingStore(path: path).allRatings()
    }

    /// Prints the best validation step and writes the history and the plot.
    private func reportCurve(_ curve: LearningCurve, model: String, inputs: [URL]) throws {
        let console = Console.current
        let points = curve.points
        guard let best = curve.best, let last = points.last else {
            console.note("note: \(model) reports no model after each step (learning curves: sgd-mf, biased-mf with --solver sgd, als, bayesian-mf, implicit-als): no learning curve; the model is the last one")
            return
        }
        let stage = model == "als" || model == "bayesian-mf" || model == "implicit-als" ? "sweep" : "epoch"
        var line = "best validation \(curve.metric.name) \(fixed(best.value)) at \(stage) \(best.step) of \(last.step)"
        if curve.stoppedEarly {
            line += " (stopped early: \(last.step - best.step) \(stage)s without improvement); the saved model is the one after \(stage) \(best.step)"
        } else if best.step != last.step {
            line += "; the saved model is the one after \(stage) \(best.step)"
        }
        console.line(line)
        try curveOptions.write(curve, stage: stage, model: model, inputs: inputs)
    }
}

/// What `latent train --json` prints.
struct TrainReport: Encodable {
    var model: String
    var output: String
    var users: Int
    var items: Int
    /// Stored (user, item) pairs after folding duplicates: ratings, or interactions for ranking models.
    var ratings: Int
    var interactions: Bool
    var duplicatesFolded: Int
    var skippedLines: Int
    var threads: Int
    var readSeconds: Double
    /// Building the sparse matrix (both orientations) from what was read.
    var buildSeconds: Double
    var fitSeconds: Double
    var writeSeconds: Double
    /// The peak resident memory of the whole process so far (getrusage's maximum resident set size).
    var peakMemoryBytes: Int

    enum CodingKeys: String, CodingKey {
        case model, output, users, items, ratings, interactions, threads
        case duplicatesFolded = "duplicates_folded", skippedLines = "skipped_lines", readSeconds = "read_seconds"
        case buildSeconds = "build_seconds", fitSeconds = "fit_seconds", writeSeconds = "write_seconds"
        case peakMemoryBytes = "peak_memory_bytes"
    }
}

/// The peak resident memory of this process in bytes (the maximum resident set size of getrusage).
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
    return usage.ru_maxrss * 1024  // kilobytes on Linux
    #else
    guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
    return usage.ru_maxrss  // bytes on macOS
    #endif
}
