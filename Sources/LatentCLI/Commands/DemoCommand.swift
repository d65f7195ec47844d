import ArgumentParser
import Latent

/// `latent demo`: the course notes' five-movie example, trained and explained in a second.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the course notes' example: ratings beside predictions, Eve through mean normalization, related movies.")

    @Option(help: "A model from `latent models` (default: the notes' factorization on mean-normalized ratings).")
    var model: String?
    @Option(help: "How related movies are found.") var metric: SimilarityMetric = .euclidean
    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions
    @OptionGroup(title: "Model inputs") var inputs: ModelInputOptions
    @Option(help: "Seed of the random initial factors.") var seed: UInt64 = 42

    func run() throws {
        let console = Console.current
        let example = DemoData.notesExample
        let descriptor = try model.map { try ModelRegistry.descriptor(named: $0) }
        let result = try example.run(model: descriptor, inputs: ModelInputs(itemFeatures: try inputs.readItemFeatures()),
                                     hyperparameters: try hyperparameters.hyperparameters(), metric: metric,
                                     context: TrainingContext(seed: seed))
        let users = example.users
        let means = example.movieMeans

        console.line("The course notes' example: \(example.movies.count) movies rated 0-5 by \(users.count) users.")
        console.line("Model: \(result.modelDescription)")
        console.line()
        console.line("Ratings, and predictions in brackets where a rating is missing:")
        var table = TextTable(["movie"] + users + ["mean"])
        for (m, movie) in example.movies.enumerated() {
            let cells = users.indices.map { u -> String in
                if let r = example.ratings[m][u] { return "\(Int(r))   " }
                return "(\(fixed(result.predictions[m][u])))"
            }
            table.add([movie] + cells + [fixed(means[m])])
        }
        table.render().forEach { console.line("  " + $0) }
        console.line()

        let eve = users.count - 1
        if model == nil {
            console.line("\(users[eve]) has rated nothing. Mean normalization predicts her each movie's mean rating:")
        } else {
            console.line("\(users[eve]) has rated nothing. The \(result.model.name) model predicts her by its fallback for unknown users:")
        }
        var eveTable = TextTable(["movie", "movie mean", "prediction for \(users[eve])"])
        for (m, movie) in example.movies.enumerated() {
            eveTable.add([movie, fixed(means[m]), fixed(result.predictions[m][eve])])
        }
        eveTable.render().forEach { console.line("  " + $0) }
        console.line()

        if result.related.allSatisfy(\.isEmpty) {
            console.line("The \(result.model.name) model has no item vectors, so it cannot relate movies.")
        } else {
            let how = metric == .euclidean ? "smallest distance ||x_i - x_j|| between" : "largest cosine of"
            console.line("Related movies (the \(how) their factor vectors):")
            var related = TextTable(["movie", "most related", ""])
            for (m, movie) in example.movies.enumerated() {
                let cells = result.related[m].map { "\($0.id) (\(fixed(metric == .euclidean ? -$0.score : $0.score)))" }
                related.add([movie] + cells)
            }
            related.render(leftAligned: 3).forEach { console.line("  " + $0) }
        }
    }
}
