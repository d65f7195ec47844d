import Foundation

/// A seeded generator of synthetic rating data with the shape of real data, for tests, speed and scale.
///
/// User activity and item popularity are skewed (log-normal weights): a few users rate a lot and a few items are rated
/// by many. Each user's items are distinct and drawn in proportion to item popularity. A rating is the rounded and
/// clipped value of `mean + b_u + b_i + p_u . q_i + noise` with a rank-``rank`` truth `p_u`, `q_i`.
///
/// User `u` (from 0) is written as the identifier `"\(u + 1)"`, item `i` as `"\(i + 1)"`. Ratings come user by user;
/// each user's items in draw order. The whole output is determined by the configuration (including the seed): each
/// user draws from its own generator, so the result does not depend on how many threads produce it.
public struct SyntheticData: Sendable, Equatable {
    /// The number of users (all of them have at least one rating when `ratings >= users`).
    public var users: Int
    /// The number of items.
    public var items: Int
    /// The number of ratings, all on distinct (user, item) pairs.
    public var ratings: Int
    /// The rank of the true preference matrix.
    public var rank: Int
    /// The seed of every random choice.
    public var seed: UInt64
    /// The standard deviation of the logarithm of user activity weights (0: every user equally active).
    public var userActivitySkew: Double
    /// The standard deviation of the logarithm of item popularity weights (0: every item equally popular).
    public var itemPopularitySkew: Double
    /// The mean rating before rounding.
    public var mean: Float
    /// The standard deviation of the user biases.
    public var userBiasDeviation: Float
    /// The standard deviation of the item biases.
    public var itemBiasDeviation: Float
    /// The standard deviation of `p_u . q_i`.
    public var interactionDeviation: Float
    /// The standard deviation of the noise added to each rating.
    public var noiseDeviation: Float
    /// The rating scale ratings are clipped to after rounding to whole numbers.
    public var scale: ClosedRange<Float>

    /// A configuration; the defaults give MovieLens-like ratings 1...5.
    public init(users: Int, items: Int, ratings: Int, rank: Int = 10, seed: UInt64 = 42,
                userActivitySkew: Double = 1.0, itemPopularitySkew: Double = 1.2, mean: Float = 3.55,
                userBiasDeviation: Float = 0.4, itemBiasDeviation: Float = 0.5, interactionDeviation: Float = 0.6,
                noiseDeviation: Float = 0.5, scale: ClosedRange<Float> = 1...5) {
        precondition(users > 0 && items > 0 && ratings >= 0 && rank > 0, "sizes must be positive")
        precondition(ratings <= users * items, "more ratings than (user, item) pairs")
        self.users = users
        self.items = items
        self.ratings = ratings
        self.rank = rank
        self.seed = seed
        self.userActivitySkew = userActivitySkew
        self.itemPopularitySkew = itemPopularitySkew
        self.mean = mean
        self.userBiasDeviation = userBiasDeviation
        self.itemBiasDeviation = itemBiasDeviation
        self.interactionDeviation = interactionDeviation
        self.noiseDeviation = noiseDeviation
        self.scale = scale
    }

    /// The reference set of the speed protocol: 70,000 users x 10,000 items x 10,000,000 ratings.
    public static func reference(seed: UInt64 = 42) -> SyntheticData {
        SyntheticData(users: 70_000, items: 10_000, ratings: 10_000_000, seed: seed)
    }

