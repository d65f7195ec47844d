import Foundation

/// Item metadata for output and for content-based models: titles and genres by item identifier.
public struct ItemCatalog: Sendable {
    /// Each item's title, by identifier.
    public var titles: [String: String]
    /// Each item's genres, by identifier.
    public var genres: [String: [String]]
    /// The genre names in column order, when the source has a fixed genre list (MovieLens `u.item`).
    public var genreNames: [String]

    /// The 19 genres of MovieLens 100k `u.item`, in the order of its flag columns.
    public static let movieLens100kGenres = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]

    /// The item file formats ``read(_:)`` recognizes.
    public enum Format: String, Sendable, CaseIterable {
        /// MovieLens 100k `u.item`: `id|title|release date|video release date|URL|` and 19 genre flags (0 or 1),
        /// usually in ISO-8859-1.
        case movielensItem = "u.item"
        /// MovieLens `movies.csv`: `movieId,title,genres` with a header, titles quoted when they hold commas, genres
        /// separated by `|` (`(no genres listed)` for none).
        case movielensCSV = "movies.csv"
        /// MovieLens 1M/10M `movies.dat`: `id::title::genres`.
        case movielensDat = "movies.dat"
    }

    /// A catalog from its parts.
    public init(titles: [String: String] = [:], genres: [String: [String]] = [:], genreNames: [String] = []) {
        self.titles = titles
        self.genres = genres
        self.genreNames = genreNames
    }

    /// The number of items with a title.
    public var count: Int { titles.count }

    /// The title of `item`, if known.
    public func title(of item: String) -> String? { titles[item] }

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

    /// Reads MovieLens `u.item`, `movies.csv` or `movies.dat`, detected from the content. The text is decoded as
    /// UTF-8 when it is valid UTF-8, as ISO-8859-1 (Latin-1) otherwise (MovieLens 100k and 1M are Latin-1).
    public static func read(_ url: URL) throws -> ItemCatalog {
        try read(data: try readWholeFile(url), name: url.path)
    }

    /// Reads a catalog from the bytes of a file; `name` names it in errors.
    public static func read(data: Data, name: String, format: Format? = nil) throws -> ItemCatalog {
        let text = decodeText(data)
        let lines = TextLines(text)
        guard let first = lines.firstContentLine else { throw DataError.empty(file: name) }
        guard let format = format ?? detect(firstLine: first) else {
            throw DataError.malformed(file: name, line: lines.firstContentLineNumber, field: "format", reason: formatHelp)
        }
        var catalog: ItemCatalog
        switch format {
        case .movielensItem: catalog = try readUItem(lines, name: name)
        case .movielensCSV: catalog = try readMoviesCSV(lines, name: name)
        case .movielensDat: catalog = try readMoviesDat(lines, name: name)
        }
        guard !catalog.titles.isEmpty else { throw DataError.empty(file: name) }
        if catalog.genreNames.isEmpty {
            catalog.genreNames = Array(Set(catalog.genres.values.joined())).sorted()
        }
        return catalog
    }

    /// What a first line that matches no item file format should have been.
    static let formatHelp = "not a MovieLens item file (u.item: 24 fields separated by '|'; movies.csv: movieId,title,genres; movies.dat: id::title::genres)"

    /// The format of a catalog whose first line is `firstLine`, or nil.
    public static func detect(firstLine: String) -> Format? {
        if firstLine.contains("::") { return .movielensDat }
        if firstLine.split(separator: "|", omittingEmptySubsequences: false).count == 24 && !firstLine.hasPrefix("\"") {
            return .movielensItem
        }
        let lower = firstLine.lowercased()
        if lower.hasPrefix("movieid,") || lower.hasPrefix("itemid,") || lower.hasPrefix("id,title") { return .movielensCSV }
        if let fields = try? CSV.fields(firstLine), fields.count == 3, Int(fields[0]) != nil { return .movielensCSV }
        return nil
    }
}
