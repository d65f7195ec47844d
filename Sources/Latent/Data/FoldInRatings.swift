import Foundation

/// A new user's ratings or interactions as a user types them for fold-in: comma-separated `item:value` pairs, or bare
/// items (weight 1) for an interaction model, such as `50:5,172:4` or `12,40:3`.
public enum FoldInRatings {
    /// The largest interaction weight accepted: larger weights overflow the confidence `1 + alpha * w` in Float and
    /// would make every score 0.
    public static let maximumWeight: Float = 1e6

    /// The pairs of `text`, in order. Every error names the pair at fault.
    ///
    /// - Parameters:
    ///   - interactions: whether values are interaction weights (positive, at most ``maximumWeight``; a bare item
    ///     means 1) rather than ratings.
    ///   - scale: the model's rating scale: a rating outside it is refused.
    public static func parse(_ text: String, interactions: Bool, scale: ClosedRange<Float>?) throws -> [(item: String, value: Float)] {
        var result: [(item: String, value: Float)] = []
        var seen: Set<String> = []
        let pairs = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for (n, pair) in pairs.enumerated() {
            func bad(_ why: String) -> FoldInError { FoldInError(pair: n + 1, text: pair, reason: why) }
            guard !pair.isEmpty else { throw bad("is empty: give item:value pairs separated by commas, e.g. 50:5,172:4") }
            let item: String
            let value: Float
            if let colon = pair.lastIndex(of: ":") {
                item = pair[..<colon].trimmingCharacters(in: .whitespaces)
                let valueText = pair[pair.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !item.isEmpty else { throw bad("has no item before ':'") }
                guard let v = RatingReader.parseFloat(valueText), v.isFinite else {
                    throw bad("has no numeric \(interactions ? "weight" : "rating") after ':' (got '\(valueText)')")
                }
                value = v
            } else {
                guard interactions else {
                    throw bad("has no rating: this model predicts ratings, so give item:rating pairs, e.g. \(pair):5")
                }
                item = pair
                value = 1
            }
            if interactions {
                guard value > 0 else { throw bad("has a weight that is not positive: an interaction weight must be above 0") }
                guard value <= maximumWeight else { throw bad("has a weight above the largest accepted, \(Int(maximumWeight))") }
            } else if let scale, !scale.contains(value) {
                throw bad("has a rating outside the model's rating scale \(scale.lowerBound.formatted())-\(scale.upperBound.formatted())")
            }
            guard seen.insert(item).inserted else { throw bad("gives item \(item) a second time") }
            result.append((item, value))
        }
        return result
    }
}

/// A pair of fold-in ratings that cannot be read: which pair (from 1), its text, and why.
public struct FoldInError: Error, Equatable, CustomStringConvertible {
    public var pair: Int
    public var text: String
    public var reason: String

    public var description: String { "pair \(pair) '\(text)' \(reason)" }
}
