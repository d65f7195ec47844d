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
            throw DataError.malformed(file: name, line: lines.firstContentLineNumber, field: "format",
                                      reason: "not a MovieLens item file (u.item: 24 fields separated by '|'; movies.csv: movieId,title,genres; movies.dat: id::title::genres)")
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

    static func readUItem(_ lines: TextLines, name: String) throws -> ItemCatalog {
        var catalog = ItemCatalog(genreNames: movieLens100kGenres)
        var firstLine: [String: Int] = [:]
        for (number, line) in lines where !line.isEmpty {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == 24 else {
                throw DataError.malformed(file: name, line: number, field: fields.count < 5 ? "title" : "genres",
                                          reason: "expected 24 fields separated by '|' (id, title, release date, video release date, URL, 19 genre flags), found \(fields.count)")
            }
            let id = fields[0].trimmingCharacters(in: .whitespaces)
            try checkID(id, number, name, &firstLine)
            catalog.titles[id] = String(fields[1])
            var genres: [String] = []
            for g in 0..<19 {
                switch fields[5 + g] {
                case "1": genres.append(movieLens100kGenres[g])
                case "0": break
                default:
                    throw DataError.malformed(file: name, line: number, field: movieLens100kGenres[g],
                                              reason: "'\(fields[5 + g])' is not a genre flag (0 or 1)")
                }
            }
            catalog.genres[id] = genres
        }
        return catalog
    }

    static func readMoviesCSV(_ lines: TextLines, name: String) throws -> ItemCatalog {
        var catalog = ItemCatalog()
        var firstLine: [String: Int] = [:]
        var records = CSV.Records(lines)
        var isFirst = true
        while let (number, fields) = try records.next(name: name) {
            defer { isFirst = false }
            if isFirst, let head = fields.first?.lowercased(), ["movieid", "itemid", "id", "item", "movie"].contains(head) {
                continue
            }
            guard fields.count >= 2 else {
                throw DataError.malformed(file: name, line: number, field: "title",
                                          reason: "missing: expected movieId,title,genres, found \(fields.count) field")
            }
            guard fields.count <= 3 else {
                throw DataError.malformed(file: name, line: number, field: "title",
                                          reason: "expected 3 fields (movieId,title,genres), found \(fields.count): quote titles that contain commas")
            }
            let id = fields[0].trimmingCharacters(in: .whitespaces)
            try checkID(id, number, name, &firstLine)
            catalog.titles[id] = fields[1]
            catalog.genres[id] = fields.count == 3 ? splitGenres(fields[2]) : []
        }
        return catalog
    }

    static func readMoviesDat(_ lines: TextLines, name: String) throws -> ItemCatalog {
        var catalog = ItemCatalog()
        var firstLine: [String: Int] = [:]
        for (number, line) in lines where !line.isEmpty {
            let fields = line.components(separatedBy: "::")
            guard fields.count == 3 || fields.count == 2 else {
                throw DataError.malformed(file: name, line: number, field: fields.count < 2 ? "title" : "genres",
                                          reason: "expected 3 fields separated by '::' (id, title, genres), found \(fields.count)")
            }
            let id = fields[0].trimmingCharacters(in: .whitespaces)
            try checkID(id, number, name, &firstLine)
            catalog.titles[id] = fields[1]
            catalog.genres[id] = fields.count == 3 ? splitGenres(fields[2]) : []
        }
        return catalog
    }

    static func splitGenres(_ text: String) -> [String] {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty || t == "(no genres listed)" { return [] }
        return t.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func checkID(_ id: String, _ line: Int, _ name: String, _ seen: inout [String: Int]) throws {
        guard !id.isEmpty else { throw DataError.malformed(file: name, line: line, field: "item", reason: "empty identifier") }
        if let earlier = seen[id] {
            throw DataError.malformed(file: name, line: line, field: "item", reason: "duplicate identifier '\(id)' (first on line \(earlier))")
        }
        seen[id] = line
    }
}

extension ItemFeatures {
    /// Reads item features: a MovieLens item file (``ItemCatalog/read(_:)``: `u.item`, `movies.dat`, or `movies.csv`
    /// with its header; its genres as 0/1 features), or else a CSV of `item,feature1,...` (``read(csv:)``).
    public static func read(_ url: URL) throws -> ItemFeatures {
        let data = try readWholeFile(url)
        let text = decodeText(data)
        if let first = TextLines(text).firstContentLine, let format = ItemCatalog.detect(firstLine: first),
           format != .movielensCSV || first.lowercased().contains(",title") {
            return try ItemCatalog.read(data: data, name: url.path, format: format).genreFeatures()
        }
        return try read(csvText: text, name: url.path)
    }

    /// Reads a CSV of `item,feature1,feature2,...` lines: an item identifier then numbers, the same count on every
    /// line. A first line whose features are not all numbers is a header naming them; without one they are named
    /// `feature1`, `feature2`, ... Tabs or semicolons may separate fields instead of commas.
    public static func read(csv url: URL) throws -> ItemFeatures {
        try read(csvText: decodeText(try readWholeFile(url)), name: url.path)
    }

