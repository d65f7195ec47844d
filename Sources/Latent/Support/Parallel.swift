import Dispatch

/// Fork-join parallelism over disjoint pieces of work, the only kind the models use.
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

    /// Splits 0..<total into `parts` contiguous ranges of nearly equal size.
    static func ranges(_ total: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, max(1, total)))
        return (0..<parts).map { p in (total * p / parts)..<(total * (p + 1) / parts) }
    }
}

/// A pointer that may cross into concurrent work: the caller guarantees the pieces of work touch disjoint memory.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
