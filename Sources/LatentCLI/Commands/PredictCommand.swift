import ArgumentParser
import Foundation
import Latent

/// `latent predict`: predictions of a saved model, for one pair or for every pair of a file.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict ratings with a saved model: one user and item, or every line of a file.",
        discussion: """
            --user U --item I prints one prediction. --input FILE scores every `user item [rating]` line of a file in \
            any format `latent train` reads (MovieLens u.data / ratings.dat / ratings.csv, user item rating lines, or \
            user item pairs), writes one `user<TAB>item<TAB>prediction` line per input line, in order, to --output \
            (written atomically; never one of the inputs) or to standard output, and, when the file has ratings, \
            prints the RMSE and MAE of the predictions on standard error (with --output: on standard output): the \
            figures `latent evaluate --model MODEL --test FILE` gives.

            Predictions are clipped to the model's rating scale. A user or item the model does not know gets the \
            model's fallback (biases and means), and a note says how many.

            Examples: latent predict --model u1.latent --user 196 --item 242
                      latent predict --model u1.latent --input ml-100k/u1.test --output predictions.tsv
            """)

    @Option(help: "A model file written by `latent train` (not a model name).") var model: String
    @Option(parsing: .unconditional, help: "The user's identifier (with --item).") var user: String?
    @Option(parsing: .unconditional, help: "The item's identifier (with --user).") var item: String?
    @Option(help: "A file of `user item [rating]` lines to score (instead of --user and --item).") var input: String?
    @Option(help: "Where to write the predictions of --input (default: standard output).") var output: String?
    @Flag(help: "Print one JSON object: {\"user\", \"item\", \"prediction\", \"known_user\", \"known_item\"}; with --input, {\"rmse\", \"mae\", \"count\", \"unknown_users\", \"unknown_items\"} (with --output).")
    var json = false
    @OptionGroup(title: "Reading") var reading: DataOptions

    struct Summary: Encodable {
        var count: Int
        var rmse: Double?
        var mae: Double?
        var unknown_users: Int
        var unknown_items: Int
    }

    func validate() throws {
        if input != nil {
            guard user == nil, item == nil else { throw ValidationError("give either --user and --item, or --input") }
            if json, output == nil { throw ValidationError("--json with --input needs --output (the predictions go to the file, the summary to standard output)") }
        } else {
            guard user != nil, item != nil else { throw ValidationError("give either --user and --item, or --input FILE") }
            guard output == nil else { throw ValidationError("--output applies to --input") }
        }
    }

    func run() throws {
        let m = try ModelReference.loadFile(model)
        if let input { return try predictFile(m, input: input) }
        let console = Console.current
        let user = self.user!, item = self.item!
        let knownUser = m.domain.users.contains(user), knownItem = m.domain.items.contains(item)
        let prediction = m.predict(user: user, item: item)
        if json {
            console.line(try jsonLine(PredictionReport(user: user, item: item, prediction: prediction,
                                                       knownUser: knownUser, knownItem: knownItem)))
        } else {
            console.line(fixed(prediction, 4))
        }
        let unknown = [knownUser ? nil : "user \(user)", knownItem ? nil : "item \(item)"].compactMap { $0 }
        if !unknown.isEmpty {
            console.note("note: the model does not know \(unknown.joined(separator: " or ")): the prediction is its fallback")
        }
    }

    private func predictFile(_ m: any Recommender, input: String) throws {
        let console = Console.current
        let inputs = [input, model].map { URL(fileURLWithPath: $0) }
        if let output { _ = try OutputFile.checkedTarget(URL(fileURLWithPath: output), inputs: inputs) }
        let (set, report) = try reading.read(input)
        let hasRatings = report.layout?.ratingColumn != nil
        let predictions = m.predictions(for: set)
        var text = ""
        text.reserveCapacity(set.count * 16)
        for n in 0..<set.count {
            text += set.users.ids[Int(set.userIndices[n])] + "\t" + set.items.ids[Int(set.itemIndices[n])] + "\t"
            text += "\(predictions[n].shortestDouble)\n"
        }
        let e = m.evaluateRatings(on: set)
        let summary = Summary(count: set.count, rmse: hasRatings ? e.rmse : nil, mae: hasRatings ? e.mae : nil,
                              unknown_users: e.unknownUsers, unknown_items: e.unknownItems)
        if let output {
            try OutputFile.write(Array(text.utf8), to: URL(fileURLWithPath: output), inputs: inputs)
        } else {
            console.output(text)
        }
        // The figures go where they do not mix with the predictions.
        let say: (String) -> Void = output == nil ? { console.note($0) } : { console.line($0) }
        if json { return say(try jsonLine(summary)) }
        var line = "\(set.count) prediction\(set.count == 1 ? "" : "s")\(output.map { " written to \($0)" } ?? "")"
        if hasRatings { line += ": rmse \(fixed(e.rmse)), mae \(fixed(e.mae))" }
        say(line)
        let unknown = [(e.unknownUsers, "user"), (e.unknownItems, "item")].filter { $0.0 > 0 }
            .map { n, what in "\(n) line\(n == 1 ? " has a \(what)" : "s have \(what)s")" }
        if !unknown.isEmpty {
            console.note("note: \(unknown.joined(separator: " and ")) the model does not know: their predictions are its fallback")
        }
    }
}