    /// Reads item features from CSV text (see ``read(csv:)``); `name` names it in errors.
    public static func read(csvText text: String, name: String = "<text>") throws -> ItemFeatures {
        let lines = TextLines(text)
        guard let first = lines.firstContentLine else { throw DataError.empty(file: name) }
        let separator: Character = first.contains(",") ? "," : first.contains("\t") ? "\t" : first.contains(";") ? ";" : ","
        var names: [String]?
        var ids: [String] = []
        var values: [Float] = []
        var seen: [String: Int] = [:]
        var width = -1
        var records = CSV.Records(lines, separator: separator)
        var isFirst = true
        while let (number, fields) = try records.next(name: name) {
            defer { isFirst = false }
            let cells = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if isFirst && cells.dropFirst().contains(where: { Float($0) == nil }) {
                names = Array(cells.dropFirst())
                width = names!.count
                continue
            }
            guard cells.count >= 2 else {
                throw DataError.malformed(file: name, line: number, field: "feature", reason: "missing: the line has no feature after the item")
            }
            if width < 0 { width = cells.count - 1 }
            guard cells.count - 1 == width else {
                throw DataError.malformed(file: name, line: number, field: cells.count - 1 < width ? (names?[cells.count - 1] ?? "feature\(cells.count)") : "item",
                                          reason: "the line has \(cells.count - 1) feature\(cells.count == 2 ? "" : "s"), expected \(width)")
            }
            try ItemCatalog.checkID(cells[0], number, name, &seen)
            ids.append(cells[0])
            for (k, cell) in cells.dropFirst().enumerated() {
                let field = names?[k] ?? "feature\(k + 1)"
                guard let v = Float(cell) else {
                    throw DataError.malformed(file: name, line: number, field: field,
                                              reason: cell.isEmpty ? "empty, expected a number" : "'\(cell)' is not a number")
                }
                guard v.isFinite else { throw DataError.malformed(file: name, line: number, field: field, reason: "'\(cell)' is not a finite number") }
                values.append(v)
            }
        }
        guard !ids.isEmpty else { throw DataError.empty(file: name) }
        let featureNames = names ?? (1...width).map { "feature\($0)" }
        return ItemFeatures(items: IDMap(ids), names: featureNames,
                            values: Matrix(rows: ids.count, columns: width, storage: values))
    }
}

/// The whole file at `url`, or a typed error.
func readWholeFile(_ url: URL) throws -> Data {
    let file = try MappedFile(url)
    return file.withBytes { Data($0) }
}

/// The text of `data`: UTF-8 when it is valid UTF-8 (a byte order mark is dropped), ISO-8859-1 otherwise.
func decodeText(_ data: Data) -> String {
    var bytes = data
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    if let s = String(validating: bytes, as: UTF8.self) { return s }
    var latin1 = String.UnicodeScalarView()
    latin1.append(contentsOf: bytes.map { Unicode.Scalar($0) })
    return String(latin1)
}

/// The lines of a text, numbered from 1, without line ends.
struct TextLines: Sequence {
    let lines: [Substring]

    init(_ text: String) {
        // "\r\n" is one Character, so both line ends are looked for.
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    func makeIterator() -> some IteratorProtocol<(Int, String)> {
        lines.enumerated().lazy.map { ($0.offset + 1, String($0.element)) }.makeIterator()
    }

    var firstContentLineNumber: Int {
        (lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0) + 1
    }

    var firstContentLine: String? {
        lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
    }
}

/// Comma-separated values as RFC 4180 writes them: fields in double quotes may hold separators, newlines and `""`.
enum CSV {
    /// The fields of one line (quotes must close on the line).
    static func fields(_ line: String, separator: Character = ",") throws -> [String] {
        var records = Records(TextLines(line), separator: separator)
        return try records.next(name: "")?.1 ?? []
    }

    /// The records of a text, skipping blank lines; a quoted field may run over several lines.
    struct Records {
        let lines: [Substring]
        let separator: Character
        var index = 0

        init(_ lines: TextLines, separator: Character = ",") {
            self.lines = lines.lines
            self.separator = separator
        }

        /// The next record and the number of the line it starts on, or nil at the end.
        mutating func next(name: String) throws -> (Int, [String])? {
            while index < lines.count && lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
            guard index < lines.count else { return nil }
            let start = index + 1
            var fields: [String] = []
            var field = ""
            var quoted = false, wasQuoted = false
            var line = lines[index]
            index += 1
            var i = line.startIndex
            while true {
                if i == line.endIndex {
                    if quoted {
                        guard index < lines.count else {
                            throw DataError.malformed(file: name, line: start, field: "field \(fields.count + 1)", reason: "a quote is never closed")
                        }
                        field.append("\n")
                        line = lines[index]
                        index += 1
                        i = line.startIndex
                        continue
                    }
                    fields.append(field)
                    return (start, fields)
                }
                let c = line[i]
                if quoted {
                    if c == "\"" {
                        let after = line.index(after: i)
                        if after < line.endIndex && line[after] == "\"" {
                            field.append("\"")
                            i = line.index(after: after)
                            continue
                        }
                        quoted = false
                    } else {
                        field.append(c)
                    }
                } else if c == separator {
                    fields.append(field)
                    field = ""
                    wasQuoted = false
                } else if c == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
                    field = ""
                    quoted = true
                    wasQuoted = true
                } else {
                    field.append(c)
                }
                i = line.index(after: i)
            }
        }
    }
}
