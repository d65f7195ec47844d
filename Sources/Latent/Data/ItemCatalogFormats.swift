import Foundation

/// The readers of the MovieLens item file formats, line by line.
extension ItemCatalog {
    static func readUItem(_ lines: TextLines, name: String) throws -> ItemCatalog {
        var catalog = ItemCatalog(genreNames: movieLens100kGenres)
        var firstLine: [String: Int] = [:]
        for (number, line) in lines where !line.isEmpty {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == 24 else {
                throw DataError.malformed(file: name, line: number, field: fields.count < 5 ? "title" : "genres",
                                          reason: "expected 24 fields separated by '|' (id, title, release date, video release date, URL, 19 genre flags), found \(fields.count)")
            }
            try catalog.add(fields[0], title: String(fields[1]), line: number, name, &firstLine) {
                try (0..<19).compactMap { g -> String? in
                    switch fields[5 + g] {
                    case "1": return movieLens100kGenres[g]
                    case "0": return nil
                    default:
                        throw DataError.malformed(file: name, line: number, field: movieLens100kGenres[g],
                                                  reason: "'\(fields[5 + g])' is not a genre flag (0 or 1)")
                    }
                }
            }
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
            try catalog.add(fields[0], title: fields[1], line: number, name, &firstLine) {
                fields.count == 3 ? splitGenres(fields[2]) : []
            }
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
            try catalog.add(fields[0], title: fields[1], line: number, name, &firstLine) {
                fields.count == 3 ? splitGenres(fields[2]) : []
            }
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

    /// Adds the item `rawID` (trimmed; an empty or repeated identifier is an error) of line `line` with its title and
    /// genres; `seen` holds the line of each identifier so far.
    mutating func add(_ rawID: some StringProtocol, title: String, line: Int, _ name: String, _ seen: inout [String: Int],
                      genres: () throws -> [String]) throws {
        let id = rawID.trimmingCharacters(in: .whitespaces)
        try Self.checkID(id, line, name, &seen)
        titles[id] = title
        self.genres[id] = try genres()
    }
}
