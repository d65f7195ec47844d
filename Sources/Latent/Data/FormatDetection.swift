import Foundation

extension RatingReader {
    /// Detects the layout from the first line of a file (see ``detectLayout(lines:)``).
    public static func detectLayout(_ firstLine: String) -> DelimitedLayout {
        detectLayout(lines: [firstLine])
    }

    /// Detects the layout from the first lines of a file (blank and `#` lines are ignored).
    ///
    /// No one line decides alone: the separator is the one found in the most lines of the sample, and in more than
    /// half of them (`::`, tab, comma, semicolon, `|` in this order on ties; else white space), and the number of fields is the most
    /// common count among the data lines (the larger on ties): 2 fields make an interaction file (every line worth 1),
    /// 3 a rating file, 4 a rating file with timestamps. A line that does not match the layout chosen is then an error
    /// with its line number, never read as something else. The first line is a header only when it holds no number
    /// and names at least one column (`user`, `userId`, `item`, `movieId`, `rating`, `timestamp`, ...); its names also
    /// set the column order when they name the user and the item.
    public static func detectLayout(lines: [String]) -> DelimitedLayout {
        let sample = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
            .filter { let t = $0.trimmingCharacters(in: .whitespaces); return !t.isEmpty && !t.hasPrefix("#") }
        guard let first = sample.first else { return RatingFileFormat.libmf.layout! }
        var separator = DelimitedLayout.Separator.whitespace
        var most = 0
        for candidate in ["::", "\t", ",", ";", "|"] {
            let n = sample.filter { $0.contains(candidate) }.count
            if n > most && 2 * n > sample.count { most = n; separator = .string(candidate) }
        }

        func fields(_ line: String) -> [String] {
            let parts: [Substring]
            switch separator {
            case .whitespace: parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            case let .string(s): parts = line.split(separator: s, omittingEmptySubsequences: false)
            }
            return parts.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"")) }
        }
        func isNumber(_ s: String) -> Bool { parseFloat(s)?.isFinite == true }

        let head = fields(first)
        let roles = head.map(ColumnRole.init(name:))
        let hasHeader = !head.contains(where: isNumber) && roles.contains { $0 != nil }
        if hasHeader && roles.contains(.user) && roles.contains(.item) {
            var at: [ColumnRole: Int] = [:]
            for (c, r) in roles.enumerated() { if let r, at[r] == nil { at[r] = c } }
            // The MovieLens layout keeps its name even when the file has no timestamp column.
            if separator == .string(","), at[.user] == 0, at[.item] == 1, at[.rating] == 2, at[.timestamp] ?? 3 == 3,
               head.count <= 4 {
                return RatingFileFormat.movielensCSV.layout!
            }
            return DelimitedLayout(separator: separator, userColumn: at[.user]!, itemColumn: at[.item]!,
                                   ratingColumn: at[.rating], timestampColumn: at[.timestamp], hasHeader: true,
                                   columnCount: head.count)
        }
        // The most common field count of the data lines, the larger on ties.
        var tally: [Int: Int] = [:]
        for line in sample.dropFirst(hasHeader ? 1 : 0) { tally[fields(line).count, default: 0] += 1 }
        let count = tally.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? head.count
        if count == 2 {
            return DelimitedLayout(separator: separator, ratingColumn: nil, timestampColumn: nil, hasHeader: hasHeader)
        }
        if separator == .whitespace && count == 3 {
            return DelimitedLayout(separator: separator, timestampColumn: nil, hasHeader: hasHeader)
        }
        return DelimitedLayout(separator: separator, hasHeader: hasHeader)
    }

    /// How many lines detection looks at.
    static let detectionLines = 8

    /// Up to `count` first lines of `bytes`, decoded as UTF-8.
    static func firstLines(_ bytes: UnsafeRawBufferPointer, _ count: Int) -> [String] {
        var lines: [String] = []
        var start = 0
        while start < bytes.count && lines.count < count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            start = end + 1
        }
        return lines
    }
}
