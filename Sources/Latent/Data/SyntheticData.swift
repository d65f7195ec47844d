import Dispatch
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
        // Items are indexed by first appearance, as a reader of the written file would index them.
        var itemMap = [Int32](repeating: -1, count: items)
        var itemIDs: [String] = []
        for n in its.indices {
            let i = Int(its[n])
            if itemMap[i] < 0 {
                itemMap[i] = Int32(itemIDs.count)
                itemIDs.append(String(i + 1))
            }
            its[n] = itemMap[i]
        }
        var userIDs: [String] = []
        var userMap = [Int32](repeating: -1, count: users)
        for n in us.indices {
            let u = Int(us[n])
            if userMap[u] < 0 {
                userMap[u] = Int32(userIDs.count)
                userIDs.append(String(u + 1))
            }
            us[n] = userMap[u]
        }
        return RatingSet(users: IDMap(userIDs), items: IDMap(itemIDs), userIndices: us, itemIndices: its, values: vs)
    }

    /// Writes one `user item rating` line per rating (separated by single spaces) to `url`, through a temporary file
    /// renamed into place, so that no half-written file is left behind. Uses up to `threads` threads; the bytes do
    /// not depend on it.
    public func write(to url: URL, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        let plan = Plan(self)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard let file = fopen(temporary.path, "wb") else {
            throw DataError.unwritable(file: url.path, reason: "cannot create the file (\(String(cString: strerror(errno))))")
        }
        var failed = false
        let blockUsers = 1024
        let blockCount = (users + blockUsers - 1) / blockUsers
        let wave = max(1, threads) * 4
        var start = 0
        while start < blockCount && !failed {
            let end = min(blockCount, start + wave)
            let buffers = ResultSlots<[UInt8]>(count: end - start)
            let first = start
            DispatchQueue.concurrentPerform(iterations: end - start) { k in
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
                let out = buffers.take(k)
                let written = out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                if written != out.count { failed = true; break }
            }
            start = end
        }
        if fclose(file) != 0 { failed = true }
        if failed || rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw DataError.unwritable(file: url.path, reason: "cannot write the file (\(reason))")
        }
    }

    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var v = value
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                n += 1
            } while v > 0
            while n > 0 {
                n -= 1
                out.append(d[n])
            }
        }
    }

    /// Per-thread working memory: which items the current user already has.
    struct Scratch {
        var stamp: [Int32]
        init(items: Int) { stamp = [Int32](repeating: -1, count: items) }
    }

    /// Everything drawn once for the whole data set: weights, counts per user, biases, factors.
    struct Plan: Sendable {
        let config: SyntheticData
        let counts: [Int]
        let userBias: [Float]
        let itemBias: [Float]
        let userFactors: [Float]
        let itemFactors: [Float]
        let alias: AliasTable

        init(_ c: SyntheticData) {
            config = c
            var rng = SeededGenerator(seed: c.seed)
            // Log-normal activity and popularity weights.
            var userWeights = (0..<c.users).map { _ in exp(c.userActivitySkew * Double(rng.nextGaussian())) }
            let itemWeights = (0..<c.items).map { _ in exp(c.itemPopularitySkew * Double(rng.nextGaussian())) }
            counts = Plan.apportion(total: c.ratings, weights: &userWeights, cap: Plan.cap(c))
            userBias = (0..<c.users).map { _ in c.userBiasDeviation * rng.nextGaussian() }
            itemBias = (0..<c.items).map { _ in c.itemBiasDeviation * rng.nextGaussian() }
            // p . q has variance rank * s^4 for entries of deviation s.
            let s = Float((Double(c.interactionDeviation) / Double(c.rank).squareRoot()).squareRoot())
            userFactors = (0..<(c.users * c.rank)).map { _ in s * rng.nextGaussian() }
            itemFactors = (0..<(c.items * c.rank)).map { _ in s * rng.nextGaussian() }
            alias = AliasTable(itemWeights)
        }

        /// The most ratings one user may have: all items when the data are dense enough to need them, otherwise
        /// half, so that drawing distinct popular items stays quick.
        static func cap(_ c: SyntheticData) -> Int {
            let needed = (c.ratings + c.users - 1) / c.users
            return max(needed, min(c.items, max(1, c.items / 2)))
        }

        /// Splits `total` into counts proportional to `weights`, each at most `cap`, and at least 1 while there are
        /// enough to go round (largest remainders, ties to the lower index).
        static func apportion(total: Int, weights: inout [Double], cap: Int) -> [Int] {
            let n = weights.count
            var counts = [Int](repeating: 0, count: n)
            var remaining = total
            if total >= n {
                for u in 0..<n { counts[u] = 1 }
                remaining -= n
            }
            // Repeatedly share what remains among users below the cap.
            while remaining > 0 {
                var open: [Int] = []
                var sum = 0.0
                for u in 0..<n where counts[u] < cap {
                    open.append(u)
                    sum += weights[u]
                }
                if open.isEmpty { break }
                var shares: [(Int, Double)] = []
                var given = 0
                for u in open {
                    let exact = Double(remaining) * weights[u] / sum
                    let whole = min(cap - counts[u], Int(exact))
                    counts[u] += whole
                    given += whole
                    if counts[u] < cap { shares.append((u, exact - Double(whole))) }
                }
                remaining -= given
                if remaining > 0 && given == 0 || remaining > 0 && remaining < shares.count {
                    shares.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                    var k = 0
                    while remaining > 0 && k < shares.count {
                        counts[shares[k].0] += 1
                        remaining -= 1
                        k += 1
                    }
                }
            }
            return counts
        }

        /// Draws user `u`'s ratings, calling `emit(item, rating)` for each.
        @inline(__always)
        func generate(user u: Int, scratch: inout Scratch, _ emit: (Int, Float) -> Void) {
            let c = config
            var rng = SeededGenerator(seed: c.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(u + 1))
            let want = counts[u]
            let stamp = Int32(truncatingIfNeeded: u)
            let base = c.mean + userBias[u]
            let pu = u * c.rank
            var drawn = 0, attempts = 0
            let patience = 64 * want + 1024
            var sweep = rng.nextInt(below: c.items)
            while drawn < want {
                var item: Int
                if attempts < patience {
                    item = alias.draw(&rng)
                    attempts += 1
                    if scratch.stamp[item] == stamp { continue }
                } else {
                    // Very long runs of repeats: take the next unused item in a sweep from a random start.
                    while scratch.stamp[sweep] == stamp { sweep = sweep + 1 == c.items ? 0 : sweep + 1 }
                    item = sweep
                }
                scratch.stamp[item] = stamp
                var dot: Float = 0
                let qi = item * c.rank
                for k in 0..<c.rank { dot += userFactors[pu + k] * itemFactors[qi + k] }
                let raw = base + itemBias[item] + dot + c.noiseDeviation * rng.nextGaussian()
                let value = min(c.scale.upperBound, max(c.scale.lowerBound, raw.rounded()))
                emit(item, value)
                drawn += 1
            }
        }
    }

    /// Walker's alias method: draws index i with probability weights[i] / sum in constant time.
    struct AliasTable: Sendable {
        let probability: [Double]
        let alias: [Int32]

        init(_ weights: [Double]) {
            let n = weights.count
            let sum = weights.reduce(0, +)
            var scaled = weights.map { $0 * Double(n) / sum }
            var prob = [Double](repeating: 1, count: n)
            var al = [Int32](repeating: 0, count: n)
            var small: [Int] = [], large: [Int] = []
            for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
            while let s = small.popLast() {
                guard let l = large.popLast() else { prob[s] = 1; continue }
                prob[s] = scaled[s]
                al[s] = Int32(l)
                scaled[l] -= 1 - scaled[s]
                if scaled[l] < 1 { small.append(l) } else { large.append(l) }
            }
            for l in large { prob[l] = 1; al[l] = Int32(l) }
            for i in 0..<n where prob[i] == 1 { al[i] = Int32(i) }
            probability = prob
            alias = al
        }

        @inline(__always)
        func draw(_ rng: inout SeededGenerator) -> Int {
            let x = rng.next()
            let i = Int((UInt64(UInt32(truncatingIfNeeded: x >> 32)) &* UInt64(probability.count)) >> 32)
            let u = Double(x & 0xFFFF_FFFF) * (1.0 / 4_294_967_296.0)
            return u < probability[i] ? i : Int(alias[i])
        }
    }
}

/// Slots that concurrent tasks fill at disjoint positions, read after they all finish.
final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    /// Stores the result of task `k`; each task writes only its own slot.
    func set(_ k: Int, _ value: T) { slots[k] = value }
    /// Moves the result of task `k` out.
    func take(_ k: Int) -> T {
        let v = slots[k]!
        slots[k] = nil
        return v
    }
}
