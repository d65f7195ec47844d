import Foundation

/// The first-order update rules the models share: plain (stochastic) gradient descent, momentum, AdaGrad, RMSProp
/// and Adam.
///
/// Each rule updates one parameter x from its gradient g and up to two numbers of state (m, v) kept per parameter:
///
/// - `sgd`:      x -= eta g
/// - `momentum`: m = beta1 m + g;  x -= eta m                                (heavy ball)
/// - `adagrad`:  v += g^2;  x -= eta g / (sqrt(v) + eps)
/// - `rmsprop`:  v = rho v + (1 - rho) g^2;  x -= eta g / (sqrt(v) + eps)   (rho = beta2)
/// - `adam`:     m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
///               x -= eta (m / c1) / (sqrt(v / c2) + eps), with c1 = 1 - beta1^t, c2 = 1 - beta2^t
public enum StepRule: String, Sendable, CaseIterable {
    /// Plain gradient descent (stochastic when the gradient is of one example).
    case sgd
    /// Gradient descent with heavy-ball momentum.
    case momentum
    /// AdaGrad: a per-parameter step shrinking with the sum of squared gradients.
    case adagrad
    /// RMSProp: a per-parameter step scaled by a moving average of squared gradients.
    case rmsprop
    /// Adam: moving averages of the gradient and of its square, with bias correction.
    case adam

    /// Refuses a step rule other than plain steps for a solver that takes no steps of its own (L-BFGS, CG,
    /// alternating): the rule would be silently ignored.
    func check(solver: String, takesSteps: Bool) throws {
        guard self == .sgd || takesSteps else {
            throw TrainingError.invalidHyperparameter(name: "optimizer", value: rawValue,
                                                      reason: "needs solver=gd (solver \(solver) has no step rule)")
        }
    }
}

/// The constants of a ``StepRule``.
public struct StepConstants<T: BinaryFloatingPoint>: Sendable where T: Sendable {
    /// The momentum coefficient, and Adam's first-moment decay.
    public var beta1: T
    /// RMSProp's and Adam's second-moment decay.
    public var beta2: T
    /// Added to the root of the second moment to avoid division by zero.
    public var epsilon: T

    /// Constants; the defaults are the usual ones (0.9, 0.999, 1e-8).
    public init(beta1: T = 0.9, beta2: T = 0.999, epsilon: T = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Adam's bias corrections (1 - beta1^t, 1 - beta2^t) after `t` steps (t >= 1).
    @inlinable
    public func biasCorrections(step t: Int) -> (T, T) {
        let b1 = Double(beta1), b2 = Double(beta2)
        return (T(1 - pow(b1, Double(t))), T(1 - pow(b2, Double(t))))
    }
}

extension StepRule {
    /// Updates one parameter: the kernel every stepper and every SGD loop calls. `m` and `v` are the parameter's
    /// state (ignored by the rules that keep less); `c1`, `c2` are Adam's bias corrections (1 for no correction).
    @inlinable @inline(__always)
    public func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                               constants k: StepConstants<T>, c1: T, c2: T) {
        switch self {
        case .sgd: SGDStep.update(&x, gradient: g, m: &m, v: &v, rate: eta, constants: k, c1: c1, c2: c2)
        case .momentum: MomentumStep.update(&x, gradient: g, m: &m, v: &v, rate: eta, constants: k, c1: c1, c2: c2)
        case .adagrad: AdaGradStep.update(&x, gradient: g, m: &m, v: &v, rate: eta, constants: k, c1: c1, c2: c2)
        case .rmsprop: RMSPropStep.update(&x, gradient: g, m: &m, v: &v, rate: eta, constants: k, c1: c1, c2: c2)
        case .adam: AdamStep.update(&x, gradient: g, m: &m, v: &v, rate: eta, constants: k, c1: c1, c2: c2)
        }
    }
}

/// One update rule as a type, so that a hot loop generic over it is specialized with no switch inside.
public protocol StepKernel {
    /// The rule this kernel implements.
    static var rule: StepRule { get }
    /// Updates one parameter (see ``StepRule``).
    static func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                               constants k: StepConstants<T>, c1: T, c2: T)
    /// The same update on eight Float parameters at once (the hot loops' vector path).
    static func update(_ x: inout SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>,
                       rate eta: Float, constants k: StepConstants<Float>, c1: Float, c2: Float)
}

/// x -= eta g.
public enum SGDStep: StepKernel {
    public static var rule: StepRule { .sgd }
    @inlinable @inline(__always)
    public static func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                                      constants k: StepConstants<T>, c1: T, c2: T) {
        x -= eta * g
    }
    @inlinable @inline(__always)
    public static func update(_ x: inout SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>,
                              rate eta: Float, constants k: StepConstants<Float>, c1: Float, c2: Float) {
        x -= eta * g
    }
}

/// m = beta1 m + g; x -= eta m.
public enum MomentumStep: StepKernel {
    public static var rule: StepRule { .momentum }
    @inlinable @inline(__always)
    public static func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                                      constants k: StepConstants<T>, c1: T, c2: T) {
        m = k.beta1 * m + g
        x -= eta * m
    }
    @inlinable @inline(__always)
    public static func update(_ x: inout SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>,
                              rate eta: Float, constants k: StepConstants<Float>, c1: Float, c2: Float) {
        m = k.beta1 * m + g
        x -= eta * m
    }
}

