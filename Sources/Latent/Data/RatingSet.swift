/// A list of (user, item, rating) observations as read from a file: the input of splits and of ``RatingMatrix``.
///
/// Users and items are dense indices into ``users`` and ``items``. The arrays are parallel: observation `n` is
/// (`userIndices[n]`, `itemIndices[n]`, `values[n]`), with `timestamps[n]` when the source had times.
public struct RatingSet: Sendable {
    /// The identifiers of the users the indices refer to.
    public var users: IDMap
    /// The identifiers of the items the indices refer to.
    public var items: IDMap
    /// The user of each observation.
    public var userIndices: [Int32]
    /// The item of each observation.
    public var itemIndices: [Int32]
    /// The rating (or interaction weight) of each observation.
    public var values: [Float]
    /// The time of each observation (seconds since 1970), or nil when the source has none.
    public var timestamps: [Int64]?

    /// A rating set over the given identifier maps and parallel arrays.
    public init(users: IDMap, items: IDMap, userIndices: [Int32], itemIndices: [Int32], values: [Float], timestamps: [Int64]? = nil) {
        precondition(userIndices.count == itemIndices.count && itemIndices.count == values.count)
        precondition(timestamps == nil || timestamps!.count == values.count)
        self.users = users
        self.items = items
        self.userIndices = userIndices
        self.itemIndices = itemIndices
        self.values = values
        self.timestamps = timestamps
    }

    /// An empty set.
    public init() {
        self.init(users: IDMap(), items: IDMap(), userIndices: [], itemIndices: [], values: [])
    }

    /// A rating set from (user, item, rating) triples of identifiers, in order.
    public init(_ triples: [(user: String, item: String, rating: Float)]) {
        self.init()
        reserveCapacity(triples.count)
        for t in triples { append(user: t.user, item: t.item, value: t.rating) }
    }

    /// The number of observations.
    public var count: Int { values.count }

    /// Whether there is no observation.
    public var isEmpty: Bool { values.isEmpty }

    /// Reserves room for `n` observations.
    public mutating func reserveCapacity(_ n: Int) {
        userIndices.reserveCapacity(n)
        itemIndices.reserveCapacity(n)
        values.reserveCapacity(n)
    }

    /// Appends one observation, adding its user and item to the maps if they are new.
    public mutating func append(user: String, item: String, value: Float, timestamp: Int64? = nil) {
        let u = users.insert(user)
        let i = items.insert(item)
        append(userIndex: u, itemIndex: i, value: value, timestamp: timestamp)
    }

    /// Appends one observation of known indices.
    public mutating func append(userIndex: Int32, itemIndex: Int32, value: Float, timestamp: Int64? = nil) {
        userIndices.append(userIndex)
        itemIndices.append(itemIndex)
        values.append(value)
        if let timestamp {
            if timestamps == nil { timestamps = [Int64](repeating: 0, count: values.count - 1) }
            timestamps!.append(timestamp)
        } else if timestamps != nil {
            timestamps!.append(0)
        }
    }

    /// The observations at `positions`, over the same identifier maps.
    public func subset<S: Sequence>(_ positions: S) -> RatingSet where S.Element == Int {
        var result = RatingSet(users: users, items: items, userIndices: [], itemIndices: [], values: [],
                               timestamps: timestamps == nil ? nil : [])
        for n in positions {
            result.userIndices.append(userIndices[n])
            result.itemIndices.append(itemIndices[n])
            result.values.append(values[n])
            if let t = timestamps { result.timestamps!.append(t[n]) }
        }
        return result
    }

    /// The smallest and largest value, or nil when empty.
    public var valueRange: ClosedRange<Float>? { values.valueRange }
}

extension [Float] {
    /// The smallest and largest value, or nil when empty.
    var valueRange: ClosedRange<Float>? {
        guard var lo = first else { return nil }
        var hi = lo
        for v in self {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return lo...hi
    }
}
