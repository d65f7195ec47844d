import Dispatch
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
    /// Whether the first line that is neither blank nor a comment is a header to skip. (When that line's rating field
    /// is a number, it is read as data: a file without a header loses no rating.)
    public var hasHeader: Bool

    /// A layout; the defaults describe `user item rating [timestamp]` lines.
    public init(separator: Separator, userColumn: Int = 0, itemColumn: Int = 1, ratingColumn: Int? = 2,
                timestampColumn: Int? = 3, hasHeader: Bool = false) {
        precondition(userColumn >= 0 && itemColumn >= 0 && userColumn != itemColumn, "user and item need distinct columns")
        self.separator = separator
        self.userColumn = userColumn
        self.itemColumn = itemColumn
        self.ratingColumn = ratingColumn
        self.timestampColumn = timestampColumn
        self.hasHeader = hasHeader
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
                  timestampColumn: roles[.timestamp], hasHeader: hasHeader)
    }

    /// An interaction layout: `user item` lines, each worth 1.
    public static func interactions(separator: Separator) -> DelimitedLayout {
        DelimitedLayout(separator: separator, ratingColumn: nil, timestampColumn: nil)
    }

    /// The highest column a data line must have.
    var requiredColumns: Int { max(userColumn, itemColumn, ratingColumn ?? 0) + 1 }

    public var description: String {
        var columns = [String](repeating: "-", count: max(requiredColumns, (timestampColumn ?? 0) + 1))
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
    /// LibMF-style `user item rating` lines separated by white space.
    case libmf

    /// The layout of a fixed format (not `auto`).
    public var layout: DelimitedLayout? {
        switch self {
        case .auto: return nil
        case .movielens100k: return DelimitedLayout(separator: .string("\t"))
        case .movielensDat: return DelimitedLayout(separator: .string("::"))
        case .movielensCSV: return DelimitedLayout(separator: .string(","), hasHeader: true)
        case .libmf: return DelimitedLayout(separator: .whitespace)
        }
    }

    /// The named format whose layout is `layout`, if any.
    public init?(layout: DelimitedLayout) {
        guard let f = Self.allCases.first(where: { $0.layout == layout }) else { return nil }
        self = f
    }
}

/// Options for reading ratings.
public struct ReadOptions: Sendable {
    /// Skip malformed lines (and count them) instead of failing on the first one.
    public var skipInvalid: Bool
    /// Ratings outside this scale are invalid; nil accepts any finite rating.
    public var ratingScale: ClosedRange<Float>?
    /// How many threads may parse (0: one per processor). The result does not depend on it.
    public var threads: Int

    /// Options; by default the first bad line is an error.
    public init(skipInvalid: Bool = false, ratingScale: ClosedRange<Float>? = nil, threads: Int = 0) {
        self.skipInvalid = skipInvalid
        self.ratingScale = ratingScale
        self.threads = threads
    }
}

/// What reading a file found besides the ratings.
public struct ReadReport: Sendable, Equatable {
    /// Lines skipped as invalid (only with ``ReadOptions/skipInvalid``).
    public var skippedLines: Int = 0
    /// The first skipped line's error, to show the user what was wrong.
    public var firstSkipped: DataError?
    /// The layout that was used (the detected one for `auto`).
    public var layout: DelimitedLayout?
    /// The named format of that layout, when it is one.
    public var format: RatingFileFormat? { layout.flatMap(RatingFileFormat.init(layout:)) }
    /// The number of lines in the input, header, blank and comment lines included.
    public var lineCount: Int = 0
}

