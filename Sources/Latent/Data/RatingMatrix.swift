import Foundation

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
/// according to a ``DuplicatePolicy``. Rows are sorted by index. The by-item rows are built from the by-user rows the
/// first time a model asks for them, so a model that never does (SGD) holds the ratings once: 8 bytes a rating.
public struct RatingMatrix: Sendable {
    /// The users, in index order (only those with at least one rating).
    public let users: IDMap
    /// The items, in index order (only those with at least one rating).
    public let items: IDMap
    /// Ratings by user: row u lists the items u rated and the ratings.
    public let byUser: SparseRows
    /// Ratings by item: row i lists the users who rated i and the ratings (built on first use, then kept).
    public var byItem: SparseRows {
        byItemCache.withLock { cached in
            if let cached { return cached }
            let rows = byUser.transposed(columnCount: items.count)
            cached = rows
            return rows
        }
    }
    /// The by-item rows once built, shared by the copies of the matrix.
    private let byItemCache = Locked<SparseRows?>(nil)
    /// The mean of all stored ratings.
    public let globalMean: Float
    /// How many input observations were folded into another by the duplicate policy.
    public let duplicateCount: Int
    /// The time of each stored rating (seconds since 1970), parallel to `byUser.values`, or nil: kept only when the
    /// matrix is built with `keepingTimes` from a set that has times (the models that use times ask for them, see
    /// ``ModelDescriptor/usesTimes(_:)``; the others pay nothing). A pair folded by the duplicate policy keeps the
    /// time of the observation kept (`last`, `first`), or the latest time (`mean`, `sum`).
    public let times: [Int64]?

    /// The number of users.
    public var userCount: Int { users.count }
    /// The number of items.
    public var itemCount: Int { items.count }
    /// The number of stored ratings.
    public var count: Int { byUser.entryCount }

    /// Builds the matrix from `set`, folding duplicate pairs by `duplicates`.
    ///
    /// The observations are sorted into rows by user (a stable counting sort), then each row by item in place, folding
    /// duplicates as it goes; `set` is consumed, and its arrays are released as soon as the rows hold the ratings
    /// (when the caller passes its last copy), so the build holds at most 20 bytes a rating (28 with times).
    /// With `keepingTimes`, the times of a set that has them are kept in ``times``.
    public init(_ set: consuming RatingSet, duplicates: DuplicatePolicy = .keepLast, keepingTimes: Bool = false) {
        // Keep only the users and items that occur, in order of first occurrence.
        var userMap = [Int32](repeating: -1, count: set.users.count)
        var itemMap = [Int32](repeating: -1, count: set.items.count)
        var userIDs: [String] = []
        var itemIDs: [String] = []
        let n = set.count
        for k in 0..<n {
            let u = Int(set.userIndices[k]), i = Int(set.itemIndices[k])
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
        var rowItems = [Int32](repeating: 0, count: n)
        var rowValues = [Float](repeating: 0, count: n)
        let setTimes = keepingTimes ? set.timestamps : nil
        var rowTimes = [Int64](repeating: 0, count: setTimes == nil ? 0 : n)
        do {
            var next = offsets
            for k in 0..<n {
                let u = Int(userMap[Int(set.userIndices[k])])
                let p = next[u]
                rowItems[p] = itemMap[Int(set.itemIndices[k])]
                rowValues[p] = set.values[k]
                if let setTimes { rowTimes[p] = setTimes[k] }
                next[u] = p + 1
            }
        }
        set = RatingSet()

        // Sort each row by item (stably) and fold duplicates, writing the rows back to front in place.
        var folded = 0
        var end = 0
        // Sort keys: the item in the high half, the position in the row (for stability) in the low half.
        var keys: [UInt64] = []
        var rowI: [Int32] = [], rowV: [Float] = [], rowT: [Int64] = []
        let timed = setTimes != nil
        rowItems.withUnsafeMutableBufferPointer { items in
        rowValues.withUnsafeMutableBufferPointer { values in
        rowTimes.withUnsafeMutableBufferPointer { times in
            var lo = 0
            for u in 0..<userCount {
                let hi = offsets[u + 1]
                offsets[u] = end
                var sorted = true
                var p = lo + 1
                while p < hi {
                    if items[p - 1] >= items[p] { sorted = false; break }
                    p += 1
                }
                if sorted {
                    // Already strictly ascending: no duplicate; move it down over what was folded.
                    if end != lo {
                        for q in lo..<hi {
                            items[end + q - lo] = items[q]
                            values[end + q - lo] = values[q]
                            if timed { times[end + q - lo] = times[q] }
                        }
                    }
                    end += hi - lo
                } else {
                    keys.removeAll(keepingCapacity: true)
                    for q in lo..<hi { keys.append(UInt64(UInt32(bitPattern: items[q])) << 32 | UInt64(q - lo)) }
                    keys.sort()
                    rowI.removeAll(keepingCapacity: true)
                    rowV.removeAll(keepingCapacity: true)
                    rowT.removeAll(keepingCapacity: true)
                    var k = 0
                    while k < keys.count {
                        let item = Int32(bitPattern: UInt32(keys[k] >> 32))
                        var last = k + 1
                        while last < keys.count && keys[last] >> 32 == keys[k] >> 32 { last += 1 }
                        let value: Float
                        switch duplicates {
                        case .keepLast: value = values[lo + Int(keys[last - 1] & 0xFFFF_FFFF)]
                        case .keepFirst: value = values[lo + Int(keys[k] & 0xFFFF_FFFF)]
                        case .average, .sum:
                            var s: Double = 0
                            for m in k..<last { s += Double(values[lo + Int(keys[m] & 0xFFFF_FFFF)]) }
                            value = Float(duplicates == .sum ? s : s / Double(last - k))
                        }
                        folded += last - k - 1
                        rowI.append(item)
                        rowV.append(value)
                        if timed {
                            switch duplicates {
                            case .keepLast: rowT.append(times[lo + Int(keys[last - 1] & 0xFFFF_FFFF)])
                            case .keepFirst: rowT.append(times[lo + Int(keys[k] & 0xFFFF_FFFF)])
                            case .average, .sum: rowT.append((k..<last).map { times[lo + Int(keys[$0] & 0xFFFF_FFFF)] }.max() ?? 0)
                            }
                        }
                        k = last
                    }
                    for q in rowI.indices {
                        items[end + q] = rowI[q]
                        values[end + q] = rowV[q]
                        if timed { times[end + q] = rowT[q] }
                    }
                    end += rowI.count
                }
                lo = hi
            }
        }}}
        offsets[userCount] = end
        if end < n {
            rowItems.removeLast(n - end)
            rowValues.removeLast(n - end)
            if timed { rowTimes.removeLast(n - end) }
        }
        self.times = timed ? rowTimes : nil

        self.users = IDMap(userIDs)
        self.items = IDMap(itemIDs)
        self.byUser = SparseRows(offsets: offsets, indices: rowItems, values: rowValues)
        var sum: Double = 0
        for v in rowValues { sum += Double(v) }
        self.globalMean = rowValues.isEmpty ? 0 : Float(sum / Double(rowValues.count))
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
    public var valueRange: ClosedRange<Float>? { byUser.values.valueRange }

    /// The number of ratings of each item, in item order (from ``byUser``: it does not build ``byItem``).
    public func itemCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: itemCount)
        byUser.indices.withUnsafeBufferPointer { items in
            for i in items { counts[Int(i)] += 1 }
        }
        return counts
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
