/// An error found in a chunk, with the line counted from the chunk's start.
struct LocalError: Sendable {
    var line: Int
    var field: String
    var reason: String
}

/// The ratings of one chunk of the input, with identifiers indexed locally.
struct ChunkResult: Sendable {
    var users = IDInterner()
    var items = IDInterner()
    var userIndices: [Int32] = []
    var itemIndices: [Int32] = []
    var values: [Float] = []
    var times: [Int64]?
    /// Whether every line read had a timestamp.
    var allTimed = true
    /// Lines in the chunk (the last one may lack its newline).
    var lines = 0
    var skipped = 0
    var firstError: LocalError?
}

extension RatingReader {
    /// Joins the chunks in order: identifiers by first appearance over the whole input, indices remapped.
    static func merge(_ chunks: inout [ChunkResult]) -> RatingSet {
        var users = IDInterner(), items = IDInterner()
        var userMaps: [[Int32]] = [], itemMaps: [[Int32]] = []
        var offsets = [0]
        for chunk in chunks {
            userMaps.append(users.absorb(chunk.users))
            itemMaps.append(items.absorb(chunk.items))
            offsets.append(offsets.last! + chunk.values.count)
        }
        // Identifiers that are distinct bytes but equal strings (Unicode equivalents, invalid UTF-8) are one.
        let (userMap, userFix) = users.idMap()
        let (itemMap, itemFix) = items.idMap()
        let total = offsets.last!
        let withTimes = chunks.allSatisfy { $0.allTimed && $0.times != nil }

        // Remap each chunk's indices in place (the first chunk's map is the identity unless identifiers were joined),
        // then append the chunks to the first one, releasing each as it is copied.
        for c in chunks.indices {
            var um = userMaps[c], im = itemMaps[c]
            if let f = userFix { um = um.map { f[Int($0)] } }
            if let f = itemFix { im = im.map { f[Int($0)] } }
            remap(&chunks[c].userIndices, um)
            remap(&chunks[c].itemIndices, im)
        }
        var result = chunks[0]
        chunks[0] = ChunkResult()
        result.userIndices.reserveCapacity(total)
        result.itemIndices.reserveCapacity(total)
        result.values.reserveCapacity(total)
        if withTimes { result.times!.reserveCapacity(total) }
        for c in chunks.indices.dropFirst() {
            result.userIndices.append(contentsOf: chunks[c].userIndices)
            result.itemIndices.append(contentsOf: chunks[c].itemIndices)
            result.values.append(contentsOf: chunks[c].values)
            if withTimes { result.times!.append(contentsOf: chunks[c].times!) }
            chunks[c] = ChunkResult()
        }
        chunks.removeAll()
        return RatingSet(users: userMap, items: itemMap, userIndices: result.userIndices, itemIndices: result.itemIndices,
                         values: result.values, timestamps: withTimes ? result.times : nil)
    }

    /// Replaces each index `k` of `indices` by `map[k]`, unless `map` is the identity.
    static func remap(_ indices: inout [Int32], _ map: [Int32]) {
        if map.elementsEqual(0..<Int32(map.count)) { return }
        map.withUnsafeBufferPointer { m in
            indices.withUnsafeMutableBufferPointer { x in
                for n in x.indices { x[n] = m[Int(x[n])] }
            }
        }
    }
}
