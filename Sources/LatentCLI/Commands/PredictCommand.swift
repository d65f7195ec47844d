import ArgumentParser
import Foundation
import Latent

/// `latent predict`: one predicted rating from a saved model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print a user's predicted rating of an item, clipped to the rating scale.",
        discussion: """
            A user or item the model does not know gets the model's fallback (biases and means), and a note says so.

            Example: latent predict --model u1.latent --user 196 --item 242
            """)

    @Option(help: "A model file written by `latent train`.") var model: String
    @Option(parsing: .unconditional, help: "The user's identifier.") var user: String
    @Option(parsing: .unconditional, help: "The item's identifier.") var item: String
    @Flag(help: "Print one JSON object: {\"user\", \"item\", \"prediction\", \"known_user\", \"known_item\"}.") var json = false

    func run() throws {
        let console = Console.current
        let m = try ModelRegistry.load(from: URL(fileURLWithPath: model))
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
}
