import Foundation
import Latent

/// The service's state and operations, apart from HTTP: a model snapshot that requests read, the rating store, and
/// the updates (rating posts, deletions, catalog edits, reloads) that swap snapshots.
///
/// Reads take the current ``Snapshot`` and never wait for an update. Updates run one at a time (``UpdateQueue``): each
/// writes the database, reads back what it needs, folds the user in again and swaps the snapshot, so the snapshot
/// always reflects every acknowledged write.
public final class RecommenderService: Sendable {
    /// The rating store.
    public let store: RatingStore
    /// The model file, read again by ``reload()``.
    public let modelPath: String
    let current: Locked<Snapshot>
    let updates = UpdateQueue()

    /// The snapshot requests read now.
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Opens the model at `modelPath` and the database at `databasePath`, seeds the catalog from `catalog` (entries the
    /// database already holds are kept) and folds every stored user in.
    public init(modelPath: String, databasePath: String, catalog: ItemCatalog? = nil) throws {
        let model = try ModelRegistry.load(from: URL(fileURLWithPath: modelPath))
        let store = try RatingStore(path: databasePath)
        if let catalog { try store.seed(Catalog.entries(of: catalog)) }
        self.store = store
        self.modelPath = modelPath
        current = Locked(Snapshot.build(model: model, modelPath: modelPath, generation: 1, ratings: try store.allRatings(),
                                        catalog: Catalog(try store.catalog())))
    }

    // MARK: Reads

    /// The `count` best items for `user`, best first, leaving out the items they rated (in the model or the store) and
    /// hidden items; `allowed` (when given) and `category` (when given) restrict the candidates, `denied` removes some.
    ///
    /// - Throws: 404 for a user with no ratings anywhere; 400 for an unknown category.
    public func recommendations(user: String, count: Int, allowed: [String]? = nil, denied: [String] = [],
                                category: String? = nil) throws -> ItemListReport {
        let s = snapshot
        let items = s.model.domain.items
        var allow = allowed.map { Set($0.compactMap { items.index(of: $0) }) }
        if let category {
            guard let members = s.catalog.categoryIndices[category] else {
                throw ServiceError.badRequest("unknown category '\(category)'")
            }
            allow = allow.map { $0.intersection(members) } ?? members
        }
        var deny = s.catalog.hiddenIndices
        for id in denied { if let i = items.index(of: id) { deny.insert(i) } }
        let entries: [TopK.Entry]
        if let folded = s.folded[user] {
            entries = s.model.recommend(folded, count: count, allowed: allow, excluded: deny)
        } else if let u = s.model.domain.users.index(of: user) {
            entries = s.model.recommend(user: u, count: count, excludeSeen: true, allowed: allow, excluded: deny)
        } else {
            throw ServiceError.notFound("user '\(user)' has no ratings in the model or the store")
        }
        // Scores clipped to the rating scale, as the library's recommend(user:) gives them.
        let clip = s.model.domain
        return ItemListReport(user: user, recommendations: entries.map { ScoredID(id: items[$0.index], score: clip.clip($0.score)) },
                              titles: nil).titled(by: s.catalog)
    }

    /// The `count` items most related to `item` by the model's item vectors.
    public func similarItems(to item: String, count: Int, metric: SimilarityMetric) throws -> ItemListReport {
        let s = snapshot
        do {
            let list = try s.model.similarItems(to: item, count: count, metric: metric)
            return ItemListReport(item: item, related: list, titles: nil).titled(by: s.catalog)
        } catch let error as RecommendationError {
            throw error.serviceError
        }
    }

    /// The `count` users most similar to `user` by the model's user vectors. A user with stored ratings is compared
    /// by their fold-in vector (their place among the users after the fold-in, as their recommendations use it), a
    /// user of the model without stored ratings by their trained vector.
    ///
    /// - Throws: 404 for a user with no ratings anywhere; 422 when the model has no user vectors (item-knn, ease,
    ///   rp3beta, popularity and the baselines), or gives no fold-in vector for this user.
    public func similarUsers(to user: String, count: Int, metric: SimilarityMetric) throws -> SimilarUsersReport {
        let s = snapshot
        do {
            if let folded = s.folded[user] {
                return SimilarUsersReport(user: user, similar: try s.model.similarUsers(to: folded, leavingOut: user,
                                                                                        count: count, metric: metric))
            }
            return SimilarUsersReport(user: user, similar: try s.model.similarUsers(to: user, count: count, metric: metric))
        } catch let error as RecommendationError {
            throw error.serviceError
        }
    }

    /// The predicted rating of `item` by `user`; a user known only from the store is predicted from their fold-in.
    public func predict(user: String, item: String) -> PredictionReport {
        let s = snapshot
        let domain = s.model.domain
        let knownItem = domain.items.contains(item)
        if let folded = s.folded[user] {
            return PredictionReport(user: user, item: item, prediction: s.model.predict(folded, item: item),
                                    knownUser: true, knownItem: knownItem)
        }
        return PredictionReport(user: user, item: item, prediction: s.model.predict(user: user, item: item),
                                knownUser: domain.users.contains(user), knownItem: knownItem)
    }

    /// What the model (its training ratings) and the store hold for `user` (the store's as the snapshot keeps them).
    public func ratings(of user: String) -> UserRatingsReport {
        let s = snapshot
        let domain = s.model.domain
        var fromModel: [UserRatingsReport.Entry] = []
        if let u = domain.users.index(of: user) {
            for n in domain.seen.range(of: u) {
                let id = domain.items[Int(domain.seen.indices[n])]
                fromModel.append(.init(item: id, rating: domain.seen.values[n].shortestDouble, title: s.catalog.title(id)))
            }
        }
        let stored = (s.stored[user] ?? []).map {
            UserRatingsReport.Entry(item: $0.item, rating: $0.value.shortestDouble, title: s.catalog.title($0.item), time: $0.time)
        }
        return UserRatingsReport(user: user, knownUser: domain.users.contains(user) || !stored.isEmpty,
                                 model: fromModel, stored: stored)
    }

    /// Catalog entries whose title contains `query` (ignoring case and diacritics), most rated in training first.
    public func items(matching query: String?, count: Int) -> ItemsReport {
        let s = snapshot
        let domain = s.model.domain
        let q = query?.trimmingCharacters(in: .whitespaces) ?? ""
        var hits: [(entry: CatalogItem, popularity: Int)] = []
        for entry in s.catalog.items.values {
            if !q.isEmpty {
                guard let title = entry.title,
                      title.range(of: q, options: [.caseInsensitive, .diacriticInsensitive]) != nil || entry.id == q
                else { continue }
            }
            hits.append((entry, domain.items.index(of: entry.id).map { s.popularity[$0] } ?? 0))
        }
        hits.sort { ($0.popularity, $1.entry.id) > ($1.popularity, $0.entry.id) }
        return ItemsReport(items: hits.prefix(count).map { ItemReport($0.entry, inModel: domain.items.contains($0.entry.id)) })
    }

    /// The catalog entry of `item`; an item of the model without an entry has no title.
    ///
    /// - Throws: 404 when neither the model nor the catalog knows the item.
    public func item(_ id: String) throws -> ItemReport {
        let s = snapshot
        let inModel = s.model.domain.items.contains(id)
        if let entry = s.catalog.items[id] { return ItemReport(entry, inModel: inModel) }
        guard inModel else { throw ServiceError.notFound("item '\(id)' is not in the model or the catalog") }
        return ItemReport(CatalogItem(id: id, title: nil), inModel: true)
    }

    // MARK: Updates

    /// Validates `ratings` of `user` as a whole, stores them in one transaction, then folds the user in again so that
    /// the next request uses them. Nothing is stored when any entry is invalid.
    ///
    /// - Throws: 400 for an empty list or an item given twice; 404 for an item neither the model nor the catalog
    ///   knows; 422 for a rating outside the model's scale, not finite, or missing (rating models), or a weight that is
    ///   not positive and finite (ranking models).
    public func post(user: String, ratings: [RatingInput]) async throws -> PostReport {
        let s = snapshot
        let values = try validate(ratings, in: s)
        return try await updates.run { [self] in
            try await store.store(user: user, ratings: values)
            let count = try await refold(user: user)
            return PostReport(user: user, stored: values.count, ratings: count)
        }
    }

    /// Deletes the stored rating of `item` by `user` and folds the user in again.
    ///
    /// - Throws: 404 when the store holds no such rating.
    public func deleteRating(user: String, item: String) async throws -> PostReport {
        try await updates.run { [self] in
            guard try await store.delete(user: user, item: item) else {
                throw ServiceError.notFound("user '\(user)' has no stored rating of item '\(item)'")
            }
            let count = try await refold(user: user)
            return PostReport(user: user, stored: 0, ratings: count)
        }
    }

    /// Creates or replaces the catalog entry of `id`; a hidden item is never recommended from the next request on.
    public func putItem(_ id: String, update: ItemUpdate) async throws -> ItemReport {
        try update.check()
        return try await updates.run { [self] in
            let entry = CatalogItem(id: id, title: update.title, categories: Array(Set(update.categories ?? [])).sorted(),
                                    hidden: update.hidden ?? false)
            try await store.put(entry)
            let s = snapshot
            current.withLock { $0 = s.with(catalog: s.catalog.with(entry, modelItems: s.model.domain.items)) }
            return ItemReport(entry, inModel: s.model.domain.items.contains(id))
        }
    }

    /// Reads the model file again and folds every stored user into it, then swaps it in; requests in flight finish on
    /// the old snapshot. On an error (a missing or damaged file) the old model stays.
    public func reload() async throws -> HealthReport {
        try await updates.run { [self] in
            let model: any Recommender
            do {
                model = try ModelRegistry.load(from: URL(fileURLWithPath: modelPath))
            } catch {
                throw ServiceError(.internalServerError, "reload failed, the previous model stays: \(error)")
            }
            let old = snapshot
            let next = Snapshot.build(model: model, modelPath: modelPath, generation: old.generation + 1,
                                      ratings: try store.allRatings(), catalog: Catalog(old.catalog.items))
            current.withLock { $0 = next }
            return health()
        }
    }

    /// The service's state: the model's facts and how many ratings are stored.
    public func health() -> HealthReport {
        let s = snapshot
        let d = s.model.domain
        return HealthReport(status: "ok", model: s.model.name, modelFile: s.modelPath, generation: s.generation,
                            task: s.ratesOnScale ? "rating" : "ranking",
                            ratingScale: d.ratingScale.map { [$0.lowerBound.shortestDouble, $0.upperBound.shortestDouble] },
                            users: d.users.count, items: d.items.count, foldedUsers: s.folded.count,
                            ratingsStored: s.storedCount, catalogItems: s.catalog.items.count)
    }

    /// Folds `user` in again from the store (after a write) and swaps the snapshot; returns their stored count.
    private func refold(user: String) async throws -> Int {
        let stored = try await store.ratings(of: user)
        let s = snapshot
        let folded = stored.isEmpty ? nil : s.model.foldIn(stored.map { ($0.item, $0.value) }, addingTo: user)
        current.withLock { $0 = s.with(user: user, stored: stored, folded: folded) }
        return stored.count
    }

    /// The ratings as (item, value) pairs, or the first problem with them.
    private func validate(_ ratings: [RatingInput], in s: Snapshot) throws -> [(item: String, value: Float)] {
        guard !ratings.isEmpty else { throw ServiceError.badRequest("no ratings given: send [{\"item\": \"50\", \"rating\": 5}, ...]") }
        var seen = Set<String>()
        let domain = s.model.domain
        return try ratings.enumerated().map { n, r in
            guard seen.insert(r.item).inserted else { throw ServiceError.badRequest("entry \(n): item '\(r.item)' is given twice") }
            guard domain.items.contains(r.item) || s.catalog.items[r.item] != nil else {
                throw ServiceError.notFound("entry \(n): item '\(r.item)' is not in the model or the catalog")
            }
            if let scale = domain.ratingScale {
                guard let value = r.rating else {
                    throw ServiceError.unprocessable("entry \(n): 'rating' is required by the \(s.model.name) model")
                }
                guard value.isFinite, Float(value).isFinite else {
                    throw ServiceError.unprocessable("entry \(n): the rating of item '\(r.item)' is not a finite number")
                }
                guard scale.contains(Float(value)) else {
                    throw ServiceError.unprocessable("entry \(n): rating \(value) of item '\(r.item)' is outside the model's scale \(scale.lowerBound.shortestDouble) to \(scale.upperBound.shortestDouble)")
                }
                return (r.item, Float(value))
            }
            let weight = r.rating ?? 1
            guard weight.isFinite, weight > 0, Float(weight).isFinite else {
                throw ServiceError.unprocessable("entry \(n): the weight \(weight) of item '\(r.item)' must be positive and finite")
            }
            return (r.item, Float(weight))
        }
    }
}

extension RecommendationError {
    /// The status the service answers with.
    var serviceError: ServiceError {
        switch self {
        case .unknownUser, .unknownItem: return ServiceError.notFound(description)
        case .unsupported: return ServiceError.unprocessable(description)
        }
    }
}

extension ItemListReport {
    /// The same list with titles from the catalog.
    func titled(by catalog: Catalog) -> ItemListReport {
        var r = self
        for n in r.items.indices { r.items[n].title = catalog.title(r.items[n].item) }
        return r
    }
}

/// Runs updates one at a time, in the order they arrive, without blocking a thread while one waits.
final class UpdateQueue: Sendable {
    private let last = Locked<Task<Void, Never>?>(nil)

    /// Runs `body` after every update queued before it has finished.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = last.withLock { last -> Task<T, any Error> in
            let previous = last
            let task = Task<T, any Error> {
                await previous?.value
                return try await body()
            }
            last = Task { _ = try? await task.value }
            return task
        }
        return try await task.value
    }
}
