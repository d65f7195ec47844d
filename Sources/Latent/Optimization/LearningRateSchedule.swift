import Foundation

/// How a learning rate changes with the epoch: the notes' advice of a rate that starts high and decays.
public enum LearningRateSchedule: Sendable, Equatable {
    /// eta_t = eta_0.
    case constant
    /// eta_t = eta_0 * factor^floor(t / every): a drop every `every` epochs.
    case step(every: Int, factor: Double)
    /// eta_t = eta_0 * decay^t.
    case exponential(decay: Double)
    /// eta_t = eta_0 / (1 + decay * t).
    case inverseTime(decay: Double)

    /// The rate at epoch `t` (from 0) for an initial rate `initial`.
    public func rate(initial: Double, epoch t: Int) -> Double {
        switch self {
        case .constant: return initial
        case let .step(every, factor): return initial * pow(factor, Double(t / max(1, every)))
        case let .exponential(decay): return initial * pow(decay, Double(t))
        case let .inverseTime(decay): return initial / (1 + decay * Double(t))
        }
    }

    /// The rates of epochs 0..<epochs in Float, as the SGD models take them: an exponential decay multiplies the rate
    /// by the decay after each epoch, in Float; the other schedules round ``rate(initial:epoch:)``.
    public func rates(initial: Float, epochs: Int) -> [Float] {
        guard case let .exponential(decay) = self else { return (0..<epochs).map { Float(rate(initial: Double(initial), epoch: $0)) } }
        var gamma = initial
        return (0..<epochs).map { _ in defer { gamma *= Float(decay) }; return gamma }
    }

    /// A schedule from its text form: `constant`, `step:EVERY:FACTOR`, `exponential:DECAY`, `inverse-time:DECAY`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":").map(String.init)
        switch (parts.first, parts.count) {
        case ("constant", 1): self = .constant
        case ("step", 3):
            guard let every = Int(parts[1]), every > 0, let f = Double(parts[2]), f > 0, f.isFinite else { return nil }
            self = .step(every: every, factor: f)
        case ("exponential", 2):
            guard let d = Double(parts[1]), d > 0, d.isFinite else { return nil }
            self = .exponential(decay: d)
        case ("inverse-time", 2):
            guard let d = Double(parts[1]), d >= 0, d.isFinite else { return nil }
            self = .inverseTime(decay: d)
        default: return nil
        }
    }

    /// The text form read by ``init(_:)``.
    public var text: String {
        switch self {
        case .constant: return "constant"
        case let .step(every, factor): return "step:\(every):\(factor)"
        case let .exponential(decay): return "exponential:\(decay)"
        case let .inverseTime(decay): return "inverse-time:\(decay)"
        }
    }
}
