import Foundation

/// What the line parser needs to know.
struct ParseConfiguration: Sendable {
    let layout: DelimitedLayout
    let separator: [UInt8]
    let whitespace: Bool
    let scale: ClosedRange<Float>?
    let skipInvalid: Bool
    /// How many fields a line may have (``DelimitedLayout/columnCount``): a line with more is an error.
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
        fieldsNeeded = layout.columnCount
    }
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

            // Split into at most `needed` fields; `extra` says whether the line has more.
            var count = 0
            var extra = false
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
                extra = i < lineEnd
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
                } else {
                    // `needed` separators were found: what follows the last one is one more field.
                    extra = true
                }
            }

            // The header is the first line that is neither blank nor a comment, and a header holds no number: a
            // first line with a number is a data line (of a file without a header, or malformed), read and checked
            // rather than dropped.
            if headerLine {
                var hasNumber = false
                for f in 0..<count where parseFloat(bytes, trim(bytes, starts[f], ends[f]))?.isFinite == true { hasNumber = true }
                if !hasNumber { continue }
            }

            // Validate and store; on error, either record it and go on, or stop.
            var error: LocalError?
            func fail(_ field: String, _ reason: String) { error = LocalError(line: lineNumber, field: field, reason: reason) }
            repeat {
                if extra {
                    let all = fieldCount(bytes, lineStart, lineEnd, config)
                    fail("fields", "found \(all) fields separated by \(layout.separator), expected \(layout.allowedFieldCounts)"
                         + (config.whitespace ? " (an identifier cannot contain a space)" : ""))
                    break
                }
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
}