/// Reads rating and interaction files into a ``RatingSet`` with no object per line.
///
/// Lines are `user item rating [timestamp]` (in the columns of a ``DelimitedLayout``); blank lines and lines starting
/// with `#` are skipped; identifiers are any text without the separator (surrounding spaces and double quotes are
/// removed); ratings are finite decimal numbers. Users and items are indexed in order of first appearance. Large
/// inputs are parsed by several threads in chunks, with the same result as one thread.
///
/// Detection (`.auto`) looks at the first lines: the separator (`::`, tab, comma, semicolon, `|`, else white space),
/// the number of fields (two fields: an interaction file, every line worth 1), and a header (a first line whose rating
/// field is not a number, or that names its columns; known names such as `userId`, `movieId`, `rating`, `timestamp`
/// also set the column order).
public enum RatingReader {
    /// Reads the file at `url`, in `format`, or in `layout` when one is given.
    public static func read(_ url: URL, format: RatingFileFormat = .auto, layout: DelimitedLayout? = nil,
                            options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let file = try MappedFile(url)
        return try file.withBytes { bytes in
            try parse(bytes, name: url.path, format: format, layout: layout, options: options)
        }
    }

    /// Reads ratings from the text `text`; `name` names it in errors.
    public static func read(text: String, name: String = "<text>", format: RatingFileFormat = .auto,
                            layout: DelimitedLayout? = nil, options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            try parse(raw, name: name, format: format, layout: layout, options: options)
        }
    }

    /// Detects the layout from the first line of a file (see ``detectLayout(lines:)``).
    public static func detectLayout(_ firstLine: String) -> DelimitedLayout {
        detectLayout(lines: [firstLine])
    }

    /// Detects the layout from the first lines of a file (blank and `#` lines are ignored).
    public static func detectLayout(lines: [String]) -> DelimitedLayout {
        let sample = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
            .filter { let t = $0.trimmingCharacters(in: .whitespaces); return !t.isEmpty && !t.hasPrefix("#") }
        guard let first = sample.first else { return RatingFileFormat.libmf.layout! }
        let separator: DelimitedLayout.Separator
        if first.contains("::") { separator = .string("::") }
        else if first.contains("\t") { separator = .string("\t") }
        else if first.contains(",") { separator = .string(",") }
        else if first.contains(";") { separator = .string(";") }
        else if first.contains("|") { separator = .string("|") }
        else { separator = .whitespace }

        func fields(_ line: String) -> [String] {
            let parts: [Substring]
            switch separator {
            case .whitespace: parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            case let .string(s): parts = line.split(separator: s, omittingEmptySubsequences: false)
            }
            return parts.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"")) }
        }
        func isNumber(_ s: String) -> Bool { Float(s) != nil }

        let head = fields(first)
        let roles = head.map(ColumnRole.init(name:))
        let namesColumns = roles.contains(.user) && roles.contains(.item)
        let body = sample.dropFirst().first.map(fields)
        // A header: a first line naming its columns, or whose third field is text where the data have numbers.
        var hasHeader = namesColumns && !head.allSatisfy(isNumber)
        if !hasHeader, head.count > 2, !isNumber(head[2]), body.map({ $0.count > 2 && isNumber($0[2]) }) ?? false {
            hasHeader = true
        }
        if hasHeader && namesColumns {
            var at: [ColumnRole: Int] = [:]
            for (c, r) in roles.enumerated() { if let r, at[r] == nil { at[r] = c } }
            let layout = DelimitedLayout(separator: separator, userColumn: at[.user]!, itemColumn: at[.item]!,
                                         ratingColumn: at[.rating], timestampColumn: at[.timestamp], hasHeader: true)
            // The MovieLens layout keeps its name even when the file has no timestamp column.
            if separator == .string(","), at[.user] == 0, at[.item] == 1, at[.rating] == 2, at[.timestamp] ?? 3 == 3 {
                return RatingFileFormat.movielensCSV.layout!
            }
            return layout
        }
        let count = hasHeader ? (body?.count ?? head.count) : head.count
        if count == 2 {
            return DelimitedLayout(separator: separator, ratingColumn: nil, timestampColumn: nil, hasHeader: hasHeader)
        }
        return DelimitedLayout(separator: separator, hasHeader: hasHeader)
    }

    /// How many lines detection looks at.
    static let detectionLines = 8

    static func parse(_ whole: UnsafeRawBufferPointer, name: String, format: RatingFileFormat, layout given: DelimitedLayout?,
                      options: ReadOptions) throws -> (RatingSet, ReadReport) {
        // A UTF-8 byte order mark is not part of the first field.
        var bytes = whole
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
        }
        let layout = given ?? format.layout ?? detectLayout(lines: firstLines(bytes, detectionLines))
        var report = ReadReport(layout: layout)
        let config = ParseConfiguration(layout: layout, scale: options.ratingScale, skipInvalid: options.skipInvalid)

        // Cut the input at line ends into chunks, one per thread for large inputs.
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        let chunkCount = bytes.count < 1 << 22 ? 1 : max(1, min(threads, 64))
        var bounds = [0]
        for c in 1..<max(chunkCount, 1) {
            var p = max(bounds.last!, bytes.count * c / chunkCount)
            while p < bytes.count && bytes[p] != 0x0A { p += 1 }
            bounds.append(min(bytes.count, p + 1))
        }
        bounds.append(bytes.count)

        var chunks: [ChunkResult]
        if chunkCount == 1 {
            chunks = [parseChunk(bytes, 0..<bytes.count, first: true, config)]
        } else {
            let slots = ResultSlots<ChunkResult>(count: chunkCount)
            let b = bounds
            let shared = SendableBytes(bytes)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                slots.set(c, parseChunk(shared.bytes, b[c]..<b[c + 1], first: c == 0, config))
            }
            chunks = (0..<chunkCount).map { slots.take($0) }
        }

        // Errors in file order: the first chunk with one has the first error.
        var lineBase = 0
        for chunk in chunks {
            if let e = chunk.firstError {
                let error = DataError.malformed(file: name, line: lineBase + e.line, field: e.field, reason: e.reason)
                guard options.skipInvalid else { throw error }
                if report.firstSkipped == nil { report.firstSkipped = error }
            }
            report.skippedLines += chunk.skipped
            lineBase += chunk.lines
        }
        report.lineCount = lineBase

        let set = merge(&chunks)
        guard !set.isEmpty else {
            if let first = report.firstSkipped {
                throw DataError.noValidLines(file: name, skipped: report.skippedLines, first: first)
            }
            throw DataError.empty(file: name)
        }
        return (set, report)
    }

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

    /// Joins the chunks in order: identifiers by first appearance over the whole input, indices remapped.
    static func merge(_ chunks: inout [ChunkResult]) -> RatingSet {
        var users = IDInterner(), items = IDInterner()
        var userMaps: [[Int32]] = [], itemMaps: [[Int32]] = []
        var offsets = [0]
        for chunk in chunks {
            userMaps.append(users.absorb(chunk.users))
            itemMaps.append(items.absorb(chunk.items))
            offsets.append(offsets.last! + chunk.values.count)
        }
        // Identifiers that are distinct bytes but equal strings (Unicode equivalents, invalid UTF-8) are one.
        let (userMap, userFix) = users.idMap()
        let (itemMap, itemFix) = items.idMap()
        let total = offsets.last!
        let withTimes = chunks.allSatisfy { $0.allTimed && $0.times != nil }

        // Remap each chunk's indices in place (the first chunk's map is the identity unless identifiers were joined),
        // then append the chunks to the first one, releasing each as it is copied.
        for c in chunks.indices {
            var um = userMaps[c], im = itemMaps[c]
            if let f = userFix { um = um.map { f[Int($0)] } }
            if let f = itemFix { im = im.map { f[Int($0)] } }
            remap(&chunks[c].userIndices, um)
            remap(&chunks[c].itemIndices, im)
        }
        var result = chunks[0]
        chunks[0] = ChunkResult()
        result.userIndices.reserveCapacity(total)
        result.itemIndices.reserveCapacity(total)
        result.values.reserveCapacity(total)
        if withTimes { result.times!.reserveCapacity(total) }
        for c in chunks.indices.dropFirst() {
            result.userIndices.append(contentsOf: chunks[c].userIndices)
            result.itemIndices.append(contentsOf: chunks[c].itemIndices)
            result.values.append(contentsOf: chunks[c].values)
            if withTimes { result.times!.append(contentsOf: chunks[c].times!) }
            chunks[c] = ChunkResult()
        }
        chunks.removeAll()
        return RatingSet(users: userMap, items: itemMap, userIndices: result.userIndices, itemIndices: result.itemIndices,
                         values: result.values, timestamps: withTimes ? result.times : nil)
    }

    /// Replaces each index `k` of `indices` by `map[k]`, unless `map` is the identity.
    static func remap(_ indices: inout [Int32], _ map: [Int32]) {
        var identity = true
        for (k, v) in map.enumerated() where v != Int32(k) {
            identity = false
            break
        }
        if identity { return }
        map.withUnsafeBufferPointer { m in
            indices.withUnsafeMutableBufferPointer { x in
                for n in x.indices { x[n] = m[Int(x[n])] }
            }
        }
    }
}

