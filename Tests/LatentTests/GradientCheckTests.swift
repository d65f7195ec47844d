import Testing
@testable import Latent

/// An objective whose "analytic" gradient is deliberately wrong in one coordinate: the checker must notice.
private struct Wrong: DifferentiableObjective {
    var parameterCount: Int { 3 }
    func value(at x: [Double]) -> Double { x[0] * x[0] + 3 * x[1] + x[2] * x[1] }
    func gradient(at x: [Double]) -> [Double] { [2 * x[0], 3 + x[2], x[1] * 1.001] }
}

@Suite struct GradientCheckTests {
    @Test(arguments: ModelRegistry.all.filter { $0.gradientCheck != nil }.map(\.name))
    func analyticGradientMatchesCentralDifferences(model: String) throws {
        let check = try #require(try ModelRegistry.descriptor(named: model).gradientCheck)
        for seed: UInt64 in [1, 42] {
            let result = check(seed)
            #expect(result.maxRelativeError <= 1e-6, "\(model) seed \(seed): \(result.maxRelativeError)")
            #expect(result.parameterCount > 20)
        }
    }

    @Test func aWrongGradientIsCaught() {
        let r = GradientCheck.check(Wrong(), at: [0.3, -1.2, 2])
        #expect(r.maxRelativeError > 1e-4)
    }

    @Test func modelsWithoutAGradientAreRefused() {
        #expect(ModelDescriptor.als.gradientCheck == nil)
        #expect(ModelRegistry.all.filter { $0.gradientCheck != nil }.map(\.name) == ["sgd-mf", "biased-mf", "content", "cofi", "svdpp", "neural", "mult-dae"])
    }

    @Test func theSGDObjectivesGradientIsTheSumOfTheSGDSteps() throws {
        // One plain SGD step on a one-rating problem moves p by -gamma * dJ/dp of that rating's term.
        let data = RatingMatrix(RatingSet([("a", "x", 4)]))
        var c = SGDMatrixFactorization.biasedDefaults
        c.factors = 2
        let objective = MatrixFactorizationObjective(c, data: data)
        let x: [Double] = [0.1, 0.2, 0.3, -0.4, 0.05, -0.02]  // p, q, b_u, b_i
        let g = objective.gradient(at: x)
        let mu = Double(data.globalMean)
        let e = 4 - (mu + 0.05 - 0.02 + 0.1 * 0.3 + 0.2 * -0.4)
        #expect(abs(g[0] - (Double(c.userRegularization) * 0.1 - e * 0.3)) < 1e-6)
        #expect(abs(g[4] - (Double(c.userBiasRegularization) * 0.05 - e)) < 1e-6)
    }
}
