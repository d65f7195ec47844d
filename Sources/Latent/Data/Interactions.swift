/// How explicit ratings become implicit interactions (the 0/1 matrix of the course notes, or weighted).
public enum InteractionConversion: Sendable, Equatable {
    /// Every rated pair is an interaction of weight 1 (protocol T's training data).
    case allPairs
    /// Only ratings at or above the threshold are interactions, of weight 1.
    case atLeast(Float)
    /// Every rated pair is an interaction weighted by its rating (the confidence of implicit ALS grows with it).
    case ratingAsWeight

    /// Parses `all`, `threshold:T` (or `>=T`), or `weight`, as the command line writes them.
    public init?(parsing text: String) {
        switch text {
        case "all", "all-pairs": self = .allPairs
        case "weight", "rating-as-weight", "confidence": self = .ratingAsWeight
        default:
            let prefix = text.hasPrefix("threshold:") ? "threshold:" : (text.hasPrefix(">=") ? ">=" : nil)
            guard let prefix, let t = Float(text.dropFirst(prefix.count)), t.isFinite else { return nil }
            self = .atLeast(t)
        }
    }
}

extension RatingSet {
    /// The observations turned into interactions by `conversion`, over the same identifier maps; timestamps are kept.
    ///
    /// Observations with a non-positive or non-finite weight under ``InteractionConversion/ratingAsWeight`` are
    /// dropped: an interaction has a positive weight.
    public func interactions(_ conversion: InteractionConversion = .allPairs) -> RatingSet {
        var keep: [Int] = []
        keep.reserveCapacity(count)
        switch conversion {
        case .allPairs: keep.append(contentsOf: 0..<count)
        case let .atLeast(t): for n in 0..<count where values[n] >= t { keep.append(n) }
        case .ratingAsWeight: for n in 0..<count where values[n] > 0 && values[n].isFinite { keep.append(n) }
        }
        var result = subset(keep)
        if conversion != .ratingAsWeight {
            result.values = [Float](repeating: 1, count: result.count)
        }
        return result
    }
}

/// Reading interaction files: `user item` lines (each an interaction of weight 1) or `user item weight` lines.
public enum InteractionFile {
    /// The layout of an interaction file whose first data line is `firstLine`: separated by tabs, commas or
    /// spaces; two fields mean `user item`, three or more `user item weight`.
    public static func layout(forFirstLine firstLine: String) -> DelimitedLayout {
        let separator: DelimitedLayout.Separator
        let fields: Int
        if firstLine.contains("\t") {
            separator = .string("\t")
            fields = firstLine.split(separator: "\t", omittingEmptySubsequences: false).count
        } else if firstLine.contains(",") {
            separator = .string(",")
            fields = firstLine.split(separator: ",", omittingEmptySubsequences: false).count
        } else {
            separator = .whitespace
            fields = firstLine.split(whereSeparator: { $0 == " " }).count
        }
        return DelimitedLayout(separator: separator, ratingColumn: fields >= 3 ? 2 : nil, timestampColumn: fields >= 4 ? 3 : nil)
    }

    /// Reads interactions from `text` (`name` names it in errors), detecting the layout from the first data line.
    public static func read(text: String, name: String = "<text>", options: ReadOptions = ReadOptions()) throws -> (RatingSet, ReadReport) {
        let first = text.split(separator: "\n").first { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            return !t.isEmpty && !t.hasPrefix("#")
        }.map { String($0).trimmingSuffixCR() } ?? ""
        return try RatingReader.read(text: text, name: name, layout: layout(forFirstLine: first), options: options)
    }
}

private extension String {
    func trimmingSuffixCR() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}
