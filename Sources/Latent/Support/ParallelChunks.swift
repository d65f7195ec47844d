import Dispatch

extension Parallel {
    /// Calls `body(range)` for up to `threads` contiguous, disjoint chunks covering `0..<count`, concurrently.
    /// Which indices a chunk holds depends only on the count and the thread count, so results written by index are
    /// the same on every run.
    static func forEachChunk(count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let t = max(1, min(threads, count))
        guard t > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: t) { c in
            body(chunk(c, of: t, count: count))
        }
    }

    /// The `c`-th of `parts` nearly equal contiguous chunks of `0..<count`.
    static func chunk(_ c: Int, of parts: Int, count: Int) -> Range<Int> {
        (c * count / parts)..<((c + 1) * count / parts)
    }
}

/// A pointer that may cross into concurrently running chunks because every chunk writes disjoint indices.
struct SharedMutablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A read-only pointer shared with concurrently running chunks.
struct SharedReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    init(_ base: UnsafePointer<T>) { self.base = base }
}
