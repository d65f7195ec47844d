import ArgumentParser
import Foundation
import Latent

/// `latent similar`: the items most related to an item.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Print the items most related to an item by their factor vectors.",
        discussion: """
            Euclidean: the smallest distance ||x_i - x_j|| (the course notes), scored as the negated distance. Cosine: \
            the largest cosine of the angle between the vectors.

            Example: latent similar --model u1.latent --item 50 --count 5 --metric cosine --json
            """)

    @Option(help: "A model file written by `latent train`.") var model: String
    @Option(help: "The item's identifier.") var item: String
    @Option(help: "How many items.") var count: Int = 10
    @Option(help: "How items are compared.") var metric: SimilarityMetric = .euclidean
    @Option(help: "An item file (u.item or movies.csv) to show titles from.") var items: String?
    @Flag(help: "Print one JSON object: {\"item\", \"items\": [{\"item\", \"score\", \"title\"}]}.") var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let m = try ModelRegistry.load(from: URL(fileURLWithPath: model))
        let titles = try items.map { try ItemCatalog.read(URL(fileURLWithPath: $0)).titles }
        let list = try m.similarItems(to: item, count: count, metric: metric)
        try printItemList(ItemListReport(item: item, related: list, titles: titles), json: json,
                          scoreName: metric == .euclidean ? "-distance" : "cosine")
    }
}
