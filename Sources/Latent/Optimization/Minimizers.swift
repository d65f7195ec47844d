/// A smooth function to minimize: writes the gradient at `x` into `gradient` and returns the value.
public typealias ObjectiveFunction = (_ x: [Double], _ gradient: inout [Double]) -> Double

/// What a minimizer found.
public struct MinimizationResult: Sendable {
    /// The best point found.
    public var x: [Double]
    /// The objective's value there.
    public var value: Double
    /// The iterations taken.
    public var iterations: Int
    /// How many times the objective was evaluated.
    public var evaluations: Int
    /// The Euclidean norm of the gradient at ``x``.
    public var gradientNorm: Double
    /// Whether a convergence test was met (rather than the iteration limit).
    public var converged: Bool
}

/// Batch gradient descent and its first-order variants (momentum, AdaGrad, RMSProp, Adam) on a full gradient, with a
/// learning-rate schedule.
public enum GradientDescent {
    /// Minimizes `f` from `x0` by `iterations` steps of `rule` with rate `schedule.rate(initial: learningRate, epoch: t)`.
    ///
    /// Stops early when the gradient norm falls below `gradientTolerance`. A value or gradient that stops being
    /// finite, or a value that grows beyond 10^6 times the starting one (an explosion that stays finite, as Adam or
    /// RMSProp at a high rate give), throws ``TrainingError/diverged(epoch:learningRate:)`` naming the learning rate
    /// of that step.
    public static func minimize(_ x0: [Double], rule: StepRule = .sgd, learningRate: Double,
                                schedule: LearningRateSchedule = .constant, iterations: Int,
                                gradientTolerance: Double = 0, constants: StepConstants<Double> = StepConstants(),
                                progress: ((Int, Double) -> Void)? = nil,
                                _ f: ObjectiveFunction) throws -> MinimizationResult {
        var x = x0
        var g = [Double](repeating: 0, count: x.count)
        var stepper = Stepper<Double>(rule: rule, count: x.count, constants: constants)
        var value = f(x, &g)
        var evaluations = 1
        let ceiling = 1e6 * max(1, abs(value))
        for t in 0..<iterations {
            let rate = schedule.rate(initial: learningRate, epoch: t)
            let norm = Vector.norm(g)
            guard value.isFinite, norm.isFinite, value <= ceiling else { throw TrainingError.diverged(epoch: t, learningRate: Float(rate)) }
            if norm <= gradientTolerance {
                return MinimizationResult(x: x, value: value, iterations: t, evaluations: evaluations, gradientNorm: norm, converged: true)
            }
            stepper.step(&x, gradient: g, rate: rate)
            value = f(x, &g)
            evaluations += 1
            progress?(t + 1, value)
        }
        let norm = Vector.norm(g)
        guard value.isFinite, norm.isFinite else {
            throw TrainingError.diverged(epoch: iterations, learningRate: Float(schedule.rate(initial: learningRate, epoch: max(0, iterations - 1))))
        }
        return MinimizationResult(x: x, value: value, iterations: iterations, evaluations: evaluations, gradientNorm: norm, converged: false)
    }
}

/// Limited-memory BFGS (Nocedal and Wright, algorithm 7.5) with a line search satisfying the strong Wolfe
/// conditions (algorithms 3.5 and 3.6): the notes' "advanced optimization algorithm".
public enum LBFGS {
    /// Settings of the minimizer.
    public struct Options: Sendable {
        /// How many correction pairs are kept.
        public var memory: Int
        /// The most iterations.
        public var maxIterations: Int
        /// Stop when ||g|| <= gradientTolerance * max(1, ||x||).
        public var gradientTolerance: Double
        /// Stop when the relative decrease of the value in one iteration falls below this.
        public var valueTolerance: Double
        /// The sufficient-decrease constant c1 of the Wolfe conditions.
        public var c1: Double
        /// The curvature constant c2 of the Wolfe conditions.
        public var c2: Double

        /// Options; the defaults suit most smooth problems.
        public init(memory: Int = 10, maxIterations: Int = 200, gradientTolerance: Double = 1e-8,
                    valueTolerance: Double = 1e-12, c1: Double = 1e-4, c2: Double = 0.9) {
            self.memory = memory
            self.maxIterations = maxIterations
            self.gradientTolerance = gradientTolerance
            self.valueTolerance = valueTolerance
            self.c1 = c1
            self.c2 = c2
        }
    }

