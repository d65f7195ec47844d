/// A training part and a test part of the same data.
public struct TrainTestSplit: Sendable {
    /// The part to learn from.
    public var train: RatingSet
    /// The part to judge on.
    public var test: RatingSet

    /// A split from its parts.
    public init(train: RatingSet, test: RatingSet) {
        self.train = train
        self.test = test
    }

    /// `set` split by `isTest` (one entry per observation), each part in input order.
    init(_ set: RatingSet, isTest: [Bool]) {
        self.init(train: set.subset((0..<set.count).filter { !isTest[$0] }), test: set.subset((0..<set.count).filter { isTest[$0] }))
    }
}

/// Seeded ways to split a rating set.
public enum Splits {
    /// A random holdout: each observation goes to the test part with probability close to `testFraction`
    /// (exactly round(count * testFraction) observations, chosen by a seeded shuffle).
    public static func holdout(_ set: RatingSet, testFraction: Double, seed: UInt64) -> TrainTestSplit {
        precondition(testFraction > 0 && testFraction < 1, "testFraction must be in (0, 1)")
        var order = Array(0..<set.count)
        var rng = SeededGenerator(seed: seed)
        rng.shuffle(&order)
        let testCount = Int((Double(set.count) * testFraction).rounded())
        return TrainTestSplit(train: set.subset(order[testCount...].sorted()), test: set.subset(order[..<testCount].sorted()))
    }

    /// Checks k-fold sizes before any work: at least 2 folds, at most one per rating (an empty test part has no
    /// mean error), and the folds' copies of the data (``kFold(_:folds:seed:)`` holds them all) within
    /// ``Limits/memory``. Throws a ``LimitError`` naming the limit.
    public static func checkKFold(count: Int, folds: Int, timestamps: Bool = false) throws {
        guard folds >= 2 else { throw LimitError("k-fold needs at least 2 folds (got \(folds))") }
        guard folds <= count else {
            throw LimitError("\(folds) folds need at least \(folds) ratings, one per test part; the data have \(count)")
        }
        try Limits.checkMemory(Double(folds) * Double(count) * Double(12 + (timestamps ? 8 : 0) + 8),
                               for: "\(folds) folds of \(count) ratings")
    }

    /// K folds: a seeded shuffle cut into `folds` nearly equal parts; fold f tests on part f and trains on the rest.
    public static func kFold(_ set: RatingSet, folds: Int, seed: UInt64) -> [TrainTestSplit] {
        precondition(folds >= 2, "k-fold needs at least 2 folds")
        var order = Array(0..<set.count)
        var rng = SeededGenerator(seed: seed)
        rng.shuffle(&order)
        var part = [Int](repeating: 0, count: set.count)
        for (rank, n) in order.enumerated() { part[n] = rank * folds / max(1, set.count) }
        return (0..<folds).map { f in TrainTestSplit(set, isTest: part.map { $0 == f }) }
    }
}
