import Foundation

/// Item metadata for output and for content-based models: titles and genres by item identifier.
public struct ItemCatalog: Sendable {
    /// Each item's title, by identifier.
    public var titles: [String: String]
    /// Each item's genres, by identifier.
    public var genres: [String: [String]]
    /// The genre names in column order, when the source has a fixed genre list (MovieLens `u.item`).
    public var genreNames: [String]

    /// A catalog from its parts.
    public init(titles: [String: String] = [:], genres: [String: [String]] = [:], genreNames: [String] = []) {
        self.titles = titles
        self.genres = genres
        self.genreNames = genreNames
    }

    /// The genre flags as item features (one 0/1 column per genre), for content-based recommendation.
    public func genreFeatures() -> ItemFeatures {
        let ids = titles.keys.sorted { a, b in (Int(a) ?? Int.max, a) < (Int(b) ?? Int.max, b) }
        let names = genreNames.isEmpty ? Array(Set(genres.values.joined())).sorted() : genreNames
        let column = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var m = Matrix(rows: ids.count, columns: names.count)
        for (r, id) in ids.enumerated() {
            for g in genres[id] ?? [] { if let c = column[g] { m[r, c] = 1 } }
        }
        return ItemFeatures(items: IDMap(ids), names: names, values: m)
    }
}
