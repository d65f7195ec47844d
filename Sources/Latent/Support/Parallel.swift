import Dispatch

/// Work split into disjoint contiguous ranges run on several threads: how models parallelize over users or items.
///
/// The ranges depend only on `count` and `threads`, and each index is handled by exactly one range, so results are
/// the same as a serial run whenever the work on each index is independent of the others.
enum Parallel {
    /// Runs `body` on `threads` nearly equal contiguous parts of `0..<count` (serially when `threads` is 1).
    static func forEachRange(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = max(1, min(threads, count))
        if parts == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            body((p * count / parts)..<((p + 1) * count / parts))
        }
    }
}

/// A buffer several threads write to at disjoint positions (rows of a factor matrix): the unchecked `Sendable`
/// wrapper that lets `concurrentPerform` closures capture it. Callers guarantee the positions are disjoint.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    let count: Int

    init(_ buffer: UnsafeMutableBufferPointer<T>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer<T>(bitPattern: 8)!.advanced(by: 0)
        count = buffer.count
    }

    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
