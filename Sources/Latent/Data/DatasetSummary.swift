/// The shape of a data set, as `latent info` shows it: sizes, density, the distribution of ratings, duplicates.
public struct DatasetSummary: Sendable, Equatable, CustomStringConvertible {
    /// One value of the ratings and how often it occurs.
    public struct Bin: Sendable, Equatable {
        /// The rating.
        public var value: Float
        /// How many stored ratings have it.
        public var count: Int
    }

    /// The number of users with at least one rating.
    public var users: Int
    /// The number of items with at least one rating.
    public var items: Int
    /// The number of stored ratings (distinct (user, item) pairs).
    public var ratings: Int
    /// The number of observations read, duplicates included.
    public var observations: Int
    /// How many observations were folded into another by the duplicate policy.
    public var duplicates: Int
    /// The policy that folded them, when the summary was made from a ``RatingSet``.
    public var duplicatePolicy: DuplicatePolicy?
    /// The fraction of the (user, item) pairs that have a rating.
    public var density: Double
    /// The smallest and largest rating, nil when empty.
    public var minRating: Float?
    public var maxRating: Float?
    /// The mean rating (0 when empty).
    public var meanRating: Double
    /// Each distinct rating and its count, by increasing value. With more than ``maxBins`` distinct values (real-valued
    /// weights), the histogram is empty.
    public var histogram: [Bin]
    /// The fewest, median and most ratings of a user, and of an item.
    public var ratingsPerUser: (min: Int, median: Int, max: Int)
    public var ratingsPerItem: (min: Int, median: Int, max: Int)

    /// The most distinct values a histogram lists.
    public static let maxBins = 100

    /// The summary of a rating set, folding duplicates by `duplicates` (as training would).
    public init(_ set: RatingSet, duplicates policy: DuplicatePolicy = .keepLast) {
        self.init(RatingMatrix(set, duplicates: policy), observations: set.count)
        duplicatePolicy = policy
    }

    /// The summary of a matrix; `observations` is how many input lines it was built from (default: stored ratings
    /// plus folded duplicates).
    public init(_ matrix: RatingMatrix, observations: Int? = nil) {
        users = matrix.userCount
        items = matrix.itemCount
        ratings = matrix.count
        duplicates = matrix.duplicateCount
        self.observations = observations ?? matrix.count + matrix.duplicateCount
        density = users == 0 || items == 0 ? 0 : Double(ratings) / (Double(users) * Double(items))
        let range = matrix.valueRange
        minRating = range?.lowerBound
        maxRating = range?.upperBound
        var sum = 0.0
        var counts: [Float: Int] = [:]
        var tooMany = false
        for v in matrix.byUser.values {
            sum += Double(v)
            if !tooMany {
                counts[v, default: 0] += 1
                tooMany = counts.count > Self.maxBins
            }
        }
        meanRating = ratings == 0 ? 0 : sum / Double(ratings)
        histogram = tooMany ? [] : counts.map { Bin(value: $0.key, count: $0.value) }.sorted { $0.value < $1.value }
        func spread(_ rows: SparseRows) -> (min: Int, median: Int, max: Int) {
            guard rows.rowCount > 0 else { return (0, 0, 0) }
            let c = (0..<rows.rowCount).map(rows.count(of:)).sorted()
            return (c[0], c[c.count / 2], c[c.count - 1])
        }
        ratingsPerUser = spread(matrix.byUser)
        ratingsPerItem = spread(matrix.byItem)
    }

    public static func == (a: DatasetSummary, b: DatasetSummary) -> Bool {
        a.users == b.users && a.items == b.items && a.ratings == b.ratings && a.observations == b.observations
            && a.duplicates == b.duplicates && a.duplicatePolicy == b.duplicatePolicy && a.density == b.density && a.minRating == b.minRating
            && a.maxRating == b.maxRating && a.meanRating == b.meanRating && a.histogram == b.histogram
            && a.ratingsPerUser == b.ratingsPerUser && a.ratingsPerItem == b.ratingsPerItem
    }

    /// A few lines of plain text, as `latent info` prints them.
    public var description: String {
        func number(_ x: Float) -> String { x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : "\(x)" }
        var lines = [
            "users: \(users)",
            "items: \(items)",
            "ratings: \(ratings)",
            "density: \(formatPercent(density))",
        ]
        if duplicates > 0 {
            let kept: String
            switch duplicatePolicy {
            case .keepLast?: kept = " (the last of each pair kept)"
            case .keepFirst?: kept = " (the first of each pair kept)"
            case .average?: kept = " (each pair's mean kept)"
            case .sum?: kept = " (each pair's sum kept)"
            case nil: kept = ""
            }
            lines.append("duplicates: \(duplicates) of \(observations) observations\(kept)")
        }
        if let lo = minRating, let hi = maxRating {
            lines.append("rating range: \(number(lo))...\(number(hi)), mean \(formatFixed(meanRating, 3))")
        }
        lines.append("ratings per user: min \(ratingsPerUser.min), median \(ratingsPerUser.median), max \(ratingsPerUser.max)")
        lines.append("ratings per item: min \(ratingsPerItem.min), median \(ratingsPerItem.median), max \(ratingsPerItem.max)")
        if !histogram.isEmpty {
            lines.append("histogram:")
            let width = histogram.map { number($0.value).count }.max() ?? 1
            for bin in histogram {
                let label = number(bin.value)
                let share = ratings == 0 ? 0 : Double(bin.count) / Double(ratings)
                lines.append("  " + String(repeating: " ", count: width - label.count) + label
                             + ": \(bin.count) (\(formatPercent(share)))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// `x` as a percentage with enough digits to show small densities ("6.30%", "0.0142%").
func formatPercent(_ x: Double) -> String {
    let p = x * 100
    let digits = p == 0 || p >= 1 ? 2 : min(8, Int((-log10(p)).rounded(.up)) + 2)
    return formatFixed(p, digits) + "%"
}

/// `x` with `digits` decimals, without Foundation's formatters.
func formatFixed(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    let whole = Int(r / scale)
    var frac = String(Int(r - Double(whole) * scale))
    frac = String(repeating: "0", count: max(0, digits - frac.count)) + frac
    return (x < 0 && r != 0 ? "-" : "") + (digits > 0 ? "\(whole).\(frac)" : "\(whole)")
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
