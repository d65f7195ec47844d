/// A differentiable objective over a flat parameter vector: what the numerical gradient checker works on.
///
/// Every model with an analytic gradient exposes one (on a small problem) so tests and `latent gradcheck` can compare
/// it with central differences.
public protocol DifferentiableObjective {
    /// The number of parameters.
    var parameterCount: Int { get }
    /// The objective's value at `parameters`.
    func value(at parameters: [Double]) -> Double
    /// The analytic gradient at `parameters`.
    func gradient(at parameters: [Double]) -> [Double]
}

/// An objective that computes its value and gradient in one pass, as the minimizers want them: it gets
/// ``DifferentiableObjective``'s two functions for free.
public protocol FusedObjective: DifferentiableObjective {
    /// The value at `parameters`, writing the gradient into `gradient` (`parameterCount` entries, overwritten).
    func evaluate(_ parameters: [Double], gradient: inout [Double]) -> Double
}

extension FusedObjective {
    public func value(at parameters: [Double]) -> Double {
        var g = [Double](repeating: 0, count: parameterCount)
        return evaluate(parameters, gradient: &g)
    }

    public func gradient(at parameters: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: parameterCount)
        _ = evaluate(parameters, gradient: &g)
        return g
    }
}

/// The result of comparing an analytic gradient with central differences.
public struct GradientCheckResult: Sendable, Equatable {
    /// max over parameters of |analytic - numerical| / max(1e-8, |analytic| + |numerical|).
    public var maxRelativeError: Double
    /// The largest absolute difference.
    public var maxAbsoluteError: Double
    /// The number of parameters compared.
    public var parameterCount: Int
}

/// Numerical gradient checking by central differences in Double.
public enum GradientCheck {
    /// Compares the analytic gradient of `objective` at `point` with (f(x + h e_i) - f(x - h e_i)) / 2h.
    public static func check(_ objective: some DifferentiableObjective, at point: [Double], step h: Double = 1e-5) -> GradientCheckResult {
        precondition(point.count == objective.parameterCount)
        let analytic = objective.gradient(at: point)
        var x = point
        var worstRelative = 0.0, worstAbsolute = 0.0
        for i in 0..<point.count {
            let saved = x[i]
            x[i] = saved + h
            let up = objective.value(at: x)
            x[i] = saved - h
            let down = objective.value(at: x)
            x[i] = saved
            let numerical = (up - down) / (2 * h)
            let diff = abs(analytic[i] - numerical)
            worstAbsolute = max(worstAbsolute, diff)
            worstRelative = max(worstRelative, diff / max(1e-8, abs(analytic[i]) + abs(numerical)))
        }
        return GradientCheckResult(maxRelativeError: worstRelative, maxAbsoluteError: worstAbsolute, parameterCount: point.count)
    }

    /// Random ratings 1...5 for 7 users and 6 items, about 60% of the pairs, every user and item with one at least.
    public static func ratings(seed: UInt64) -> RatingMatrix {
        var rng = SeededGenerator(seed: seed)
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 0..<7 {
            for i in 0..<6 where rng.nextUniform() < 0.6 || i == u % 6 || u == i {
                triples.append(("u\(u)", "i\(i)", Float(1 + rng.nextInt(below: 5))))
            }
        }
        return RatingMatrix(RatingSet(triples))
    }

    /// Checks the objective `make` builds on ``ratings(seed:)`` (drawing anything else it needs from `rng`) at a
    /// random point drawn next from the same generator.
    public static func check(seed: UInt64, _ make: (RatingMatrix, inout SeededGenerator) -> any DifferentiableObjective)
        -> GradientCheckResult {
        var rng = SeededGenerator(seed: seed &+ 1)
        let objective = make(ratings(seed: seed), &rng)
        return check(objective, at: (0..<objective.parameterCount).map { _ in Double(rng.nextGaussian()) * 0.7 })
    }
}

/// A model whose training objective has an analytic gradient, checked against central differences on a small random
/// problem (the tests and `latent gradcheck`).
public protocol GradientChecked: Sendable {
    /// The check of the gradient on the problem drawn from `seed`.
    func gradientCheck(seed: UInt64) -> GradientCheckResult
}