    /// f and its gradient at the start `x0`; a non-finite start is divergence.
    static func start(_ x0: [Double], _ f: ObjectiveFunction) throws -> (value: Double, gradient: [Double]) {
        var g = [Double](repeating: 0, count: x0.count)
        let value = f(x0, &g)
        guard value.isFinite, g.allSatisfy({ $0.isFinite }) else { throw TrainingError.diverged(epoch: 0, learningRate: 1) }
        return (value, g)
    }

    /// Minimizes `f` from `x0`. A starting value or gradient that is not finite throws
    /// ``TrainingError/diverged(epoch:learningRate:)``; so does a search direction along which every step gives a
    /// non-finite value.
    public static func minimize(_ x0: [Double], options: Options = Options(), progress: ((Int, Double) -> Void)? = nil,
                                _ f: ObjectiveFunction) throws -> MinimizationResult {
        let n = x0.count
        var x = x0, (value, g) = try LBFGS.start(x0, f), evaluations = 1
        // The correction pairs s = x+ - x, y = g+ - g and rho = 1 / s.y, oldest first.
        var history: [(s: [Double], y: [Double], rho: Double)] = []
        var d = [Double](repeating: 0, count: n)
        var alphas = [Double](repeating: 0, count: options.memory)
        var iteration = 0
        var converged = false
        while iteration < options.maxIterations {
            let gNorm = Vector.norm(g)
            if gNorm <= options.gradientTolerance * max(1, Vector.norm(x)) { converged = true; break }
            // Two-loop recursion: d = -H g.
            for j in 0..<n { d[j] = -g[j] }
            if let last = history.last {
                for (h, pair) in history.enumerated().reversed() {
                    let a = pair.rho * Vector.dot(pair.s, d)
                    alphas[h] = a
                    Vector.axpy(-a, pair.y, &d)
                }
                let gamma = Vector.dot(last.s, last.y) / Vector.dot(last.y, last.y)
                for j in 0..<n { d[j] *= gamma }
                for (h, pair) in history.enumerated() {
                    let b = pair.rho * Vector.dot(pair.y, d)
                    Vector.axpy(alphas[h] - b, pair.s, &d)
                }
            }
            var slope = Vector.dot(g, d)
            if !(slope < 0) {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                history.removeAll()
                for j in 0..<n { d[j] = -g[j] }
                slope = -gNorm * gNorm
            }
            let initialStep = history.isEmpty ? min(1, 1 / max(gNorm, 1e-300)) : 1
            guard let found = lineSearch(x: x, value: value, gradient: g, direction: d, slope: slope,
                                         initialStep: initialStep, options: options, evaluations: &evaluations, f) else {
                if history.isEmpty {
                    if !value.isFinite { throw TrainingError.diverged(epoch: iteration, learningRate: Float(initialStep)) }
                    break  // no progress possible along steepest descent: a (numerical) minimum
                }
                history.removeAll()
                continue
            }
            iteration += 1
            let s = zip(found.x, x).map { $0 - $1 }, y = zip(found.gradient, g).map { $0 - $1 }
            let sy = Vector.dot(s, y)
            let previous = value
            x = found.x
            g = found.gradient
            value = found.value
            progress?(iteration, value)
            if sy > 1e-12 * Vector.dot(y, y) {
                if history.count == options.memory { history.removeFirst() }
                history.append((s, y, 1 / sy))
            }
            if abs(previous - value) <= options.valueTolerance * max(1, abs(value), abs(previous)) { converged = true; break }
        }
        return MinimizationResult(x: x, value: value, iterations: iteration, evaluations: evaluations,
                                  gradientNorm: Vector.norm(g), converged: converged)
    }

    struct Trial {
        var step: Double
        var x: [Double]
        var value: Double
        var gradient: [Double]
        var slope: Double
    }

