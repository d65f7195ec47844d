import Foundation

extension ItemFeatures {
    /// Reads item features: a MovieLens item file (``ItemCatalog/read(_:)``: `u.item`, `movies.dat`, or `movies.csv`
    /// with its header; its genres as 0/1 features), or else a CSV of `item,feature1,...` (``read(csv:)``).
    public static func read(_ url: URL) throws -> ItemFeatures {
        try read(data: try readWholeFile(url), name: url.path)
    }

    /// Reads item features from the bytes of a file (see ``read(_:)``); `name` names it in errors.
    public static func read(data: Data, name: String) throws -> ItemFeatures {
        let text = decodeText(data)
        let lines = TextLines(text)
        if let first = lines.firstContentLine {
            if let format = ItemCatalog.detect(firstLine: first), format != .movielensCSV || first.lowercased().contains(",title") {
                return try ItemCatalog.read(data: data, name: name, format: format).genreFeatures()
            }
            // '|' and '::' separate MovieLens item files, never a feature CSV: say what the line should have been.
            if first.contains("|") || first.contains("::") {
                throw DataError.malformed(file: name, line: lines.firstContentLineNumber, field: "format",
                                          reason: ItemCatalog.formatHelp)
            }
        }
        return try read(csvText: text, name: name)
    }

    /// Reads a CSV of `item,feature1,feature2,...` lines: an item identifier then numbers, the same count on every
    /// line. A first line whose features hold no number is a header naming them; without one they are named
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
            if isFirst && !cells.dropFirst().contains(where: { RatingReader.parseFloat($0)?.isFinite == true }) {
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
                guard let v = RatingReader.parseFloat(cell) else {
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
