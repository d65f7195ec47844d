import Foundation

/// One entry of `POST /users/{id}/ratings`: `{"item": "50", "rating": 5}`; `rating` is optional for ranking models
/// (an interaction's weight, 1 when left out).
public struct RatingInput: Sendable, Equatable, Codable {
    /// The item's identifier.
    public var item: String
    /// The rating, or the interaction's weight.
    public var rating: Double?

    /// An entry from its parts.
    public init(item: String, rating: Double?) {
        self.item = item
        self.rating = rating
    }
}

/// The body of `PUT /items/{id}`: `{"title", "categories", "hidden"}`; a field left out is empty (no title, no
/// categories, not hidden).
public struct ItemUpdate: Sendable, Equatable, Codable {
    /// The title.
    public var title: String?
    /// The categories.
    public var categories: [String]?
    /// Whether the item is hidden from recommendations.
    public var hidden: Bool?

    /// An update from its parts.
    public init(title: String?, categories: [String]?, hidden: Bool?) {
        self.title = title
        self.categories = categories
        self.hidden = hidden
    }

    /// Rejects empty category names.
    func check() throws {
        if let c = categories?.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ServiceError.unprocessable("category '\(c)' is empty")
        }
    }
}

/// The answer of `POST /users/{id}/ratings` and `DELETE /users/{id}/ratings/{item}`.
public struct PostReport: Sendable, Equatable, Codable {
    /// The user.
    public var user: String
    /// How many ratings this request stored.
    public var stored: Int
    /// How many ratings the store now holds for the user.
    public var ratings: Int
}

/// `GET /users/{id}/ratings`: what the model was trained on for the user and what the store holds.
public struct UserRatingsReport: Sendable, Equatable, Codable {
    /// One rating.
    public struct Entry: Sendable, Equatable, Codable {
        /// The item.
        public var item: String
        /// The rating (or interaction weight).
        public var rating: Double
        /// The item's title, when the catalog has one.
        public var title: String?
        /// When it was stored (seconds since 1970), for stored ratings.
        public var time: Double?
    }
    /// The user.
    public var user: String
    /// Whether the model or the store knows the user.
    public var knownUser: Bool
    /// The ratings the model was trained on.
    public var model: [Entry]
    /// The ratings stored by the service, oldest first.
    public var stored: [Entry]

    enum CodingKeys: String, CodingKey {
        case user, model, stored
        case knownUser = "known_user"
    }
}

/// One catalog entry: `GET /items/{id}`, `PUT /items/{id}`.
public struct ItemReport: Sendable, Equatable, Codable {
    /// The item.
    public var item: String
    /// Its title, if known.
    public var title: String?
    /// Its categories.
    public var categories: [String]
    /// Whether it is hidden from recommendations.
    public var hidden: Bool
    /// Whether the model knows it (only such items are recommended).
    public var inModel: Bool

    enum CodingKeys: String, CodingKey {
        case item, title, categories, hidden
        case inModel = "in_model"
    }

    init(_ entry: CatalogItem, inModel: Bool) {
        item = entry.id
        title = entry.title
        categories = entry.categories
        hidden = entry.hidden
        self.inModel = inModel
    }
}

/// `GET /items`: catalog entries matching a title search.
public struct ItemsReport: Sendable, Equatable, Codable {
    /// The entries, most rated in training first.
    public var items: [ItemReport]
}

/// `GET /health` and `POST /admin/reload`: the model being served and the store.
public struct HealthReport: Sendable, Equatable, Codable {
    /// `ok`.
    public var status: String
    /// The model's name (`biased-mf`).
    public var model: String
    /// The model file.
    public var modelFile: String
    /// How many times a model was loaded (1, then one more per reload).
    public var generation: Int
    /// `rating` (the model predicts ratings on a scale) or `ranking` (interactions).
    public var task: String
    /// The rating scale, `[low, high]`, for rating models.
    public var ratingScale: [Double]?
    /// Users and items the model knows.
    public var users: Int
    public var items: Int
    /// Users folded in from stored ratings.
    public var foldedUsers: Int
    /// Ratings in the store.
    public var ratingsStored: Int
    /// Entries in the catalog.
    public var catalogItems: Int

    enum CodingKeys: String, CodingKey {
        case status, model, generation, task, users, items
        case modelFile = "model_file"
        case ratingScale = "rating_scale"
        case foldedUsers = "folded_users"
        case ratingsStored = "ratings_stored"
        case catalogItems = "catalog_items"
    }
}

/// The body of every error response: `{"error": "..."}`.
public struct ErrorReport: Sendable, Equatable, Codable {
    /// What went wrong.
    public var error: String
}
