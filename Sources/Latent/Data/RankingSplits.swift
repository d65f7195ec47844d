/// An error in splitting data for ranking evaluation.
public enum RankingSplitError: Error, Equatable, CustomStringConvertible {
    /// The split needs timestamps and the data has none.
    case missingTimestamps
    /// A parameter is out of range.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .missingTimestamps: return "this split orders by time, and the data has no timestamps"
        case let .invalidParameter(what): return what
        }
    }
}

/// Seeded ways to split interactions for top-N evaluation: per user, by time.
///
/// Unlike ``Splits`` (random over all observations), these keep every user in the training part: a user's test
/// items are drawn from that user's own observations, and a user with a single observation stays wholly in training.
public enum RankingSplits {
    /// Per-user holdout by fraction: of each user's n observations, round(n * fraction) go to the test part, at
    /// least one training observation always left.
    public static func perUserHoldout(_ set: RatingSet, testFraction: Double, seed: UInt64) throws -> TrainTestSplit {
        guard testFraction > 0 && testFraction < 1 else {
            throw RankingSplitError.invalidParameter("the test fraction must be in (0, 1), got \(testFraction)")
        }
        return perUser(set, seed: seed) { n in Int((Double(n) * testFraction).rounded()) }
    }

    /// Per-user holdout by count: `count` observations of each user go to the test part (fewer for users with
    /// count or fewer observations, who keep at least one for training).
    public static func perUserHoldout(_ set: RatingSet, testCount: Int, seed: UInt64) throws -> TrainTestSplit {
        guard testCount >= 1 else { throw RankingSplitError.invalidParameter("the test count must be at least 1, got \(testCount)") }
        return perUser(set, seed: seed) { _ in testCount }
    }

    /// Leave-one-out by time: each user's latest observation (ties: the later one in the input) is the test part,
    /// the rest training. Users with one observation stay in training.
    public static func leaveLastOut(_ set: RatingSet) throws -> TrainTestSplit {
        guard let times = set.timestamps else { throw RankingSplitError.missingTimestamps }
        var latest = [Int](repeating: -1, count: set.users.count)
        var count = [Int](repeating: 0, count: set.users.count)
        for n in 0..<set.count {
            let u = Int(set.userIndices[n])
            count[u] += 1
            if latest[u] < 0 || times[n] >= times[latest[u]] { latest[u] = n }
        }
        var isTest = [Bool](repeating: false, count: set.count)
        for u in 0..<latest.count where latest[u] >= 0 && count[u] >= 2 { isTest[latest[u]] = true }
        return TrainTestSplit(set, isTest: isTest)
    }

    /// Global temporal split: the latest `testFraction` of all observations (by timestamp, ties by input order)
    /// are the test part; everything before is training.
    public static func temporal(_ set: RatingSet, testFraction: Double) throws -> TrainTestSplit {
        guard let times = set.timestamps else { throw RankingSplitError.missingTimestamps }
        guard testFraction > 0 && testFraction < 1 else {
            throw RankingSplitError.invalidParameter("the test fraction must be in (0, 1), got \(testFraction)")
        }
        let order = (0..<set.count).sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        let testCount = Int((Double(set.count) * testFraction).rounded())
        var isTest = [Bool](repeating: false, count: set.count)
        for n in order.suffix(testCount) { isTest[n] = true }
        return TrainTestSplit(set, isTest: isTest)
    }

    private static func perUser(_ set: RatingSet, seed: UInt64, testCount: (Int) -> Int) -> TrainTestSplit {
        var rows = [[Int]](repeating: [], count: set.users.count)
        for n in 0..<set.count { rows[Int(set.userIndices[n])].append(n) }
        var rng = SeededGenerator(seed: seed)
        var isTest = [Bool](repeating: false, count: set.count)
        for u in 0..<rows.count where rows[u].count >= 2 {
            var row = rows[u]
            rng.shuffle(&row)
            let t = min(testCount(row.count), row.count - 1)
            for n in row.prefix(t) { isTest[n] = true }
        }
        return TrainTestSplit(set, isTest: isTest)
    }
}
