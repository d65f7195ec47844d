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

