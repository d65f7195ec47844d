/// A list of scored items for output: recommendations for a user or the items related to an item. Encodes as the JSON
/// the command line and the service print: `{"user": "196", "items": [{"item": "50", "score": 4.6, "title": ...}]}`,
/// with `"item"` instead of `"user"` at the top for related items.
public struct ItemListReport: Sendable, Equatable, Codable {
    /// One scored item.
    public struct Entry: Sendable, Equatable, Codable {
        /// The item's identifier.
        public var item: String
        /// Its score (a predicted rating, a ranking score, or a similarity), rounded to Float precision.
        public var score: Double
        /// Its title, when a catalog was given.
        public var title: String?

        /// An entry from its parts.
        public init(item: String, score: Double, title: String? = nil) {
            self.item = item
            self.score = score
            self.title = title
        }
    }

    /// The user the items are recommended to, for recommendations.
    public var user: String?
    /// The item the items are related to, for related items.
    public var item: String?
    /// The items, best first.
    public var items: [Entry]

    /// Recommendations for `user`, with titles from `titles` where known.
    public init(user: String, recommendations: [ScoredID], titles: [String: String]? = nil) {
        self.user = user
        self.item = nil
        self.items = ItemListReport.entries(recommendations, titles)
    }

    /// The items related to `item`, with titles from `titles` where known.
    public init(item: String, related: [ScoredID], titles: [String: String]? = nil) {
        self.user = nil
        self.item = item
        self.items = ItemListReport.entries(related, titles)
    }

    static func entries(_ scored: [ScoredID], _ titles: [String: String]?) -> [Entry] {
        scored.map { Entry(item: $0.id, score: Double(shortest: $0.score), title: titles?[$0.id]) }
    }
}

extension Double {
    /// The Double with the shortest decimal form of `value` (4.6 rather than 4.599999904632568), for output.
    public init(shortest value: Float) {
        self = Double("\(value)") ?? Double(value)
    }
}
