import Dispatch
import Foundation

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
/// Every line must match the layout: a line with too few or too many fields, an empty identifier, a rating that is
/// not a finite decimal number (`0x10`, `1_000` and `nan` are not) or a timestamp that is not a whole number is an
/// error naming the file, the line and the field (or, with ``ReadOptions/skipInvalid``, skipped and counted).
///
/// Detection (`.auto`, ``detectLayout(lines:)``) looks at the first lines: the separator (`::`, tab, comma,
/// semicolon, `|`, else white space), the number of fields (two fields: an interaction file, every line worth 1;
/// ``ReadReport/layout`` says so), and a header (a first line without numbers that names its columns; known names
/// such as `userId`, `movieId`, `rating`, `timestamp` also set the column order).
public enum RatingReader {
    /// Reads the file at `url`, in `format`, or in `layout` when one is given.
    public static func read(_ url: URL, format: RatingFileFormat = .auto, layout: DelimitedLayout? = nil,
                            options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let file = try MappedFile(url)
        return try file.withBytes { bytes in
            try parse(bytes, name: url.path, format: format, layout: layout, options: options)
        }
    }

    /// Reads ratings from standard input to its end; errors name it "standard input".
    public static func readStandardInput(format: RatingFileFormat = .auto, layout: DelimitedLayout? = nil,
                                         options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let input = try MappedFile(standardInput: ())
        return try input.withBytes { bytes in
            try parse(bytes, name: input.name, format: format, layout: layout, options: options)
        }
    }

    /// Reads ratings from the bytes `data`; `name` names them in errors.
    public static func read(data: Data, name: String, format: RatingFileFormat = .auto, layout: DelimitedLayout? = nil,
                            options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        try data.withUnsafeBytes { try parse($0, name: name, format: format, layout: layout, options: options) }
    }

    /// Reads ratings from the text `text`; `name` names it in errors.
    public static func read(text: String, name: String = "<text>", format: RatingFileFormat = .auto,
                            layout: DelimitedLayout? = nil, options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            try parse(raw, name: name, format: format, layout: layout, options: options)
        }
    }

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
}
