import Foundation

/// Gives dense indices to identifiers read as bytes, in order of first appearance, without making a String per line.
///
/// Canonical decimal identifiers (`"7"`, `"196"`, not `"007"`) are looked up by value, in an array for values below
/// both 2^24 and 16 times the number of identifiers (at least 2^16), in a dictionary above; any other identifier by a hash of its bytes. The bytes of each distinct identifier are
/// kept once, in one buffer, to make the strings of the ``IDMap`` at the end.
struct IDInterner: Sendable {
    /// The number of distinct identifiers.
    private(set) var count: Int32 = 0
    /// Index by numeric value, -1 when absent.
    private var dense: [Int32] = []
    private var large: [Int: Int32] = [:]
    /// The bytes of identifier `k` are `arena[starts[k]..<starts[k + 1]]`.
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    /// Open addressing table of the non-numeric identifiers: an index, or -1.
    private var slots: [Int32] = []
    private var hashedCount = 0

    static let denseLimit = 1 << 24

    /// The index of the identifier `b[r]` (not empty), adding it if it is new.
    @inline(__always)
    mutating func intern(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int32 {
        let len = r.count
        let first = b[r.lowerBound]
        if len <= 18 && first &- 0x31 < 9 || len == 1 && first == 0x30 {
            var v = 0
            var i = r.lowerBound
            while i < r.upperBound {
                let d = b[i] &- 0x30
                if d >= 10 { break }
                v = v &* 10 &+ Int(d)
                i += 1
            }
            if i == r.upperBound { return internNumber(v, b, r) }
        }
        return internBytes(b, r)
    }

    @inline(__always)
    private mutating func internNumber(_ v: Int, _ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int32 {
        if v < dense.count {
            let k = dense[v]
            if k >= 0 { return k }
        }
        if !large.isEmpty, let k = large[v] { return k }
        let k = add(b, r)
        // The array grows with the number of identifiers (so a few large ids do not cost a large array); values
        // beyond it go to the dictionary, and stay there when the array grows later.
        let allowed = min(Self.denseLimit, max(1 << 16, Int(count) * 16))
        if v < allowed {
            if v >= dense.count {
                let size = min(allowed, max(v + 1, dense.count * 2, 1024))
                dense.append(contentsOf: repeatElement(-1, count: size - dense.count))
            }
            dense[v] = k
        } else {
            large[v] = k
        }
        return k
    }

    private mutating func internBytes(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int32 {
        if hashedCount * 2 >= slots.count { grow() }
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: Self.hash(b, r)) & mask
        let len = r.count
        let source = b.baseAddress! + r.lowerBound
        while true {
            let k = slots[s]
            if k < 0 { break }
            let lo = starts[Int(k)], hi = starts[Int(k) + 1]
            if hi - lo == len {
                let same = arena.withUnsafeBytes { memcmp($0.baseAddress! + lo, source, len) == 0 }
                if same { return k }
            }
            s = (s + 1) & mask
        }
        let k = add(b, r)
        slots[s] = k
        hashedCount += 1
        return k
    }

    private mutating func grow() {
        let size = max(1024, slots.count * 2)
        slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        arena.withUnsafeBytes { a in
            for k in 0..<Int(count) {
                let r = starts[k]..<starts[k + 1]
                guard !Self.isCanonicalNumber(a, r) else { continue }
                var s = Int(truncatingIfNeeded: Self.hash(a, r)) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(k)
            }
        }
    }

    /// Whether `intern` files these bytes by value rather than by hash.
    static func isCanonicalNumber(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty, r.count <= 18 else { return false }
        let first = b[r.lowerBound]
        guard first &- 0x31 < 9 || r.count == 1 && first == 0x30 else { return false }
        for i in r where b[i] &- 0x30 >= 10 { return false }
        return true
    }

    /// A hash of the bytes, eight at a time.
    @inline(__always)
    static func hash(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(r.count &+ 1)
        var i = r.lowerBound
        while i + 8 <= r.upperBound {
            h = (h ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < r.upperBound {
            tail |= UInt64(b[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    private mutating func add(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int32 {
        arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[r]))
        starts.append(arena.count)
        count += 1
        return count - 1
    }

    /// Adds the identifiers of `other` in its order; returns, for each of its indices, the index here.
    mutating func absorb(_ other: IDInterner) -> [Int32] {
        var map = [Int32](repeating: 0, count: Int(other.count))
        other.arena.withUnsafeBytes { a in
            for k in 0..<Int(other.count) {
                map[k] = intern(a, other.starts[k]..<other.starts[k + 1])
            }
        }
        return map
    }

    /// The identifiers as an ``IDMap``, decoded as UTF-8 (or as ISO-8859-1 when they are not valid UTF-8). When
    /// distinct byte strings are equal strings (Unicode canonical equivalents such as a precomposed and a decomposed
    /// "é"), they become one identifier, and the second value maps old indices to new ones.
    func idMap() -> (IDMap, [Int32]?) {
        let strings = arena.withUnsafeBytes { a in
            (0..<Int(count)).map { utf8OrLatin1(UnsafeRawBufferPointer(rebasing: a[starts[$0]..<starts[$0 + 1]])) }
        }
        var seen = Set<String>(minimumCapacity: strings.count)
        if strings.allSatisfy({ seen.insert($0).inserted }) { return (IDMap(strings), nil) }
        var map = IDMap()
        let fix = strings.map { map.insert($0) }
        return (map, fix)
    }
}
