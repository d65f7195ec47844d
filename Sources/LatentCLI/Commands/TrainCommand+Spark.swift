import ArgumentParser
import Foundation
import Latent

/// Where `latent train` fits the model.
enum TrainingEngine: String, ExpressibleByArgument, CaseIterable {
    /// Latent's own solvers, in this process.
    case latent
    /// Apache Spark's ALS (`scripts/spark-als.py`), for `als` and `implicit-als`; the result is imported.
    case spark
}

/// The options of `latent train --engine spark`.
struct SparkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Spark's master: local[*] (every core of this machine), local[N], spark://HOST:PORT, yarn.", valueName: "url"))
    var master = "local[*]"
    @Option(name: .customLong("driver-memory"), help: "Memory of Spark's driver (spark.driver.memory).")
    var driverMemory = "1g"
    @Option(name: .customLong("spark-dir"), help: ArgumentHelp(
        "Keep the job's files here (ratings.csv, the factors as JSON lines, params.json, Spark's own ALSModel in spark-model/); a new or empty folder. By default they go to a temporary folder that is removed.",
        valueName: "folder"))
    var sparkDir: String?
    @Option(name: .customLong("spark-script"), help: ArgumentHelp("The job script (default: scripts/spark-als.py of the checkout, or $LATENT_SPARK_SCRIPT).", valueName: "file"))
    var sparkScript: String?
    @Option(name: .customLong("spark-timeout"), help: ArgumentHelp("Stop the job after this many seconds.", valueName: "seconds"))
    var sparkTimeout: Double?
}

extension TrainCommand {
    /// `--engine spark`: writes the ratings for Spark, runs the ALS job, imports its factors (``SparkALS``).
    func trainOnSpark(_ descriptor: ModelDescriptor) throws {
        let console = Console.current
        guard let data else { throw OptionError("--engine spark trains on --data only (not --db)") }
        let parameters = try SparkALSParameters(model: descriptor.name, hyperparameters: try hyperparameters.hyperparameters(),
                                                seed: execution.seed)
        if inputs.itemFeatures != nil { throw OptionError("--item-features does not apply to --engine spark") }
        if let t = spark.sparkTimeout, !(t > 0) { throw OptionError("--spark-timeout must be a positive number of seconds") }
        let out = URL(fileURLWithPath: output)
        try refuseOverwritingInputs(output: out, inputs: [data], folders: [spark.sparkDir].compactMap { $0 })
        let job = try SparkJob.locate(script: spark.sparkScript)

        let (ratings, report) = try reading.read(data)
        let (set, interactions) = try inputs.trainingData(ratings, for: descriptor)
        let matrix = RatingMatrix(set, duplicates: reading.duplicates)
        guard matrix.count > 0 else { throw TrainingError.emptyTrainingData }

        let fm = FileManager.default
        let folder: URL
        if let dir = spark.sparkDir {
            folder = URL(fileURLWithPath: dir)
            if fm.fileExists(atPath: dir) {
                guard ((try? fm.contentsOfDirectory(atPath: dir)) ?? ["?"]).isEmpty else {
                    throw OptionError("--spark-dir \(dir) exists and is not an empty folder: give a new one")
                }
            }
        } else {
            folder = out.deletingLastPathComponent()
                .appendingPathComponent(".\(out.lastPathComponent).spark-\(ProcessInfo.processInfo.processIdentifier)")
        }
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw OptionError("\(folder.path): cannot create the folder: \(error.localizedDescription)")
        }
        defer { if spark.sparkDir == nil { try? fm.removeItem(at: folder) } }

        try SparkALS.writeRatings(matrix, to: folder)
        console.note("training \(descriptor.name) on Spark (\(spark.master)): rank \(parameters.rank), regParam \(parameters.regParam), "
            + "maxIter \(parameters.maxIter)" + (parameters.implicitPrefs ? ", alpha \(parameters.alpha), implicitPrefs" : ""))
        let start = ContinuousClock.now
        try job.run(folder: folder, parameters: parameters, master: spark.master, driverMemory: spark.driverMemory,
                    timeout: spark.sparkTimeout)
        let model = try SparkALS.importModel(from: folder, ratings: set, ratingsFile: data)
        try model.save(to: out, inputs: [URL(fileURLWithPath: data)])
        console.line("trained \(descriptor.name) on Spark (\(spark.master)) on \(matrix.userCount) users, \(matrix.itemCount) items, "
            + "\(matrix.count) \(interactions ? "interactions" : "ratings") (\(matrix.duplicateCount) duplicates folded, "
            + "\(report.skippedLines) lines skipped) in \(fixed(seconds(since: start), 2)) s; saved \(output) (model \(model.name))")
    }
}