/// v += g^2; x -= eta g / (sqrt(v) + eps).
public enum AdaGradStep: StepKernel {
    public static var rule: StepRule { .adagrad }
    @inlinable @inline(__always)
    public static func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                                      constants k: StepConstants<T>, c1: T, c2: T) {
        v += g * g
        x -= eta * g / (v.squareRoot() + k.epsilon)
    }
    @inlinable @inline(__always)
    public static func update(_ x: inout SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>,
                              rate eta: Float, constants k: StepConstants<Float>, c1: Float, c2: Float) {
        v += g * g
        x -= eta * g / (v.squareRoot() + k.epsilon)
    }
}

/// v = rho v + (1 - rho) g^2; x -= eta g / (sqrt(v) + eps).
public enum RMSPropStep: StepKernel {
    public static var rule: StepRule { .rmsprop }
    @inlinable @inline(__always)
    public static func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                                      constants k: StepConstants<T>, c1: T, c2: T) {
        v = k.beta2 * v + (1 - k.beta2) * g * g
        x -= eta * g / (v.squareRoot() + k.epsilon)
    }
    @inlinable @inline(__always)
    public static func update(_ x: inout SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>,
                              rate eta: Float, constants k: StepConstants<Float>, c1: Float, c2: Float) {
        v = k.beta2 * v + (1 - k.beta2) * g * g
        x -= eta * g / (v.squareRoot() + k.epsilon)
    }
}

/// Adam with bias corrections c1, c2.
public enum AdamStep: StepKernel {
    public static var rule: StepRule { .adam }
    @inlinable @inline(__always)
    public static func update<T: BinaryFloatingPoint>(_ x: inout T, gradient g: T, m: inout T, v: inout T, rate eta: T,
                                                      constants k: StepConstants<T>, c1: T, c2: T) {
        m = k.beta1 * m + (1 - k.beta1) * g
        v = k.beta2 * v + (1 - k.beta2) * g * g
        // (m / c1) / (sqrt(v / c2) + eps), rearranged so that only one division and one root depend on the parameter.
        let s = c2.squareRoot()
        x -= (eta * s / c1) * m / (v.squareRoot() + k.epsilon * s)
    }
    @inlinable @inline(__always)
    public static func update(_ x: inout SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>,
                              rate eta: Float, constants k: StepConstants<Float>, c1: Float, c2: Float) {
        m = k.beta1 * m + (1 - k.beta1) * g
        v = k.beta2 * v + (1 - k.beta2) * g * g
        let s = c2.squareRoot()
        x -= (eta * s / c1) * m / (v.squareRoot() + k.epsilon * s)
    }
}

/// A first-order optimizer over one flat buffer of parameters, keeping the rule's per-parameter state.
///
/// `step` applies one update of every parameter from a full gradient (batch gradient descent and its variants).
public struct Stepper<T: BinaryFloatingPoint & Sendable>: Sendable {
    /// The update rule.
    public let rule: StepRule
    /// The rule's constants.
    public var constants: StepConstants<T>
    /// First-moment state (momentum velocity, Adam's m), one per parameter, or empty.
    public private(set) var first: [T]
    /// Second-moment state (AdaGrad's sum, RMSProp's and Adam's v), one per parameter, or empty.
    public private(set) var second: [T]
    /// The number of steps taken.
    public private(set) var steps: Int = 0

    /// A stepper for `count` parameters.
    public init(rule: StepRule, count: Int, constants: StepConstants<T> = StepConstants()) {
        self.rule = rule
        self.constants = constants
        first = [T](repeating: 0, count: rule == .momentum || rule == .adam ? count : 0)
        second = [T](repeating: 0, count: rule == .adagrad || rule == .rmsprop || rule == .adam ? count : 0)
    }

    /// One update of every parameter in the array `x` from `gradient` with step size `rate`.
    public mutating func step(_ x: inout [T], gradient: [T], rate: T) {
        precondition(x.count == gradient.count)
        beginStep()
        update(&x, gradient: gradient, range: 0..<x.count, rate: rate)
    }

    /// Starts a step whose updates are then applied part by part with ``update(_:gradient:range:rate:)``: the lazy
    /// form for sparse gradients (embedding rows that a batch touched), where every part of one step shares its
    /// bias corrections.
    public mutating func beginStep() { steps += 1 }

    /// The update of the current step on `x[range]` from `gradient[range]` (``beginStep()`` first).
    public mutating func update(_ x: inout [T], gradient: [T], range: Range<Int>, rate: T) {
        precondition(x.count == gradient.count && range.upperBound <= x.count && steps > 0)
        precondition(first.isEmpty || first.count == x.count)
        precondition(second.isEmpty || second.count == x.count)
        let (c1, c2) = rule == .adam ? constants.biasCorrections(step: steps) : (1, 1)
        let rule = self.rule, k = constants
        let hasFirst = !first.isEmpty, hasSecond = !second.isEmpty
        x.withUnsafeMutableBufferPointer { x in
        gradient.withUnsafeBufferPointer { g in
        first.withUnsafeMutableBufferPointer { m in
        second.withUnsafeMutableBufferPointer { v in
            for j in range {
                // A rule without a state reads a zero and its update is not kept.
                var mj = hasFirst ? m[j] : 0, vj = hasSecond ? v[j] : 0
                rule.update(&x[j], gradient: g[j], m: &mj, v: &vj, rate: rate, constants: k, c1: c1, c2: c2)
                if hasFirst { m[j] = mj }
                if hasSecond { v[j] = vj }
            }
        }}}}
    }
}
