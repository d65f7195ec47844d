import Foundation
import Latent

/// What one request reads: a trained model with the stored ratings folded in, the stored ratings themselves, and the
/// catalog, so that no read touches the database. Immutable: a fold-in, a catalog edit or a reload builds a new
/// snapshot and swaps it in whole, so a request never sees half an update and never waits for one.
public struct Snapshot: Sendable {
    /// The model as read from its file.
    public let model: any Recommender
    /// Where it was read from.
    public let modelPath: String
    /// How many times a model was loaded (1 for the first).
    public let generation: Int
    /// The users with stored ratings, folded into the model (known users' training ratings included).
    public let folded: [String: FoldedInUser]
    /// The stored ratings of each user, oldest first, as the database holds them.
    public let stored: [String: [StoredRating]]
    /// How many ratings the database holds.
    public let storedCount: Int
    /// The catalog (titles, categories, hidden items).
    public let catalog: Catalog
    /// How many training interactions each item (dense index) has: the order of catalog listings.
    public let popularity: [Int]

    /// Whether the model is for ratings (it has a rating scale) rather than for interactions (ranking).
    public var ratesOnScale: Bool { model.domain.ratingScale != nil }

    /// A copy with `user`'s stored ratings and fold-in replaced (both removed when `ratings` is empty).
    func with(user: String, stored ratings: [StoredRating], folded entry: FoldedInUser?) -> Snapshot {
        var f = folded, st = stored
        f[user] = entry
        st[user] = ratings.isEmpty ? nil : ratings
        return Snapshot(model: model, modelPath: modelPath, generation: generation, folded: f, stored: st,
                        storedCount: storedCount - (stored[user]?.count ?? 0) + ratings.count, catalog: catalog,
                        popularity: popularity)
    }

    /// A copy with another catalog.
    func with(catalog: Catalog) -> Snapshot {
        Snapshot(model: model, modelPath: modelPath, generation: generation, folded: folded, stored: stored,
                 storedCount: storedCount, catalog: catalog, popularity: popularity)
    }

    /// A snapshot of `model` with every user of `ratings` folded in.
    static func build(model: any Recommender, modelPath: String, generation: Int, ratings: [StoredRating],
                      catalog: Catalog) -> Snapshot {
        var byUser: [String: [StoredRating]] = [:]
        for r in ratings { byUser[r.user, default: []].append(r) }
        var folded: [String: FoldedInUser] = [:]
        for (user, list) in byUser { folded[user] = model.foldIn(list.map { ($0.item, $0.value) }, addingTo: user) }
        let domain = model.domain
        var popularity = [Int](repeating: 0, count: domain.items.count)
        for i in domain.seen.indices { popularity[Int(i)] += 1 }
        return Snapshot(model: model, modelPath: modelPath, generation: generation, folded: folded, stored: byUser,
                        storedCount: ratings.count, catalog: catalog.indexed(for: domain.items), popularity: popularity)
    }
}

/// The catalog as requests read it: entries by identifier, and the dense model indices of hidden items and of each
/// category, computed once per model and edit.
public struct Catalog: Sendable {
    /// The entries, by item identifier.
    public let items: [String: CatalogItem]
    /// Dense model indices of the hidden items.
    public let hiddenIndices: Set<Int>
    /// Dense model indices of the items of each category.
    public let categoryIndices: [String: Set<Int>]

    /// A catalog of `items`, not yet indexed for a model.
    public init(_ items: [String: CatalogItem]) {
        self.items = items
        hiddenIndices = []
        categoryIndices = [:]
    }

    init(items: [String: CatalogItem], hiddenIndices: Set<Int>, categoryIndices: [String: Set<Int>]) {
        self.items = items
        self.hiddenIndices = hiddenIndices
        self.categoryIndices = categoryIndices
    }

    /// The same entries with the dense indices of `modelItems`.
    func indexed(for modelItems: IDMap) -> Catalog {
        var hidden = Set<Int>()
        var categories: [String: Set<Int>] = [:]
        for (id, entry) in items {
            guard let i = modelItems.index(of: id) else { continue }
            if entry.hidden { hidden.insert(i) }
            for c in entry.categories { categories[c, default: []].insert(i) }
        }
        return Catalog(items: items, hiddenIndices: hidden, categoryIndices: categories)
    }

    /// A copy with `entry` added or replaced, indexed for `modelItems`.
    func with(_ entry: CatalogItem, modelItems: IDMap) -> Catalog {
        var all = items
        all[entry.id] = entry
        return Catalog(all).indexed(for: modelItems)
    }

    /// The title of `item`, if the catalog has one.
    func title(_ item: String) -> String? { items[item]?.title }

    /// The entries of a MovieLens item file (`u.item`, `movies.csv` or `movies.dat`), genres as categories.
    public static func entries(of catalog: ItemCatalog) -> [CatalogItem] {
        catalog.titles.map { id, title in
            CatalogItem(id: id, title: title, categories: (catalog.genres[id] ?? []).sorted(), hidden: false)
        }.sorted { $0.id < $1.id }
    }
}
