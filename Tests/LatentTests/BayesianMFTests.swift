import Testing
@testable import Latent

@Suite struct BayesianMFTests {
    @Test func gammaDrawsHaveTheRightMeanAndVariance() {
        var rng = SeededGenerator(seed: 4)
        for (shape, rate) in [(0.5, 2.0), (3.0, 1.5), (500.0, 10.0)] {
            let n = 40_000
            let draws = (0..<n).map { _ in rng.nextGamma(shape: shape, rate: rate) }
            let mean = draws.reduce(0, +) / Double(n)
            let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
            #expect(abs(mean - shape / rate) < 0.03 * shape / rate)
            #expect(abs(variance - shape / (rate * rate)) < 0.06 * shape / (rate * rate))
            #expect(draws.allSatisfy { $0 > 0 })
        }
    }

    static func data() -> (train: RatingMatrix, test: RatingSet) {
        // Ratings from a rank-2 truth with biases and noise.
        var rng = SeededGenerator(seed: 11)
        let pu = (0..<40).map { _ in (rng.nextGaussian(), rng.nextGaussian()) }
        let qi = (0..<30).map { _ in (rng.nextGaussian(), rng.nextGaussian()) }
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 0..<40 {
            for i in 0..<30 where rng.nextUniform() < 0.6 {
                let r = 3 + 0.02 * Float(u - 20) + 0.7 * (pu[u].0 * qi[i].0 + pu[u].1 * qi[i].1) + 0.2 * rng.nextGaussian()
                triples.append(("u\(u)", "i\(i)", r))
            }
        }
        let split = Splits.holdout(RatingSet(triples), testFraction: 0.2, seed: 1)
        return (RatingMatrix(split.train), split.test)
    }

    @Test func residualsStayExactThroughTheSweeps() {
        let (train, _) = Self.data()
        var sampler = GibbsSampler(train, factors: 3, initialScale: 0.1, seed: 2)
        for _ in 0..<5 { sampler.sweep() }
        // Every residual equals r - (w0 + b_u + b_i + p_u . q_i) recomputed from the parameters.
        var worst = 0.0
        for u in 0..<train.userCount {
            for n in train.byUser.range(of: u) {
                let i = Int(train.byUser.indices[n])
                var prediction = sampler.w0 + sampler.bu[u] + sampler.bi[i]
                for f in 0..<3 { prediction += sampler.p[u * 3 + f] * sampler.q[i * 3 + f] }
                worst = max(worst, abs(Double(train.byUser.values[n]) - prediction - sampler.residual[n]))
            }
        }
        #expect(worst < 1e-9)
        #expect(sampler.alpha > 0 && sampler.alpha.isFinite)
    }

    @Test func theAveragedModelLearnsTheLowRankStructureAndRepeatsForASeed() throws {
        let (train, test) = Self.data()
        var config = BayesianMatrixFactorization.defaults
        config.factors = 4
        config.iterations = 120
        config.keptSamples = 50
        let model = try config.fit(train, context: TrainingContext(seed: 3))
        #expect(model.factorCount == 4 * 50)
        let bayes = model.evaluateRatings(on: test).rmse
        let biases = BiasBaseline.defaults.fit(train).evaluateRatings(on: test).rmse
        #expect(bayes < 0.8 * biases)
        let again = try config.fit(train, context: TrainingContext(seed: 3))
        #expect(again.userFactors == model.userFactors && again.itemBias == model.itemBias)
    }

    @Test func burnInMustLeaveSamples() {
        var config = BayesianMatrixFactorization.defaults
        config.iterations = 10
        config.burnIn = 10
        #expect(throws: TrainingError.self) { try config.fit(Self.data().train) }
    }
}
