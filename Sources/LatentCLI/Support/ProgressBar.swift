import Foundation
import Latent

/// A one-line progress bar on the error stream: `training biased-mf  epoch 12/60 [=====     ]  loss 0.8123  12s left`.
///
/// It turns the library's ``TrainingProgress`` callbacks into text; commands create it only when the error stream is a
/// terminal and `--quiet` is not given (see ``RunOptions/progressBar(_:)``).
final class ProgressBar: Sendable {
    private let title: String
    private let console: Console
    private struct State {
        var start = ContinuousClock.now
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }
    private let state = Locked(State())
    private let width = 24

    init(title: String, console: Console) {
        self.title = title
        self.console = console
    }

    /// Draws the bar for `p` (at most ten times a second, and always for the last step).
    func update(_ p: TrainingProgress) {
        state.withLock { s in
            let now = ContinuousClock.now
            if p.step <= 1 && !s.drawn { s.start = now }
            if let last = s.lastDraw, p.step < p.total, last.duration(to: now) < .milliseconds(100) { return }
            s.lastDraw = now
            s.drawn = true
            console.error("\r" + ProgressBar.line(title: title, progress: p, elapsed: seconds(since: s.start), width: width) + "\u{1B}[K")
        }
    }

    /// Ends the bar's line, if one was drawn.
    func finish() {
        state.withLock { s in
            if s.drawn { console.error("\n") }
            s.drawn = false
        }
    }

    /// The text of the bar for `p` after `elapsed` seconds.
    static func line(title: String, progress p: TrainingProgress, elapsed: Double, width: Int = 24) -> String {
        let total = max(1, p.total)
        let fraction = min(1, max(0, Double(p.step) / Double(total)))
        let filled = Int((fraction * Double(width)).rounded(.down))
        var text = "\(title)  \(p.stage) \(p.step)/\(p.total) ["
        text += String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]"
        if let loss = p.loss { text += "  loss \(fixed(loss, 4))" }
        if p.step > 0 && p.step < total {
            text += "  \(duration(elapsed / Double(p.step) * Double(total - p.step))) left"
        } else if p.step >= total {
            text += "  \(duration(elapsed))"
        }
        return text
    }

    static func duration(_ s: Double) -> String {
        if s < 10 { return String(format: "%.1fs", s) }
        if s < 60 { return "\(Int(s.rounded()))s" }
        let m = Int(s / 60), r = Int(s) % 60
        return m < 60 ? "\(m)m\(String(format: "%02d", r))s" : "\(m / 60)h\(String(format: "%02d", m % 60))m"
    }
}
