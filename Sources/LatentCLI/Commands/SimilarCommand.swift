import ArgumentParser
import Foundation
import Latent

/// `latent similar`: the items most related to an item (`--item`), or the users most similar to a user (`--user`).
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Print the items most related to an item, or the users most similar to a user, by their vectors.",
        discussion: """
            Give exactly one of --item and --user. Euclidean: the smallest distance ||x_i - x_j|| (the course notes), \
            scored as the negated distance. Cosine: the largest cosine of the angle between the vectors. Items are \
            compared by the model's item vectors (factors, features, embeddings), users by its user vectors.

            Examples: latent similar --model u1.latent --item 50 --count 5 --metric cosine --json
                      latent similar --model u1.latent --user 196 --count 5 --json
            """)

    @Option(help: "A model file written by `latent train`.") var model: String
    @Option(parsing: .unconditional, help: "The item's identifier.") var item: String?
    @Option(parsing: .unconditional, help: "The user's identifier: list similar users instead of items.") var user: String?
    @Option(help: "How many items (or users).") var count: Int = 10
    @Option(help: "How vectors are compared.") var metric: SimilarityMetric = .euclidean
    @Option(help: "An item file (u.item or movies.csv) to show titles from.") var items: String?
    @Flag(help: "Print one JSON object: {\"item\", \"items\": [{\"item\", \"score\", \"title\"}]}, or with --user {\"user\", \"users\": [{\"user\", \"score\"}]}.")
    var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard (item == nil) != (user == nil) else { throw ValidationError("give exactly one of --item and --user") }
        if user != nil && items != nil { throw ValidationError("--items (titles) applies to --item") }
    }

    func run() throws {
        let m = try ModelReference.loadFile(model)
        let scoreName = metric == .euclidean ? "-distance" : "cosine"
        if let user {
            let list = try m.similarUsers(to: user, count: count, metric: metric)
            let report = SimilarUsersReport(user: user, similar: list)
            let console = Console.current
            if json {
                console.line(try jsonLine(report))
                return
            }
            var table = TextTable(["rank", "user", scoreName])
            for (n, e) in report.users.enumerated() { table.add(["\(n + 1)", e.user, fixed(e.score, 4)]) }
            table.render(leftAligned: 0).forEach { console.line($0) }
            return
        }
        guard let item else { return }
        let titles = try items.map { try ItemCatalog.read(URL(fileURLWithPath: $0)).titles }
        let list = try m.similarItems(to: item, count: count, metric: metric)
        try printItemList(ItemListReport(item: item, related: list, titles: titles), json: json, scoreName: scoreName)
    }
}