    /// A step along `direction` satisfying the strong Wolfe conditions, or the best sufficient-decrease step found,
    /// or nil when none decreases the value.
    static func lineSearch(x: [Double], value f0: Double, gradient g0: [Double], direction d: [Double], slope s0: Double,
                           initialStep: Double, options: Options, evaluations: inout Int, _ f: ObjectiveFunction) -> Trial? {
        let n = x.count
        func evaluate(_ a: Double) -> Trial {
            var xt = x
            for j in 0..<n { xt[j] += a * d[j] }
            var gt = [Double](repeating: 0, count: n)
            let v = f(xt, &gt)
            evaluations += 1
            let slope = Vector.dot(gt, d)
            return Trial(step: a, x: xt, value: v.isFinite && slope.isFinite ? v : .infinity, gradient: gt, slope: slope.isFinite ? slope : .infinity)
        }
        func armijo(_ t: Trial) -> Bool { t.value <= f0 + options.c1 * t.step * s0 }
        func curvature(_ t: Trial) -> Bool { abs(t.slope) <= -options.c2 * s0 }
        var best: Trial? = nil
        func remember(_ t: Trial) { if armijo(t), t.value < (best?.value ?? f0) { best = t } }

        func zoom(_ lo0: Trial, _ hi0: Trial) -> Trial? {
            var lo = lo0, hi = hi0
            for _ in 0..<30 {
                let width = hi.step - lo.step
                // Quadratic interpolation from lo's value and slope and hi's value, kept inside the bracket.
                var a = lo.step + width / 2
                if hi.value.isFinite {
                    let denominator = 2 * (hi.value - lo.value - lo.slope * width)
                    if denominator > 0 {
                        let q = lo.step - lo.slope * width * width / denominator
                        let low = min(lo.step, hi.step) + 0.1 * abs(width), high = max(lo.step, hi.step) - 0.1 * abs(width)
                        if q.isFinite { a = min(max(q, low), high) }
                    }
                }
                let t = evaluate(a)
                remember(t)
                if !armijo(t) || t.value >= lo.value {
                    hi = t
                } else {
                    if curvature(t) { return t }
                    if t.slope * (hi.step - lo.step) >= 0 { hi = lo }
                    lo = t
                }
                if abs(hi.step - lo.step) < 1e-16 * max(1, abs(lo.step)) { break }
            }
            return best
        }

        var previous = Trial(step: 0, x: x, value: f0, gradient: g0, slope: s0)
        var a = initialStep
        for i in 0..<40 {
            let t = evaluate(a)
            remember(t)
            if !armijo(t) || (i > 0 && t.value >= previous.value) { return zoom(previous, t) }
            if curvature(t) { return t }
            if t.slope >= 0 { return zoom(t, previous) }
            previous = t
            a *= 2
        }
        return best
    }
}

/// Nonlinear conjugate gradient (Polak-Ribiere+, Nocedal and Wright section 5.2) with the strong-Wolfe line search
/// of ``LBFGS`` (c2 = 0.1, as conjugate gradient wants a closer line minimum), restarting along the steepest descent
/// when the direction stops descending.
public enum ConjugateGradient {
    /// Minimizes `f` from `x0`; the options are those of ``LBFGS`` (`memory` is not used).
    public static func minimize(_ x0: [Double], options: LBFGS.Options = LBFGS.Options(c2: 0.1),
                                progress: ((Int, Double) -> Void)? = nil, _ f: ObjectiveFunction) throws -> MinimizationResult {
        let n = x0.count
        var x = x0, (value, g) = try LBFGS.start(x0, f), evaluations = 1
        var d = g.map { -$0 }
        var iteration = 0
        var converged = false
        var step = 1 / max(Vector.norm(g), 1e-300)
        while iteration < options.maxIterations {
            let gNorm = Vector.norm(g)
            if gNorm <= options.gradientTolerance * max(1, Vector.norm(x)) { converged = true; break }
            var slope = Vector.dot(g, d)
            if !(slope < 0) {
                d = g.map { -$0 }
                slope = -gNorm * gNorm
            }
            guard let found = LBFGS.lineSearch(x: x, value: value, gradient: g, direction: d, slope: slope,
                                               initialStep: step, options: options, evaluations: &evaluations, f) else { break }
            iteration += 1
            let previous = value
            // beta = max(0, g+ . (g+ - g) / g . g)
            var numerator = 0.0
            for j in 0..<n { numerator += found.gradient[j] * (found.gradient[j] - g[j]) }
            let beta = max(0, numerator / max(gNorm * gNorm, 1e-300))
            // The next trial step: the one that would repeat this iteration's decrease along the new direction.
            let lastSlope = slope
            x = found.x
            g = found.gradient
            value = found.value
            for j in 0..<n { d[j] = -g[j] + beta * d[j] }
            let newSlope = Vector.dot(g, d)
            step = newSlope < 0 ? min(1e10, found.step * lastSlope / newSlope) : 1 / max(Vector.norm(g), 1e-300)
            progress?(iteration, value)
            if abs(previous - value) <= options.valueTolerance * max(1, abs(value), abs(previous)) { converged = true; break }
        }
        return MinimizationResult(x: x, value: value, iterations: iteration, evaluations: evaluations,
                                  gradientNorm: Vector.norm(g), converged: converged)
    }
}
