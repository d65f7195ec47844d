import Testing
@testable import Latent

/// f(x) = 1/2 sum a_j (x_j - c_j)^2: minimum at c, value 0.
private func quadratic(_ x: [Double], _ g: inout [Double]) -> Double {
    let a = [1.0, 4.0, 10.0], c = [3.0, -2.0, 0.5]
    var v = 0.0
    for j in 0..<3 {
        v += 0.5 * a[j] * (x[j] - c[j]) * (x[j] - c[j])
        g[j] = a[j] * (x[j] - c[j])
    }
    return v
}

private func rosenbrock(_ x: [Double], _ g: inout [Double]) -> Double {
    let a = 1 - x[0], b = x[1] - x[0] * x[0]
    g[0] = -2 * a - 400 * x[0] * b
    g[1] = 200 * b
    return a * a + 100 * b * b
}

@Suite struct OptimizationTests {
    @Test func gradientDescentReachesTheMinimumOfAQuadratic() throws {
        let r = try GradientDescent.minimize([0, 0, 0], learningRate: 0.15, iterations: 500, quadratic)
        for (x, c) in zip(r.x, [3.0, -2.0, 0.5]) { #expect(abs(x - c) < 1e-9) }
    }

    @Test(arguments: [StepRule.momentum, .adagrad, .rmsprop, .adam])
    func everyStepRuleConvergesOnAQuadratic(rule: StepRule) throws {
        let rate: Double = [.momentum: 0.02, .adagrad: 0.5, .rmsprop: 0.01, .adam: 0.05][rule]!
        let schedule: LearningRateSchedule = rule == .rmsprop || rule == .adam ? .inverseTime(decay: 0.01) : .constant
        let r = try GradientDescent.minimize([0, 0, 0], rule: rule, learningRate: rate, schedule: schedule, iterations: 5000, quadratic)
        for (x, c) in zip(r.x, [3.0, -2.0, 0.5]) { #expect(abs(x - c) < 1e-3, "\(rule): \(r.x)") }
    }

    @Test func adamsFirstStepHasTheLengthOfTheLearningRate() {
        var s = Stepper<Double>(rule: .adam, count: 2)
        var x = [1.0, 1.0]
        s.step(&x, gradient: [100, -0.001], rate: 0.1)
        #expect(abs(x[0] - 0.9) < 1e-6)
        #expect(abs(x[1] - 1.1) < 1e-4)
    }

    @Test(arguments: StepRule.allCases)
    func theVectorKernelsEqualTheScalarOnes(rule: StepRule) {
        func check<K: StepKernel>(_: K.Type) {
            var rng = SeededGenerator(seed: 12)
            let c = StepConstants<Float>()
            var x = SIMD8<Float>(), g = SIMD8<Float>(), m = SIMD8<Float>(), v = SIMD8<Float>()
            for j in 0..<8 {
                x[j] = rng.nextGaussian(); g[j] = rng.nextGaussian(); m[j] = rng.nextGaussian(); v[j] = abs(rng.nextGaussian())
            }
            var xs = x, ms = m, vs = v
            K.update(&x, gradient: g, m: &m, v: &v, rate: 0.01, constants: c, c1: 0.3, c2: 0.02)
            for j in 0..<8 {
                K.update(&xs[j], gradient: g[j], m: &ms[j], v: &vs[j], rate: 0.01, constants: c, c1: 0.3, c2: 0.02)
                #expect(abs(x[j] - xs[j]) <= 1e-6 * max(1, abs(xs[j])) && abs(m[j] - ms[j]) <= 1e-6 && abs(v[j] - vs[j]) <= 1e-6)
            }
            #expect(K.rule == rule)
        }
        switch rule {
        case .sgd: check(SGDStep.self)
        case .momentum: check(MomentumStep.self)
        case .adagrad: check(AdaGradStep.self)
        case .rmsprop: check(RMSPropStep.self)
        case .adam: check(AdamStep.self)
        }
    }

    @Test func momentumAccumulatesVelocity() {
        var s = Stepper<Float>(rule: .momentum, count: 1)
        var x: [Float] = [0]
        s.step(&x, gradient: [1], rate: 1)  // m = 1
        s.step(&x, gradient: [1], rate: 1)  // m = 1.9
        #expect(abs(x[0] + 2.9) < 1e-6)
    }

    @Test func lbfgsFindsTheExactMinimumOfAQuadratic() throws {
        let r = try LBFGS.minimize([10, 10, 10], quadratic)
        #expect(r.converged)
        for (x, c) in zip(r.x, [3.0, -2.0, 0.5]) { #expect(abs(x - c) < 1e-8) }
        #expect(r.iterations < 20)
    }

    @Test func lbfgsConvergesOnRosenbrock() throws {
        let r = try LBFGS.minimize([-1.2, 1], options: LBFGS.Options(maxIterations: 500, gradientTolerance: 1e-10), rosenbrock)
        #expect(abs(r.x[0] - 1) < 1e-6 && abs(r.x[1] - 1) < 1e-6, "\(r.x) after \(r.iterations)")
        #expect(r.value < 1e-12)
    }

    @Test func conjugateGradientFindsTheMinimaToo() throws {
        let q = try ConjugateGradient.minimize([10, 10, 10], quadratic)
        for (x, c) in zip(q.x, [3.0, -2.0, 0.5]) { #expect(abs(x - c) < 1e-7) }
        let r = try ConjugateGradient.minimize([-1.2, 1], options: LBFGS.Options(maxIterations: 5000, gradientTolerance: 1e-10, c2: 0.1), rosenbrock)
        #expect(abs(r.x[0] - 1) < 1e-5 && abs(r.x[1] - 1) < 1e-5, "\(r.x) after \(r.iterations)")
    }

    @Test func lbfgsLineSearchMeetsTheWolfeConditions() {
        var evaluations = 0
        var g0 = [0.0, 0.0]
        let x0 = [-1.2, 1.0]
        let f0 = rosenbrock(x0, &g0)
        let d = g0.map { -$0 }
        let slope = zip(g0, d).map(*).reduce(0, +)
        let options = LBFGS.Options()
        let t = LBFGS.lineSearch(x: x0, value: f0, gradient: g0, direction: d, slope: slope, initialStep: 1,
                                 options: options, evaluations: &evaluations, rosenbrock)
        let trial = try! #require(t)
        #expect(trial.value <= f0 + options.c1 * trial.step * slope)
        #expect(abs(trial.slope) <= -options.c2 * slope)
    }

    @Test func divergenceNamesTheLearningRate() {
        #expect(throws: TrainingError.self) {
            _ = try GradientDescent.minimize([0, 0, 0], learningRate: 1000, iterations: 10_000, quadratic)
        }
        do {
            _ = try GradientDescent.minimize([0, 0, 0], learningRate: 1000, iterations: 10_000, quadratic)
        } catch let TrainingError.diverged(_, rate) {
            #expect(rate == 1000)
            #expect(TrainingError.diverged(epoch: 3, learningRate: rate).description.contains("learning rate 1000"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func schedulesFollowTheirFormulas() {
        #expect(LearningRateSchedule.constant.rate(initial: 0.1, epoch: 7) == 0.1)
        #expect(abs(LearningRateSchedule.step(every: 3, factor: 0.5).rate(initial: 1, epoch: 7) - 0.25) < 1e-15)
        #expect(abs(LearningRateSchedule.exponential(decay: 0.9).rate(initial: 2, epoch: 2) - 1.62) < 1e-12)
        #expect(abs(LearningRateSchedule.inverseTime(decay: 0.5).rate(initial: 1, epoch: 4) - 1.0 / 3) < 1e-15)
        for text in ["constant", "step:3:0.5", "exponential:0.9", "inverse-time:0.5"] {
            #expect(LearningRateSchedule(text)?.text == text)
        }
        #expect(LearningRateSchedule("step:0:2") == nil)
        #expect(LearningRateSchedule("sometimes") == nil)
        // The SGD models' Float rates: an exponential decay multiplies in Float (what `decay` did), the others round.
        var gamma: Float = 0.01, expected: [Float] = []
        for _ in 0..<4 { expected.append(gamma); gamma *= Float(0.96) }
        #expect(LearningRateSchedule.exponential(decay: 0.96).rates(initial: 0.01, epochs: 4) == expected)
        #expect(LearningRateSchedule.step(every: 2, factor: 0.5).rates(initial: 1, epochs: 5) == [1, 1, 0.5, 0.5, 0.25])
        #expect(LearningRateSchedule.constant.rates(initial: 0.1, epochs: 0) == [])
    }

    @Test func upperCholeskyMatchesTheLowerOneAndSolves() {
        var rng = SeededGenerator(seed: 3)
        for n in [1, 3, 4, 5, 9, 13] {
            let m = (0..<(n * (n + 2))).map { _ in Float(rng.nextGaussian()) }
            var a = Gram.matrix(m, rows: n + 2, dimension: n)
            for j in 0..<n { a[j * n + j] += 0.5 }
            let b = (0..<n).map { Double($0) - 1.5 }
            let expected = Cholesky.solve(a, b)!
            var u = a, x = b
            let ok = u.withUnsafeMutableBufferPointer { Cholesky.factorUpper($0.baseAddress!, n: n) }
            #expect(ok)
            u.withUnsafeBufferPointer { up in x.withUnsafeMutableBufferPointer { Cholesky.solveUpper(up.baseAddress!, n: n, $0.baseAddress!) } }
            for j in 0..<n { #expect(abs(x[j] - expected[j]) < 1e-9 * max(1, abs(expected[j]))) }
        }
    }

    @Test func gramKernelsMatchTheNaiveGramMatrix() {
        var rng = SeededGenerator(seed: 5)
        let d = 7, rows = 11
        let z = (0..<(rows * d)).map { _ in Float(rng.nextGaussian()) }
        var a = [Float](repeating: 0, count: d * d)
        z.withUnsafeBufferPointer { zp in
            a.withUnsafeMutableBufferPointer { ap in
                Gram.addOuterProducts4(zp.baseAddress!, into: ap.baseAddress!, dimension: d)
                Gram.addOuterProducts4(zp.baseAddress! + 4 * d, into: ap.baseAddress!, dimension: d)
                for r in 8..<rows { Gram.addOuterProduct(zp.baseAddress! + r * d, into: ap.baseAddress!, dimension: d) }
            }
        }
        let naive = Gram.matrix(z, rows: rows, dimension: d)
        for r in 0..<d {
            for c in r..<d { #expect(abs(Double(a[r * d + c]) - naive[r * d + c]) < 1e-4) }
        }
    }
}
