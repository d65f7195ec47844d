import Dispatch
import Foundation

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
/// With ``SharedReadPointer`` and the conformances at the end of this file, the only `@unchecked Sendable` types
/// of the library: every parallel loop goes through ``Parallel``.
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
    @inline(__always)
    subscript(i: Int) -> T { base[i] }
}

/// A value behind a lock, shared by threads (results and errors of parallel work, captured console text, a
/// progress bar's state).
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` on the value while holding the lock.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// The first error thrown by any piece of parallel work, the one of the lowest index, so that the report does not
/// depend on timing.
final class FirstError: Sendable {
    private let best = Locked<(index: Int, error: any Error)?>(nil)

    /// Records `error`, thrown while working on `index`.
    func record(index: Int, _ error: any Error) {
        best.withLock { best in
            if best == nil || index < best!.index { best = (index, error) }
        }
    }

    /// The error of the lowest index, if any.
    var error: (any Error)? { best.withLock { $0?.error } }
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

/// The factor rows that the blocked SGD epoch updates from several threads, each thread on its own block of users
/// and items.
extension SGDMatrixFactorization.SharedFactors: @unchecked Sendable {}

/// The SGD blocks and the unblocked ratings: the schedule gives each block to one thread at a time.
extension SGDMatrixFactorization.SharedBlocks: @unchecked Sendable {}

/// The SGD schedule's progress, read and written only under its condition's lock.
extension SGDSchedule.State: @unchecked Sendable {}
