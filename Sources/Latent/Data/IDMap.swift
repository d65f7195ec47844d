/// The map between the users' (or items') own identifiers and the dense indices `0..<count` the models use.
///
/// Identifiers are any strings ("196", "u-17"); everything a user of Latent reads or writes speaks in them, while
/// models index arrays by position.
public struct IDMap: Sendable, Equatable, Codable {
    /// The identifiers, in index order.
    public private(set) var ids: [String]
    private var positions: [String: Int32]

    /// An empty map.
    public init() {
        ids = []
        positions = [:]
    }

    /// A map whose index `i` is `ids[i]`. Identifiers must be distinct.
    public init(_ ids: [String]) {
        self.ids = ids
        positions = Dictionary(minimumCapacity: ids.count)
        for (i, id) in ids.enumerated() {
            let previous = positions.updateValue(Int32(i), forKey: id)
            precondition(previous == nil, "Duplicate identifier \(id) in IDMap")
        }
    }

    /// The number of identifiers.
    public var count: Int { ids.count }

    /// The dense index of `id`, or nil if it is not in the map.
    @inlinable
    public func index(of id: String) -> Int? {
        lookup(id).map(Int.init)
    }

    @usableFromInline
    func lookup(_ id: String) -> Int32? { positions[id] }

    /// The identifier at dense index `index`.
    public subscript(index: Int) -> String { ids[index] }

    /// The index of `id`, adding it at the end if it is new.
    @discardableResult
    public mutating func insert(_ id: String) -> Int32 {
        if let p = positions[id] { return p }
        let p = Int32(ids.count)
        ids.append(id)
        positions[id] = p
        return p
    }

    /// Whether `id` is in the map.
    public func contains(_ id: String) -> Bool { positions[id] != nil }

    public static func == (a: IDMap, b: IDMap) -> Bool { a.ids == b.ids }

    enum CodingKeys: CodingKey { case ids }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode([String].self, forKey: .ids))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ids, forKey: .ids)
    }
}
