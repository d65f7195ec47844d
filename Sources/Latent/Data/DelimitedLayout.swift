import Foundation

/// The layout of a delimited rating file: which separator, which columns, whether a header comes first.
public struct DelimitedLayout: Sendable, Equatable, CustomStringConvertible {
    /// How fields are separated.
    public enum Separator: Sendable, Equatable, CustomStringConvertible {
        /// One or more spaces or tabs.
        case whitespace
        /// Exactly this string ("\t", ",", "::", ";").
        case string(String)

        /// A separator from its name as a user types it: `tab` (or `\t`), `space` or `whitespace`, `comma`,
        /// `semicolon`, `pipe`, or the separator itself (`,`, `::`, `;`). Nil for an empty string.
        public init?(name: String) {
            switch name.lowercased() {
            case "": return nil
            case "tab", "\\t", "\t": self = .string("\t")
            case "space", "spaces", "whitespace", " ": self = .whitespace
            case "comma": self = .string(",")
            case "semicolon": self = .string(";")
            case "pipe": self = .string("|")
            default: self = .string(name)
            }
        }

        public var description: String {
            switch self {
            case .whitespace: return "whitespace"
            case .string("\t"): return "tab"
            case let .string(s): return "'\(s)'"
            }
        }
    }

    /// The separator between fields.
    public var separator: Separator
    /// The column (from 0) of the user identifier.
    public var userColumn: Int
    /// The column of the item identifier.
    public var itemColumn: Int
    /// The column of the rating, or nil for interaction files (every line is worth 1).
    public var ratingColumn: Int?
    /// The column of the timestamp, if any. A line without this column has no time; the set keeps times only
    /// when every line has one.
    public var timestampColumn: Int?
    /// Whether the first line that is neither blank nor a comment is a header to skip. (When that line holds a
    /// number, it is read as data: a file without a header loses no rating, and a malformed first line is an error.)
    public var hasHeader: Bool
    /// The most fields a line may have: a line with more is an error, never cut short. Lines may stop before the
    /// timestamp column (they have no time) but not before the user, item and rating columns.
    public var columnCount: Int

    /// A layout; the defaults describe `user item rating [timestamp]` lines. `columnCount` defaults to the last
    /// column named; it is raised to that when smaller.
    public init(separator: Separator, userColumn: Int = 0, itemColumn: Int = 1, ratingColumn: Int? = 2,
                timestampColumn: Int? = 3, hasHeader: Bool = false, columnCount: Int? = nil) {
        precondition(userColumn >= 0 && itemColumn >= 0 && userColumn != itemColumn, "user and item need distinct columns")
        self.separator = separator
        self.userColumn = userColumn
        self.itemColumn = itemColumn
        self.ratingColumn = ratingColumn
        self.timestampColumn = timestampColumn
        self.hasHeader = hasHeader
        let named = max(userColumn, itemColumn, ratingColumn ?? 0, timestampColumn ?? 0) + 1
        self.columnCount = max(named, columnCount ?? named)
    }

    /// A layout from the names of its columns in order, such as `"user,item,rating,timestamp"` or
    /// `"item user - rating"`: `user`, `item`, `rating` (or `weight`, `value`), `timestamp` (or `time`); any other
    /// name (`-`, `_`) marks a column to ignore. Nil unless `user` and `item` each occur once.
    public init?(separator: Separator, columns: String, hasHeader: Bool = false) {
        let names = columns.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map { String($0) }
        var roles: [ColumnRole: Int] = [:]
        for (c, name) in names.enumerated() {
            guard let role = ColumnRole(name: name) else { continue }
            guard roles[role] == nil else { return nil }
            roles[role] = c
        }
        guard let u = roles[.user], let i = roles[.item] else { return nil }
        self.init(separator: separator, userColumn: u, itemColumn: i, ratingColumn: roles[.rating],
                  timestampColumn: roles[.timestamp], hasHeader: hasHeader, columnCount: names.count)
    }

    /// An interaction layout: `user item` lines, each worth 1.
    public static func interactions(separator: Separator) -> DelimitedLayout {
        DelimitedLayout(separator: separator, ratingColumn: nil, timestampColumn: nil)
    }

    /// The highest column a data line must have.
    var requiredColumns: Int { max(userColumn, itemColumn, ratingColumn ?? 0) + 1 }

    /// The field counts a line may have, as words: "3", "3 or 4", "3 to 5".
    var allowedFieldCounts: String {
        let low = requiredColumns
        if low == columnCount { return "\(low)" }
        return low + 1 == columnCount ? "\(low) or \(columnCount)" : "\(low) to \(columnCount)"
    }

    public var description: String {
        var columns = [String](repeating: "-", count: columnCount)
        columns[userColumn] = "user"
        columns[itemColumn] = "item"
        if let r = ratingColumn { columns[r] = "rating" }
        if let t = timestampColumn { columns[t] = "timestamp" }
        return "\(columns.joined(separator: ",")) separated by \(separator)\(hasHeader ? ", after a header" : "")"
    }
}

/// The role of a column, from a header or a column list.
enum ColumnRole: Hashable {
    case user, item, rating, timestamp

    init?(name: String) {
        let key = String(name.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
        switch key {
        case "user", "userid", "uid", "users", "customer", "customerid", "visitor", "visitorid", "member", "memberid":
            self = .user
        case "item", "itemid", "iid", "items", "movie", "movieid", "product", "productid", "book", "bookid", "isbn",
             "track", "trackid", "song", "songid", "artist", "artistid", "article", "articleid":
            self = .item
        case "rating", "ratings", "score", "value", "weight", "count", "stars", "bookrating", "playcount", "confidence":
            self = .rating
        case "timestamp", "time", "ts", "date", "datetime", "unixtime":
            self = .timestamp
        default: return nil
        }
    }
}

/// The rating file formats Latent reads.
public enum RatingFileFormat: String, Sendable, CaseIterable {
    /// Detect the format from the first lines.
    case auto
    /// MovieLens 100k `u.data`: `user<TAB>item<TAB>rating<TAB>timestamp`.
    case movielens100k = "ml-100k"
    /// MovieLens 1M/10M `ratings.dat`: `user::item::rating::timestamp`.
    case movielensDat = "ml-dat"
    /// MovieLens `ratings.csv`: a header `userId,movieId,rating,timestamp`, half-star ratings.
    case movielensCSV = "ml-csv"
    /// LibMF-style `user item rating` lines separated by white space (exactly three fields: an identifier cannot
    /// hold a space).
    case libmf

    /// The layout of a fixed format (not `auto`).
    public var layout: DelimitedLayout? {
        switch self {
        case .auto: return nil
        case .movielens100k: return DelimitedLayout(separator: .string("\t"))
        case .movielensDat: return DelimitedLayout(separator: .string("::"))
        case .movielensCSV: return DelimitedLayout(separator: .string(","), hasHeader: true)
        case .libmf: return DelimitedLayout(separator: .whitespace, timestampColumn: nil)
        }
    }

    /// The named format whose layout is `layout`, if any.
    public init?(layout: DelimitedLayout) {
        guard let f = Self.allCases.first(where: { $0.layout == layout }) else { return nil }
        self = f
    }
}