/// Bytes read by concurrent tasks.
struct SendableBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// What the line parser needs to know.
struct ParseConfiguration: Sendable {
    let layout: DelimitedLayout
    let separator: [UInt8]
    let whitespace: Bool
    let scale: ClosedRange<Float>?
    let skipInvalid: Bool
    /// How many fields a line is split into at most (the rest of the line is not looked at).
    let fieldsNeeded: Int

    init(layout: DelimitedLayout, scale: ClosedRange<Float>?, skipInvalid: Bool) {
        self.layout = layout
        if case let .string(s) = layout.separator, !s.isEmpty {
            separator = Array(s.utf8)
            whitespace = false
        } else {
            separator = []
            whitespace = true
        }
        self.scale = scale
        self.skipInvalid = skipInvalid
        fieldsNeeded = max(layout.requiredColumns, (layout.timestampColumn ?? 0) + 1)
    }
}

/// An error found in a chunk, with the line counted from the chunk's start.
struct LocalError: Sendable {
    var line: Int
    var field: String
    var reason: String
}

/// The ratings of one chunk of the input, with identifiers indexed locally.
struct ChunkResult: Sendable {
    var users = IDInterner()
    var items = IDInterner()
    var userIndices: [Int32] = []
    var itemIndices: [Int32] = []
    var values: [Float] = []
    var times: [Int64]?
    /// Whether every line read had a timestamp.
    var allTimed = true
    /// Lines in the chunk (the last one may lack its newline).
    var lines = 0
    var skipped = 0
    var firstError: LocalError?
}

