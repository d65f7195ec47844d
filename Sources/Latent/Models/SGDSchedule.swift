import Foundation

/// The order in which blocked SGD visits its blocks, and a runner that keeps that order where it matters without
/// waiting at the end of every sub-epoch.
///
/// The fixed order is a list of sub-epochs; sub-epoch J with shift s_J runs the G blocks (g, (g + s_J) mod G),
/// which share no user group and no item group. Two blocks touch the same parameters exactly when they share their
/// user group (row band) or their item group (column band), and within a sub-epoch no two do. So the model is that of
/// running the sub-epochs one after the other as long as each block (J, g) runs after the block of its row band in
/// sub-epoch J - 1, (J - 1, g), and after the block of its column band in sub-epoch J - 1, (J - 1, g') with
/// g' = (g + s_J - s_{J-1}) mod G: every pair of blocks that share parameters is then ordered as in the fixed order
/// (by induction over J), and blocks that share none commute. ``run(threads:body:)`` starts each block as soon as
/// those two are done, across sub-epoch and epoch boundaries (LibMF's threads take free blocks the same way, but in an
/// order that depends on timing): the threads never wait for a whole sub-epoch, and the model is the same for every
/// thread count and every timing.
struct SGDSchedule {
    /// The side of the grid.
    let grid: Int
    /// The shift of each sub-epoch, in order: sub-epoch J runs blocks (g, (g + shifts[J]) mod grid).
    let shifts: [Int]

    /// The block that row band `g` runs in sub-epoch `j`.
    func block(subEpoch j: Int, row g: Int) -> Int { g * grid + (g + shifts[j]) % grid }

    /// The row band whose block in sub-epoch `j - 1` has the column band of (j, g): the other block (j, g) waits for.
    func columnPredecessor(subEpoch j: Int, row g: Int) -> Int {
        ((g + shifts[j] - shifts[j - 1]) % grid + grid) % grid
    }

    /// Runs `body(j, g)` for every sub-epoch j and row band g, on up to `threads` threads, each call after those of
    /// (j - 1, g) and (j - 1, columnPredecessor(j, g)) have returned. Among the blocks that may start, a free thread
    /// takes the one of the earliest sub-epoch (then the lowest row band): the oldest work is never starved, so a
    /// single thread runs the fixed order itself.
    ///
    /// `finished(j)` is called once every block of sub-epoch j is done, in the order of j (each row band finishes j
    /// before j + 1; blocks of later sub-epochs may be running). It is called under the runner's lock, so keep it
    /// short; it returns false to stop the run: no block starts after that, and the running ones finish.
    func run(threads: Int, body: @Sendable (Int, Int) -> Void, finished: @Sendable (Int) -> Bool) {
        let total = shifts.count
        guard total > 0, grid > 0 else { return }
        let state = State(rows: grid, subEpochs: total)
        let workers = max(1, min(threads, grid))
        Parallel.run(workers) { _ in
            state.condition.lock()
            while !state.stopped {
                // The ready row band of the earliest sub-epoch: its previous block and its column's previous block done.
                var pick = -1
                for g in 0..<grid where !state.running[g] {
                    let j = state.next[g]
                    guard j < total, j == 0 || state.next[columnPredecessor(subEpoch: j, row: g)] >= j else { continue }
                    if pick < 0 || j < state.next[pick] { pick = g }
                }
                if pick < 0 {
                    if state.finished == grid { break }
                    state.condition.wait()
                    continue
                }
                let j = state.next[pick]
                state.running[pick] = true
                state.condition.unlock()
                body(j, pick)
                state.condition.lock()
                state.running[pick] = false
                state.next[pick] = j + 1
                if j + 1 == total { state.finished += 1 }
                state.done[j] += 1
                if state.done[j] == grid && !finished(j) { state.stopped = true }
                state.condition.broadcast()
            }
            state.condition.unlock()
        }
    }

    /// The progress of each row band, shared by the threads under the condition's lock.
    final class State {
        let condition = NSCondition()
        /// The next sub-epoch of each row band (all before it are done).
        var next: [Int]
        /// Whether a thread is running the row band's block.
        var running: [Bool]
        /// How many row bands have done each sub-epoch.
        var done: [Int]
        /// How many row bands have done every sub-epoch.
        var finished = 0
        /// Set when a block asked to stop.
        var stopped = false

        init(rows: Int, subEpochs: Int) {
            done = [Int](repeating: 0, count: subEpochs)
            next = [Int](repeating: 0, count: rows)
            running = [Bool](repeating: false, count: rows)
        }
    }
}