    /// The ratings as a ``RatingSet`` (identifiers `"1"`, `"2"`, ...; user indices in user order).
    public func ratingSet() -> RatingSet {
        let plan = Plan(self)
        var us = [Int32](), its = [Int32](), vs = [Float]()
        us.reserveCapacity(ratings)
        its.reserveCapacity(ratings)
        vs.reserveCapacity(ratings)
        var scratch = Scratch(items: items)
        for u in 0..<users {
            plan.generate(user: u, scratch: &scratch) { item, value in
                us.append(Int32(u))
                its.append(Int32(item))
                vs.append(value)
            }
        }
        // Users and items are indexed by first appearance, as a reader of the written file would index them.
        func renumber(_ indices: inout [Int32], count: Int) -> [String] {
            var map = [Int32](repeating: -1, count: count)
            var ids: [String] = []
            for n in indices.indices {
                let i = Int(indices[n])
                if map[i] < 0 {
                    map[i] = Int32(ids.count)
                    ids.append(String(i + 1))
                }
                indices[n] = map[i]
            }
            return ids
        }
        let itemIDs = renumber(&its, count: items), userIDs = renumber(&us, count: users)
        return RatingSet(users: IDMap(userIDs), items: IDMap(itemIDs), userIndices: us, itemIndices: its, values: vs)
    }

    /// Checks a configuration before any work: sizes that fit the index types and the distinct pairs, and working
    /// memory (the plan, or the whole set when `inMemory`, as for ``ratingSet()``) within ``Limits/memory``.
    /// Throws a ``LimitError`` that names the size and the limit.
    public static func check(users: Int, items: Int, ratings: Int, rank: Int = 10, inMemory: Bool = false) throws {
        guard users > 0 else { throw LimitError("users must be at least 1 (got \(users))") }
        guard items > 0 else { throw LimitError("items must be at least 1 (got \(items))") }
        guard ratings >= 0 else { throw LimitError("ratings must be at least 0 (got \(ratings))") }
        guard rank > 0 else { throw LimitError("the rank must be at least 1 (got \(rank))") }
        let limit = Int(Int32.max)
        guard users <= limit, items <= limit else { throw LimitError("users and items must each be at most \(limit)") }
        let (pairs, overflow) = users.multipliedReportingOverflow(by: items)
        guard overflow || ratings <= pairs else {
            throw LimitError("\(ratings) ratings do not fit on \(users) users x \(items) items = \(pairs) distinct pairs")
        }
        // The plan: per user a count, a bias, a weight and rank factors; per item the same and the alias table.
        let perUser = 8 + 4 + 8 + 4 * rank, perItem = 8 + 4 + 8 + 12 + 4 * rank + 4
        let plan = Double(users) * Double(perUser) + Double(items) * Double(perItem)
        try Limits.checkMemory(plan + (inMemory ? Double(ratings) * 12 + Double(users + items) * 24 : 0),
                               for: "\(users) users, \(items) items and \(ratings) ratings")
    }

    /// Writes one `user item rating` line per rating (separated by single spaces) to `url` by ``OutputFile``: whole
    /// or not at all, never over one of `inputs`. Uses up to `threads` threads; the bytes do not depend on it.
    public func write(to url: URL, inputs: [URL] = [], threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        try OutputFile.write(to: url, inputs: inputs) { sink in
            let plan = Plan(self)
            let blockUsers = 1024
            let blockCount = (users + blockUsers - 1) / blockUsers
            let wave = max(1, threads) * 4
            var start = 0
            while start < blockCount {
                let end = min(blockCount, start + wave)
                let buffers = ResultSlots<[UInt8]>(count: end - start)
                let first = start
                Parallel.run(end - start) { k in
                    let b = first + k
                    var scratch = Scratch(items: items)
                    var out = [UInt8]()
                    out.reserveCapacity(blockUsers * (ratings / users + 1) * 16)
                    for u in (b * blockUsers)..<min(users, (b + 1) * blockUsers) {
                        plan.generate(user: u, scratch: &scratch) { item, value in
                            Self.appendDecimal(u + 1, to: &out)
                            out.append(0x20)
                            Self.appendDecimal(item + 1, to: &out)
                            out.append(0x20)
                            Self.appendDecimal(Int(value), to: &out)
                            out.append(0x0A)
                        }
                    }
                    buffers.set(k, out)
                }
                for k in 0..<(end - start) {
                    try sink.write(buffers.take(k))
                }
                start = end
            }
        }
    }
}
