/// What to do when the same (user, item) pair occurs more than once.
public enum DuplicatePolicy: String, Sendable, CaseIterable, Codable {
    /// Keep the observation that comes last in the input (the default: a later rating replaces an earlier one).
    case keepLast = "last"
    /// Keep the observation that comes first.
    case keepFirst = "first"
    /// Keep the mean of the values.
    case average = "mean"
    /// Keep the sum of the values (natural for interaction counts).
    case sum = "sum"
}

/// The interaction matrix the models learn from: ratings stored by user and by item in compressed sparse form.
///
/// Built from a ``RatingSet``; only users and items that occur are kept, and each (user, item) pair is stored once
/// according to a ``DuplicatePolicy``. Rows are sorted by index.
public struct RatingMatrix: Sendable {
    /// The users, in index order (only those with at least one rating).
    public let users: IDMap
    /// The items, in index order (only those with at least one rating).
    public let items: IDMap
    /// Ratings by user: row u lists the items u rated and the ratings.
    public let byUser: SparseRows
    /// Ratings by item: row i lists the users who rated i and the ratings.
    public let byItem: SparseRows
    /// The mean of all stored ratings.
    public let globalMean: Float
    /// How many input observations were folded into another by the duplicate policy.
    public let duplicateCount: Int

    /// The number of users.
    public var userCount: Int { users.count }
    /// The number of items.
    public var itemCount: Int { items.count }
    /// The number of stored ratings.
    public var count: Int { byUser.entryCount }

    /// Builds the matrix from `set`, folding duplicate pairs by `duplicates`.
    public init(_ set: RatingSet, duplicates: DuplicatePolicy = .keepLast) {
        // Keep only the users and items that occur, in order of first occurrence.
        var userMap = [Int32](repeating: -1, count: set.users.count)
        var itemMap = [Int32](repeating: -1, count: set.items.count)
        var userIDs: [String] = []
        var itemIDs: [String] = []
        for n in 0..<set.count {
            let u = Int(set.userIndices[n]), i = Int(set.itemIndices[n])
            if userMap[u] < 0 {
                userMap[u] = Int32(userIDs.count)
                userIDs.append(set.users[u])
            }
            if itemMap[i] < 0 {
                itemMap[i] = Int32(itemIDs.count)
                itemIDs.append(set.items[i])
            }
        }
        let userCount = userIDs.count

        // Stable counting sort by user keeps the input order within each row.
        var offsets = [Int](repeating: 0, count: userCount + 1)
        for u in set.userIndices { offsets[Int(userMap[Int(u)]) + 1] += 1 }
        for u in 0..<userCount { offsets[u + 1] += offsets[u] }
        var next = offsets
        var rowItems = [Int32](repeating: 0, count: set.count)
        var rowValues = [Float](repeating: 0, count: set.count)
        for n in 0..<set.count {
            let u = Int(userMap[Int(set.userIndices[n])])
            let p = next[u]
            rowItems[p] = itemMap[Int(set.itemIndices[n])]
            rowValues[p] = set.values[n]
            next[u] = p + 1
        }

        // Sort each row by item (stably) and fold duplicates.
        var outOffsets = [Int](repeating: 0, count: userCount + 1)
        var outItems = [Int32]()
        var outValues = [Float]()
        outItems.reserveCapacity(set.count)
        outValues.reserveCapacity(set.count)
        var folded = 0
        // Sort keys: the item in the high half, the position in the row (for stability) in the low half.
        var keys: [UInt64] = []
        var order: [Int] = []
        for u in 0..<userCount {
            let lo = offsets[u], hi = offsets[u + 1]
            keys.removeAll(keepingCapacity: true)
            for p in lo..<hi { keys.append(UInt64(UInt32(bitPattern: rowItems[p])) << 32 | UInt64(p - lo)) }
            keys.sort()
            order.removeAll(keepingCapacity: true)
            for key in keys { order.append(lo + Int(key & 0xFFFF_FFFF)) }
            var k = 0
            while k < order.count {
                let item = rowItems[order[k]]
                var end = k + 1
                while end < order.count && rowItems[order[end]] == item { end += 1 }
                let value: Float
                switch duplicates {
                case .keepLast: value = rowValues[order[end - 1]]
                case .keepFirst: value = rowValues[order[k]]
                case .average, .sum:
                    var s: Double = 0
                    for m in k..<end { s += Double(rowValues[order[m]]) }
                    value = Float(duplicates == .sum ? s : s / Double(end - k))
                }
                folded += end - k - 1
                outItems.append(item)
                outValues.append(value)
                k = end
            }
            outOffsets[u + 1] = outItems.count
        }

        self.users = IDMap(userIDs)
        self.items = IDMap(itemIDs)
        self.byUser = SparseRows(offsets: outOffsets, indices: outItems, values: outValues)
        self.byItem = byUser.transposed(columnCount: itemIDs.count)
        var sum: Double = 0
        for v in outValues { sum += Double(v) }
        self.globalMean = outValues.isEmpty ? 0 : Float(sum / Double(outValues.count))
        self.duplicateCount = folded
    }

    /// Each item's mean rating mu_i, in item order: what mean normalization subtracts.
    public func itemMeans() -> [Float] {
        (0..<itemCount).map { i in
            var s = 0.0
            for n in byItem.range(of: i) { s += Double(byItem.values[n]) }
            return Float(s / Double(max(1, byItem.count(of: i))))
        }
    }

    /// The smallest and largest stored rating, or nil when empty.
    public var valueRange: ClosedRange<Float>? {
        guard let first = byUser.values.first else { return nil }
        var lo = first, hi = first
        for v in byUser.values {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        return lo...hi
    }

    /// The ratings as parallel (user, item, value) arrays in row order: the order an epoch of SGD starts from.
    public func triples() -> (users: [Int32], items: [Int32], values: [Float]) {
        var us = [Int32](repeating: 0, count: count)
        for u in 0..<userCount {
            for n in byUser.range(of: u) { us[n] = Int32(u) }
        }
        return (us, byUser.indices, byUser.values)
    }
}
