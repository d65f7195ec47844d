import Foundation

/// The layout of a delimited rating file: which separator, which columns, whether a header comes first.
public struct DelimitedLayout: Sendable, Equatable {
    /// How fields are separated.
    public enum Separator: Sendable, Equatable {
        /// One or more spaces or tabs.
        case whitespace
        /// Exactly this string ("\t", ",", "::", ";").
        case string(String)
    }

    /// The separator between fields.
    public var separator: Separator
    /// The column (from 0) of the user identifier.
    public var userColumn: Int
    /// The column of the item identifier.
    public var itemColumn: Int
    /// The column of the rating, or nil for interaction files (every line is worth 1).
    public var ratingColumn: Int?
    /// The column of the timestamp, if any.
    public var timestampColumn: Int?
    /// Whether the first line is a header to skip.
    public var hasHeader: Bool

    /// A layout; the defaults describe `user item rating [timestamp]` lines.
    public init(separator: Separator, userColumn: Int = 0, itemColumn: Int = 1, ratingColumn: Int? = 2,
                timestampColumn: Int? = 3, hasHeader: Bool = false) {
        self.separator = separator
        self.userColumn = userColumn
        self.itemColumn = itemColumn
        self.ratingColumn = ratingColumn
        self.timestampColumn = timestampColumn
        self.hasHeader = hasHeader
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
}

/// Options for reading ratings.
public struct ReadOptions: Sendable {
    /// Skip malformed lines (and count them) instead of failing on the first one.
    public var skipInvalid: Bool
    /// Ratings outside this scale are invalid; nil accepts any finite rating.
    public var ratingScale: ClosedRange<Float>?

    /// Options; by default the first bad line is an error.
    public init(skipInvalid: Bool = false, ratingScale: ClosedRange<Float>? = nil) {
        self.skipInvalid = skipInvalid
        self.ratingScale = ratingScale
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
}

/// Reads rating and interaction files into a ``RatingSet`` with no object per line.
public enum RatingReader {
    /// Reads the file at `url`.
    public static func read(_ url: URL, format: RatingFileFormat = .auto, options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw DataError.unreadable(file: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try data.withUnsafeBytes { raw in
            try parse(UnsafeRawBufferPointer(raw), name: url.path, format: format, options: options)
        }
    }

    /// Reads ratings from the text `text`; `name` names it in errors.
    public static func read(text: String, name: String = "<text>", format: RatingFileFormat = .auto,
                            layout: DelimitedLayout? = nil, options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBytes { raw in
            try parse(UnsafeRawBufferPointer(raw), name: name, format: format, layout: layout, options: options)
        }
    }

    /// Detects the layout from the first line of `bytes`.
    public static func detectLayout(_ firstLine: String) -> DelimitedLayout {
        if firstLine.contains("::") { return RatingFileFormat.movielensDat.layout! }
        if firstLine.contains("\t") { return RatingFileFormat.movielens100k.layout! }
        if firstLine.contains(",") {
            let fields = firstLine.split(separator: ",", omittingEmptySubsequences: false)
            let header = fields.count > 2 && Float(fields[2].trimmingCharacters(in: .whitespaces)) == nil
            return DelimitedLayout(separator: .string(","), hasHeader: header)
        }
        return RatingFileFormat.libmf.layout!
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, name: String, format: RatingFileFormat, layout: DelimitedLayout? = nil,
                      options: ReadOptions) throws -> (RatingSet, ReadReport) {
        let n = bytes.count
        var pos = 0
        // First line, for detection.
        var firstEnd = 0
        while firstEnd < n && bytes[firstEnd] != 0x0A { firstEnd += 1 }
        let firstLine = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<firstEnd]), as: UTF8.self)
        let layout = layout ?? format.layout ?? detectLayout(firstLine)
        var report = ReadReport(layout: layout)
        var set = RatingSet()
        set.reserveCapacity(n / 20)
        var timestamps: [Int64] = []
        let wantTimes = layout.timestampColumn != nil
        var lineNumber = 0
        var fields: [Range<Int>] = []
        let sepBytes: [UInt8]
        if case let .string(s) = layout.separator { sepBytes = Array(s.utf8) } else { sepBytes = [] }
        let maxColumn = [layout.userColumn, layout.itemColumn, layout.ratingColumn ?? 0].max()!
        var anyTimes = wantTimes

