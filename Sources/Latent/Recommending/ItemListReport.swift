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
        scored.map { Entry(item: $0.id, score: $0.score.shortestDouble, title: titles?[$0.id]) }
    }
}

extension Float {
    /// This value as the Double with the shortest decimal form (4.6 rather than 4.599999904632568), for output.
    public var shortestDouble: Double {
        Double("\(self)") ?? Double(self)
    }
}

/// The users most similar to a user, for output: `{"user": "196", "users": [{"user": "12", "score": 0.93}, ...]}`.
public struct SimilarUsersReport: Sendable, Equatable, Codable {
    /// One similar user.
    public struct Entry: Sendable, Equatable, Codable {
        /// The user's identifier.
        public var user: String
        /// The similarity (cosine, or the negated Euclidean distance).
        public var score: Double
    }
    /// The user the others are compared to.
    public var user: String
    /// The most similar users, most similar first.
    public var users: [Entry]

    /// The report of `similar` users to `user`.
    public init(user: String, similar: [ScoredID]) {
        self.user = user
        self.users = similar.map { Entry(user: $0.id, score: $0.score.shortestDouble) }
    }
}

/// One prediction, for output: `{"user", "item", "prediction", "known_user", "known_item"}`; the flags say whether the
/// model knows the user and the item (when not, the prediction is the model's fallback).
public struct PredictionReport: Sendable, Equatable, Codable {
    /// The user's identifier.
    public var user: String
    /// The item's identifier.
    public var item: String
    /// The predicted rating, clipped to the rating scale.
    public var prediction: Double
    /// Whether the model knows the user.
    public var knownUser: Bool
    /// Whether the model knows the item.
    public var knownItem: Bool

    enum CodingKeys: String, CodingKey {
        case user, item, prediction
        case knownUser = "known_user"
        case knownItem = "known_item"
    }

    /// A report from its parts.
    public init(user: String, item: String, prediction: Float, knownUser: Bool, knownItem: Bool) {
        self.user = user
        self.item = item
        self.prediction = prediction.shortestDouble
        self.knownUser = knownUser
        self.knownItem = knownItem
    }
}
