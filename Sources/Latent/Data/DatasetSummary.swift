/// The shape of a data set, which `latent info` shows: sizes, density, the distribution of ratings, duplicates.
public struct DatasetSummary: Sendable, Equatable {
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

}
