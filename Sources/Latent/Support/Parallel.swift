import Dispatch

/// Fork-join parallelism over disjoint pieces of work, the only kind the models use.
///
/// The pieces depend only on the sizes and the thread count, and each index is handled by exactly one piece, so
/// results equal a serial run whenever the work on each index is independent of the others.
enum Parallel {
    /// Runs `body(t)` for t in 0..<count, concurrently when count > 1, and returns when all are done.
    static func run(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { body($0) }
        }
    }

    /// Splits 0..<total into `parts` contiguous ranges of nearly equal size (empty ones when parts > total).
    static func ranges(_ total: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, parts)
        return (0..<parts).map { p in (total * p / parts)..<(total * (p + 1) / parts) }
    }

    /// Runs `body` on `threads` nearly equal contiguous parts of `0..<count` (serially when `threads` is 1).
    static func forEachRange(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = ranges(count, parts: min(threads, count))
        run(parts.count) { body(parts[$0]) }
    }
}

/// A pointer that may cross into concurrent work: the caller guarantees the pieces of work touch disjoint memory.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A read-only pointer shared with concurrent work.
struct SharedReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    init(_ base: UnsafePointer<T>) { self.base = base }
}

/// A buffer several threads write to at disjoint positions (rows of a factor matrix). Callers guarantee the
/// positions are disjoint.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    let count: Int

    init(_ buffer: UnsafeMutableBufferPointer<T>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer<T>(bitPattern: 8)!
        count = buffer.count
    }

    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// Bytes read by concurrent tasks.
struct SendableBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
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