        while pos < n {
            var end = pos
            while end < n && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var lineEnd = end
            if lineEnd > pos && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { pos = end + 1 }
            if lineNumber == 1 && layout.hasHeader { continue }
            // Blank lines are allowed (a trailing newline, spacing); comments start with '#'.
            var first = pos
            while first < lineEnd && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
            if first == lineEnd || bytes[first] == 0x23 { continue }

            split(bytes, pos, lineEnd, layout.separator, sepBytes, into: &fields)
            do {
                func field(_ c: Int, _ label: String) throws -> Range<Int> {
                    guard c < fields.count else {
                        throw DataError.malformed(file: name, line: lineNumber, field: label,
                                                  reason: "missing (the line has \(fields.count) field\(fields.count == 1 ? "" : "s"), expected at least \(maxColumn + 1))")
                    }
                    return trim(bytes, fields[c])
                }
                let userRange = try field(layout.userColumn, "user")
                let itemRange = try field(layout.itemColumn, "item")
                guard !userRange.isEmpty else { throw DataError.malformed(file: name, line: lineNumber, field: "user", reason: "empty identifier") }
                guard !itemRange.isEmpty else { throw DataError.malformed(file: name, line: lineNumber, field: "item", reason: "empty identifier") }
                var value: Float = 1
                if let rc = layout.ratingColumn {
                    let r = try field(rc, "rating")
                    guard let v = parseFloat(bytes, r), v.isFinite else {
                        throw DataError.malformed(file: name, line: lineNumber, field: "rating",
                                                  reason: "'\(text(bytes, r))' is not a finite number")
                    }
                    if let scale = options.ratingScale, !scale.contains(v) {
                        throw DataError.malformed(file: name, line: lineNumber, field: "rating",
                                                  reason: "\(text(bytes, r)) is outside the rating scale \(scale.lowerBound)...\(scale.upperBound)")
                    }
                    value = v
                }
                var time: Int64 = 0
                if let tc = layout.timestampColumn, tc < fields.count {
                    let t = trim(bytes, fields[tc])
                    guard let parsed = parseInt(bytes, t) else {
                        throw DataError.malformed(file: name, line: lineNumber, field: "timestamp",
                                                  reason: "'\(text(bytes, t))' is not a whole number")
                    }
                    time = parsed
                } else {
                    anyTimes = false
                }
                set.append(user: text(bytes, userRange), item: text(bytes, itemRange), value: value)
                if wantTimes { timestamps.append(time) }
            } catch let error as DataError {
                guard options.skipInvalid else { throw error }
                report.skippedLines += 1
                if report.firstSkipped == nil { report.firstSkipped = error }
            }
        }
        guard !set.isEmpty else { throw DataError.empty(file: name) }
        if anyTimes && timestamps.count == set.count { set.timestamps = timestamps }
        return (set, report)
    }

    @inline(__always)
    static func split(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ sep: DelimitedLayout.Separator,
                      _ sepBytes: [UInt8], into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        switch sep {
        case .whitespace:
            var i = start
            while i < end {
                while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
                if i == end { break }
                let s = i
                while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
                fields.append(s..<i)
            }
        case .string:
            var s = start, i = start
            let m = sepBytes.count
            while i + m <= end {
                var match = true
                for k in 0..<m where b[i + k] != sepBytes[k] { match = false; break }
                if match {
                    fields.append(s..<i)
                    i += m
                    s = i
                } else {
                    i += 1
                }
            }
            fields.append(s..<end)
        }
    }

    @inline(__always)
    static func trim(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09 || b[lo] == 0x22) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09 || b[hi - 1] == 0x22) { hi -= 1 }
        return lo..<hi
    }

    static func text(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    static func parseInt(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
        guard !r.isEmpty else { return nil }
        var i = r.lowerBound
        var negative = false
        if b[i] == 0x2D { negative = true; i += 1 }
        guard i < r.upperBound else { return nil }
        var v: Int64 = 0
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

    /// Parses a decimal number; plain `123`, `4.5` and `-1` take a fast path, anything else goes to Float(String).
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
        return Float(text(b, r))
    }
}
