/// A dense, row-major matrix of `Float`.
///
/// Factor matrices (one row per user or item) are stored this way so that a row is one contiguous vector.
public struct Matrix: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The entries, row after row: entry (r, c) is at `r * columns + c`.
    public var storage: [Float]

    /// A matrix of the given size filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must not be negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major storage; `storage.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(storage.count == rows * columns, "Matrix storage has \(storage.count) entries, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix whose entries are drawn from a normal distribution with mean 0 and the given standard deviation.
    public init(rows: Int, columns: Int, normalStandardDeviation sd: Float, using generator: inout SeededGenerator) {
        self.init(rows: rows, columns: columns)
        for i in storage.indices { storage[i] = generator.nextGaussian() * sd }
    }

    /// The entry at row `r`, column `c`.
    @inlinable
    public subscript(r: Int, c: Int) -> Float {
        get { storage[r * columns + c] }
        set { storage[r * columns + c] = newValue }
    }

    /// A copy of row `r`.
    public func row(_ r: Int) -> [Float] {
        Array(storage[(r * columns)..<((r + 1) * columns)])
    }

    /// Replaces row `r` with `values`.
    public mutating func setRow(_ r: Int, to values: [Float]) {
        precondition(values.count == columns)
        storage.replaceSubrange((r * columns)..<((r + 1) * columns), with: values)
    }

    /// Whether every entry is finite.
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }
}
