import ArgumentParser
import Foundation
import Latent

/// `latent recommend`: the top-N items for a known user (`--user`), for a new user from their ratings or
/// interactions without retraining (`--ratings`, fold-in), or for many known users at once (`--users`).
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print the best items for a user, leaving out what the user rated in training.",
        discussion: """
            Give exactly one of --user (a user the model knows), --ratings (a new user, folded in without retraining) \
            or --users (many known users, one list each).

            --ratings ITEM:VALUE,...: for a rating model the values are ratings on the model's scale (50:5,172:4). For \
            an interaction model (popularity, implicit-als, ease, gf-cf, item-knn, rp3beta, bpr, mult-dae, neural trained on interactions) a value is an \
            interaction weight (the confidence of implicit ALS grows with it), and a bare item (50,172,181) is an \
            interaction of weight 1. The given items are never recommended; items the model does not know are ignored \
            with a note. With nothing known the new user gets the model's fallback (popularity, means). JSON: \
            {"user": null, "items": [...]}.

            --users FILE_OR_LIST: the lists are computed on --threads threads; --json prints one JSON object per line, \
            one line per user, in the order given.

            --allow and --deny take a comma-separated list of item identifiers or a file listing them (one per line or \
            comma-separated): only allowed items are recommended, denied items never.

            Examples: latent recommend --model u1.latent --user 196 --count 10 --items ml-100k/u.item --json
                      latent recommend --model u1.latent --ratings 50:5,172:5,181:5 --count 10
                      latent recommend --model u1.latent --users 1,2,3 --deny 50,181 --threads 2 --json
            """)

    @Option(help: "A model file written by `latent train`.") var model: String
    @Option(parsing: .unconditional, help: "The identifier of a user the model knows.") var user: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("A new user's ratings (item:rating,...) or interactions (item,... or item:weight,...), folded in.",
                               valueName: "item:value,..."))
    var ratings: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Many known users: a comma-separated list or a file of identifiers.", valueName: "file-or-list"))
    var users: String?
    @Option(help: "How many items.") var count: Int = 10
    @Option(help: "An item file (u.item or movies.csv) to show titles from.") var items: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Recommend only these items: a comma-separated list or a file of identifiers.", valueName: "file-or-list"))
    var allow: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Never recommend these items: a comma-separated list or a file of identifiers.", valueName: "file-or-list"))
    var deny: String?
    @Flag(name: .customLong("include-seen"), help: "Also recommend items the user rated in training (--user, --users).")
    var includeSeen = false
    @Option(help: "Threads for --users (default: all cores).") var threads: Int = allCores
    @Flag(help: "Print JSON: {\"user\", \"items\": [{\"item\", \"score\", \"title\"}]} (one line per user with --users; \"user\" is null with --ratings).")
    var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard [user, ratings, users].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --user, --ratings and --users")
        }
        if includeSeen && ratings != nil {
            throw ValidationError("--include-seen applies to --user and --users: the items given with --ratings are never recommended")
        }
    }

    func run() throws {
        let console = Console.current
        let m = try ModelReference.loadFile(model)
        let titles = try items.map { try ItemCatalog.read(URL(fileURLWithPath: $0)).titles }
        let allowed = try allow.map { Set(try itemList($0, option: "--allow", model: m)) }
        let excluded = try deny.map { Set(try itemList($0, option: "--deny", model: m)) } ?? []
        let scoreName = isInteractionModel(m) ? "score" : "predicted"

        if let user {
            let list = try m.recommend(user: user, count: count, excludeSeen: !includeSeen, allowed: allowed, excluded: excluded)
            try printItemList(ItemListReport(user: user, recommendations: list, titles: titles), json: json, scoreName: scoreName)
        } else if let ratings {
            let given: [(item: String, value: Float)]
            do {
                given = try FoldInRatings.parse(ratings, interactions: isInteractionModel(m), scale: m.domain.ratingScale)
            } catch let error as FoldInError {
                throw OptionError("--ratings: \(error)")
            }
            let unknown = given.map(\.item).filter { !m.domain.items.contains($0) }
            if !unknown.isEmpty {
                console.note("note: the model does not know item\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")): ignored"
                             + (unknown.count == given.count ? "; the new user gets the model's fallback" : ""))
            }
            let list = m.recommend(foldingIn: given, count: count, allowed: allowed, excluded: excluded)
            let report = ItemListReport(user: "(new)", recommendations: list, titles: titles)
            if json {
                console.line(try jsonLine(NewUserReport(items: report.items)))
            } else {
                try printItemList(report, json: false, scoreName: scoreName)
            }
        } else if let users {
            let ids = try identifierList(users, option: "--users")
            let lists = try m.recommend(users: ids, count: count, excludeSeen: !includeSeen, allowed: allowed,
                                        excluded: excluded, threads: threads)
            for (n, (id, list)) in zip(ids, lists).enumerated() {
                let report = ItemListReport(user: id, recommendations: list, titles: titles)
                if json {
                    console.line(try jsonLine(report))
                } else {
                    if n > 0 { console.line() }
                    console.line("user \(id)")
                    try printItemList(report, json: false, scoreName: scoreName)
                }
            }
        }
    }
}

/// The JSON of recommendations for a new user: `{"user": null, "items": [...]}`.
struct NewUserReport: Encodable {
    var items: [ItemListReport.Entry]

    enum CodingKeys: String, CodingKey { case user, items }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeNil(forKey: .user)
        try c.encode(items, forKey: .items)
    }
}

/// Whether `model` learns from interactions, so that fold-in values are interaction weights rather than ratings.
func isInteractionModel(_ model: any Recommender) -> Bool { model.domain.task == .ranking }

/// The item identifiers of `--allow` or `--deny`; those the model does not know are noted on the error stream.
private func itemList(_ text: String, option: String, model: any Recommender) throws -> [String] {
    let ids = try identifierList(text, option: option)
    let unknown = ids.filter { !model.domain.items.contains($0) }
    if !unknown.isEmpty {
        let shown = unknown.prefix(5).joined(separator: ", ") + (unknown.count > 5 ? ", ..." : "")
        Console.current.note("note: \(unknown.count) item\(unknown.count == 1 ? "" : "s") of \(option) not in the model: \(shown)")
    }
    return ids
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
