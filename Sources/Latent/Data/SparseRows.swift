/// A sparse matrix in compressed sparse row form: row `r` holds `indices[offsets[r]..<offsets[r+1]]`, sorted
/// ascending, with `values` parallel to `indices`.
public struct SparseRows: Sendable, Equatable {
    /// Where each row starts in ``indices`` and ``values``; `offsets.count == rowCount + 1`.
    public var offsets: [Int]
    /// The column of each stored entry.
    public var indices: [Int32]
    /// The value of each stored entry.
    public var values: [Float]

    /// Rows from their parts; `offsets` must start at 0, rise, and end at `indices.count`.
    public init(offsets: [Int], indices: [Int32], values: [Float]) {
        precondition(offsets.first == 0 && offsets.last == indices.count && indices.count == values.count)
        self.offsets = offsets
        self.indices = indices
        self.values = values
    }

    /// The number of rows.
    public var rowCount: Int { offsets.count - 1 }

    /// The number of stored entries.
    public var entryCount: Int { indices.count }

    /// The range of row `r` in ``indices`` and ``values``.
    @inlinable
    public func range(of r: Int) -> Range<Int> { offsets[r]..<offsets[r + 1] }

    /// The number of entries in row `r`.
    @inlinable
    public func count(of r: Int) -> Int { offsets[r + 1] - offsets[r] }

    /// The columns of row `r`.
    public func columns(of r: Int) -> ArraySlice<Int32> { indices[range(of: r)] }

    /// Whether row `r` has an entry in `column`.
    public func contains(row r: Int, column: Int32) -> Bool { position(row: r, column: column) != nil }

    /// Where row `r`'s entry in `column` is stored in ``indices`` and ``values`` (binary search), or nil.
    func position(row r: Int, column: Int32) -> Int? {
        var lo = offsets[r], hi = offsets[r + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] < column { lo = mid + 1 } else { hi = mid }
        }
        return lo < offsets[r + 1] && indices[lo] == column ? lo : nil
    }

    /// A column drawn uniformly from those row `r` does not contain, by rejection (the negative sampler of the
    /// ranking models: an item the user has not interacted with); nil, with no draw, when row `r` holds every one
    /// of the `columns` columns.
    public func sampleAbsent(row r: Int, columns: Int, using rng: inout SeededGenerator) -> Int? {
        guard count(of: r) < columns else { return nil }
        var j = rng.nextInt(below: columns)
        while contains(row: r, column: Int32(j)) { j = rng.nextInt(below: columns) }
        return j
    }

    /// The transpose, with `columnCount` rows; built by a counting sort, so each row stays sorted.
    public func transposed(columnCount: Int) -> SparseRows {
        var counts = [Int](repeating: 0, count: columnCount + 1)
        for c in indices { counts[Int(c) + 1] += 1 }
        for c in 0..<columnCount { counts[c + 1] += counts[c] }
        var next = counts
        var tIndices = [Int32](repeating: 0, count: indices.count)
        var tValues = [Float](repeating: 0, count: indices.count)
        for r in 0..<rowCount {
            for n in range(of: r) {
                let c = Int(indices[n])
                let p = next[c]
                tIndices[p] = Int32(r)
                tValues[p] = values[n]
                next[c] = p + 1
            }
        }
        return SparseRows(offsets: counts, indices: tIndices, values: tValues)
    }
}