extension RatingReader {
    /// Parses the lines in `range` of `bytes`. `first` says whether the chunk starts the input (and so holds the header).
    static func parseChunk(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, first: Bool,
                           _ config: ParseConfiguration) -> ChunkResult {
        var result = ChunkResult()
        let layout = config.layout
        let estimate = range.count / 16 + 16
        result.userIndices.reserveCapacity(estimate)
        result.itemIndices.reserveCapacity(estimate)
        result.values.reserveCapacity(estimate)
        // Times are kept while every line has one, and dropped at the first line without.
        if layout.timestampColumn != nil { result.times = [] }
        let needed = config.fieldsNeeded
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: needed + 1)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: needed + 1)
        defer { starts.deallocate(); ends.deallocate() }
        let sep = config.separator
        let sepCount = sep.count
        let sep0 = sep.first ?? 0
        let userColumn = layout.userColumn, itemColumn = layout.itemColumn
        let ratingColumn = layout.ratingColumn ?? -1, timeColumn = layout.timestampColumn ?? -1
        var lineNumber = 0
        var headerPending = first && layout.hasHeader
        var seenContent = false
        var pos = range.lowerBound
        let n = range.upperBound

        while pos < n {
            // The line is bytes[pos..<lineEnd]; the next starts after the newline.
            var end = pos
            if let p = memchr(bytes.baseAddress! + pos, 0x0A, n - pos) {
                end = bytes.baseAddress!.distance(to: UnsafeRawPointer(p))
            } else {
                end = n
            }
            lineNumber += 1
            var lineEnd = end
            if lineEnd > pos && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let lineStart = pos
            pos = end + 1
            // Blank lines are allowed (a trailing newline, spacing); comments start with '#'.
            var s = lineStart
            while s < lineEnd && (bytes[s] == 0x20 || bytes[s] == 0x09) { s += 1 }
            if s == lineEnd || bytes[s] == 0x23 { continue }
            let firstContent = first && !seenContent
            seenContent = true
            let headerLine = headerPending
            headerPending = false

            // Split into at most `needed` fields.
            var count = 0
            if config.whitespace {
                var i = s
                while i < lineEnd && count < needed {
                    let fs = i
                    while i < lineEnd && bytes[i] != 0x20 && bytes[i] != 0x09 { i += 1 }
                    starts[count] = fs
                    ends[count] = i
                    count += 1
                    while i < lineEnd && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
                }
            } else {
                var fs = lineStart, i = lineStart
                while i < lineEnd && count < needed {
                    if bytes[i] == sep0 && i + sepCount <= lineEnd && (sepCount == 1 || matches(bytes, i, sep)) {
                        starts[count] = fs
                        ends[count] = i
                        count += 1
                        i += sepCount
                        fs = i
                    } else {
                        i += 1
                    }
                }
                if count < needed {
                    starts[count] = fs
                    ends[count] = lineEnd
                    count += 1
                }
            }

            // The header is the first line that is neither blank nor a comment. A "header" whose rating is a number
            // is a data line of a file without a header, and is read rather than dropped.
            if headerLine {
                let looksLikeData = ratingColumn >= 0 && ratingColumn < count
                    && parseFloat(bytes, trim(bytes, starts[ratingColumn], ends[ratingColumn])) != nil
                if !looksLikeData { continue }
            }

            // Validate and store; on error, either record it and go on, or stop.
            var error: LocalError?
            func fail(_ field: String, _ reason: String) { error = LocalError(line: lineNumber, field: field, reason: reason) }
            repeat {
                if count < layout.requiredColumns {
                    let missing = [(userColumn, "user"), (itemColumn, "item"), (ratingColumn, "rating")]
                        .filter { $0.0 >= count }.min { $0.0 < $1.0 }!.1
                    let all = fieldCount(bytes, lineStart, lineEnd, config)
                    fail(missing, "missing: found \(all) field\(all == 1 ? "" : "s") separated by \(layout.separator), expected \(layout.requiredColumns)")
                    break
                }
                let ur = trim(bytes, starts[userColumn], ends[userColumn])
                guard !ur.isEmpty else { fail("user", "empty identifier"); break }
                let ir = trim(bytes, starts[itemColumn], ends[itemColumn])
                guard !ir.isEmpty else { fail("item", "empty identifier"); break }
                var value: Float = 1
                if ratingColumn >= 0 {
                    let r = trim(bytes, starts[ratingColumn], ends[ratingColumn])
                    guard let v = parseFloat(bytes, r) else {
                        let word = !r.isEmpty && (bytes[r.lowerBound] | 0x20) &- 0x61 < 26
                        let hint = firstContent && !layout.hasHeader && word ? " (if this line is a header, read with a layout that has one)" : ""
                        fail("rating", r.isEmpty ? "empty, expected a number" : "'\(text(bytes, r))' is not a number\(hint)")
                        break
                    }
                    guard v.isFinite else { fail("rating", "'\(text(bytes, r))' is not a finite number"); break }
                    if let scale = config.scale, !scale.contains(v) {
                        fail("rating", "\(text(bytes, r)) is outside the rating scale \(formatScale(scale))")
                        break
                    }
                    value = v
                }
                var time: Int64 = 0
                var timed = false
                if timeColumn >= 0 && timeColumn < count {
                    let t = trim(bytes, starts[timeColumn], ends[timeColumn])
                    guard let parsed = parseInt(bytes, t) else {
                        fail("timestamp", t.isEmpty ? "empty, expected a whole number" : "'\(text(bytes, t))' is not a whole number")
                        break
                    }
                    time = parsed
                    timed = true
                }
                result.userIndices.append(result.users.intern(bytes, ur))
                result.itemIndices.append(result.items.intern(bytes, ir))
                result.values.append(value)
                if result.allTimed && result.times != nil {
                    if timed {
                        if result.times!.isEmpty { result.times!.reserveCapacity(estimate) }
                        result.times!.append(time)
                    } else {
                        result.allTimed = false
                        result.times = nil
                    }
                }
            } while false

            if let error {
                if result.firstError == nil { result.firstError = error }
                result.skipped += 1
                if !config.skipInvalid {
                    result.lines = lineNumber
                    return result
                }
            }
        }
        result.lines = lineNumber
        return result
    }

    @inline(__always)
    static func matches(_ b: UnsafeRawBufferPointer, _ at: Int, _ sep: [UInt8]) -> Bool {
        for k in 1..<sep.count where b[at + k] != sep[k] { return false }
        return true
    }

    /// The number of fields of a whole line (for error messages).
    static func fieldCount(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ config: ParseConfiguration) -> Int {
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
        if config.whitespace { return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).count }
        let sep = String(decoding: config.separator, as: UTF8.self)
        return line.components(separatedBy: sep).count
    }

    static func formatScale(_ scale: ClosedRange<Float>) -> String {
        func f(_ x: Float) -> String { x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : "\(x)" }
        return "\(f(scale.lowerBound))...\(f(scale.upperBound))"
    }

    /// The field without surrounding spaces, tabs and double quotes.
    @inline(__always)
    static func trim(_ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int) -> Range<Int> {
        var lo = lo, hi = hi
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09 || b[lo] == 0x22) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09 || b[hi - 1] == 0x22) { hi -= 1 }
        return lo..<hi
    }

    static func text(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
        return s.count > 40 ? String(s.prefix(40)) + "..." : s
    }

    /// A whole number with an optional sign, or nil (also on overflow).
    static func parseInt(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
        guard !r.isEmpty else { return nil }
        var i = r.lowerBound
        var negative = false
        if b[i] == 0x2D || b[i] == 0x2B { negative = b[i] == 0x2D; i += 1 }
        guard i < r.upperBound else { return nil }
        var v: Int64 = 0
        if r.upperBound - i <= 18 {
            // At most 18 digits cannot overflow.
            while i < r.upperBound {
                let d = b[i] &- 0x30
                guard d < 10 else { return nil }
                v = v &* 10 &+ Int64(d)
                i += 1
            }
            return negative ? -v : v
        }
        while i < r.upperBound {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            v = s
            i += 1
        }
        return negative ? -v : v
    }

    /// Parses a decimal number; plain `123`, `4.5` and `-1` take a fast path, anything else (`1e3`, `nan`) goes to
    /// Float(String). Nil when the text is not a number.
    @inline(__always)
    static func parseFloat(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Float? {
        guard !r.isEmpty else { return nil }
        var i = r.lowerBound
        var negative = false
        if b[i] == 0x2D { negative = true; i += 1 }
        var whole: Int = 0, digits = 0
        while i < r.upperBound, b[i] &- 0x30 < 10, digits < 9 {
            whole = whole * 10 + Int(b[i] &- 0x30)
            i += 1
            digits += 1
        }
        if digits > 0 && i == r.upperBound { return Float(negative ? -whole : whole) }
        if digits > 0 && b[i] == 0x2E {
            i += 1
            var frac = 0, scale = 1, fd = 0
            while i < r.upperBound, b[i] &- 0x30 < 10, fd < 6 {
                frac = frac * 10 + Int(b[i] &- 0x30)
                scale *= 10
                i += 1
                fd += 1
            }
            if i == r.upperBound && fd > 0 {
                let v = Float(Double(whole) + Double(frac) / Double(scale))
                return negative ? -v : v
            }
        }
        return Float(String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self))
    }
}

/// A read-only view of a whole file: mapped into memory when it can be, read otherwise.
struct MappedFile {
    let url: URL
    private let data: Data

    init(_ url: URL) throws {
        self.url = url
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataError.unreadable(file: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw DataError.unreadable(file: url.path, reason: "is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw DataError.unreadable(file: url.path, reason: "permission denied")
        }
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw DataError.unreadable(file: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { try body($0) }
    }
}
