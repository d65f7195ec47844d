/// Partial selection of the `k` best-scored candidates with a bounded min-heap: O(n log k), no full sort.
public struct TopK: Sendable {
    /// A selected entry: a dense index and its score.
    public struct Entry: Sendable, Equatable {
        /// The dense index of the item (or user).
        public var index: Int
        /// Its score; higher is better.
        public var score: Float
    }

    private var heap: [Entry] = []
    /// How many entries are kept.
    public let k: Int

    /// A selector of the `k` best entries.
    public init(k: Int) {
        self.k = max(0, k)
        heap.reserveCapacity(self.k)
    }

    // The weakest entry sits at the root. Ties go to the smaller index, so results are deterministic.
    @inline(__always)
    private static func worse(_ a: Entry, _ b: Entry) -> Bool {
        a.score < b.score || (a.score == b.score && a.index > b.index)
    }

    /// Offers a candidate.
    public mutating func offer(index: Int, score: Float) {
        offer(Entry(index: index, score: score))
    }

    mutating func offer(_ e: Entry) {
        guard k > 0, !e.score.isNaN else { return }
        if heap.count < k {
            heap.append(e)
            var c = heap.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                if TopK.worse(heap[c], heap[p]) { heap.swapAt(c, p); c = p } else { break }
            }
        } else if TopK.worse(heap[0], e) {
            heap[0] = e
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < heap.count && TopK.worse(heap[l], heap[m]) { m = l }
                if r < heap.count && TopK.worse(heap[r], heap[m]) { m = r }
                if m == p { break }
                heap.swapAt(p, m)
                p = m
            }
        }
    }

    /// The selected entries, best first.
    public func sorted() -> [Entry] {
        heap.sorted { TopK.worse($1, $0) }
    }
}
