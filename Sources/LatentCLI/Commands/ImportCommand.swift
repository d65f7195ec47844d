import ArgumentParser
import Foundation
import Latent

/// `latent import`: a Latent model from factors trained elsewhere (Spark's ALS, see ``SparkALS``).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Build a Latent model from the factors of a Spark ALS model, predicting exactly what Spark predicts.",
        discussion: """
            --spark-als FOLDER holds user_factors and item_factors as Spark writes ALSModel.userFactors and \
            itemFactors with .write.json (folders of part-*.json lines {"id": 196, "features": [...]}) and, \
            optionally, params.json ({"regParam", "implicitPrefs", "alpha", "rank", "maxIter"}; scripts/spark-als.py \
            writes it). The model predicts p_u . q_i, unclipped, as Spark does; a user or item without factors gets 0 \
            (Spark drops or gives NaN). --ratings gives the ratings Spark trained on: each user's rated items are left \
            out of recommendations (use recommend --include-seen to keep them, as Spark's recommendForUserSubset does).

            Example: latent import --spark-als spark-out --ratings ml-100k/u1.base --output spark.latent
            """)

    @Option(name: .customLong("spark-als"), help: ArgumentHelp("The folder of Spark's ALS factors.", valueName: "folder"))
    var sparkALS: String
    @Option(help: "Where to save the model.") var output: String
    @Option(help: "The ratings Spark trained on: their items are each user's seen items.") var ratings: String?
    @OptionGroup(title: "Reading --ratings") var reading: DataOptions

    func run() throws {
        let folder = URL(fileURLWithPath: sparkALS)
        let out = URL(fileURLWithPath: output).standardizedFileURL
        try refuseOverwritingInputs(output: out, inputs: [ratings].compactMap { $0 }, folders: [sparkALS])
        let set = try ratings.map { try reading.read($0).0 }
        let model = try SparkALS.importModel(from: folder, ratings: set, ratingsFile: ratings ?? "ratings")
        try model.save(to: out, inputs: ratings.map { [URL(fileURLWithPath: $0)] } ?? [])
        Console.current.line("imported \(model.name): \(model.domain.users.count) users, \(model.domain.items.count) items, "
            + "\(model.factorCount) factors, \(model.domain.seen.entryCount) seen ratings; saved \(output)")
    }
}

/// Refuses an `output` that is one of the input files or lies inside an input folder.
func refuseOverwritingInputs(output: URL, inputs: [String], folders: [String]) throws {
    let target = output.standardizedFileURL.resolvingSymlinksInPath().path
    for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
        throw OptionError("--output \(output.path) is the input \(input): choose another file (an input is never overwritten)")
    }
    for folder in folders {
        let dir = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        if target == dir || target.hasPrefix(dir + "/") {
            throw OptionError("--output \(output.path) is inside the input folder \(folder): choose a path outside it")
        }
    }
}
