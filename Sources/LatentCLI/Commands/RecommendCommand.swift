import ArgumentParser
import Foundation
import Latent

/// `latent recommend`: the top-N items for a user.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print the best items for a user, leaving out what the user rated in training.",
        discussion: "Example: latent recommend --model u1.latent --user 196 --count 10 --items ml-100k/u.item --json")

    @Option(help: "A model file written by `latent train`.") var model: String
    @Option(help: "The user's identifier.") var user: String
    @Option(help: "How many items.") var count: Int = 10
    @Option(help: "An item file (u.item or movies.csv) to show titles from.") var items: String?
    @Flag(name: .customLong("include-seen"), help: "Also recommend items the user rated in training.") var includeSeen = false
    @Flag(help: "Print one JSON object: {\"user\", \"items\": [{\"item\", \"score\", \"title\"}]}.") var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let m = try ModelRegistry.load(from: URL(fileURLWithPath: model))
        let titles = try items.map { try ItemCatalog.read(URL(fileURLWithPath: $0)).titles }
        let list = try m.recommend(user: user, count: count, excludeSeen: !includeSeen)
        try printItemList(ItemListReport(user: user, recommendations: list, titles: titles), json: json,
                          scoreName: "predicted")
    }
}

/// Prints a list of items as JSON or as an aligned table.
func printItemList(_ report: ItemListReport, json: Bool, scoreName: String) throws {
    let console = Console.current
    if json {
        console.line(try jsonLine(report))
        return
    }
    let hasTitles = report.items.contains { $0.title != nil }
    var table = TextTable(["rank", "item", scoreName] + (hasTitles ? ["title"] : []))
    for (n, e) in report.items.enumerated() {
        table.add(["\(n + 1)", e.item, fixed(e.score, 4)] + (hasTitles ? [e.title ?? ""] : []))
    }
    // Right-align the numbers, left-align the title.
    for line in table.render(leftAligned: 0, alsoLeft: [3]) {
        console.line(line)
    }
}
