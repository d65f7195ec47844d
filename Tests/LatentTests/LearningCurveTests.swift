import Foundation
import Testing
@testable import Latent

@Suite("Learning curves and early stopping")
struct LearningCurveTests {
    let data = twoTastes()

    /// A seeded 80/20 split of the two-taste ratings.
    var split: TrainTestSplit { Splits.holdout(data, testFraction: 0.2, seed: 9) }

    @Test("a point per epoch; the last point is the trained model's validation RMSE; watching changes nothing")
    func curveWithoutStopping() throws {
        let descriptor = try ModelRegistry.descriptor(named: "biased-mf")
        let h = Hyperparameters(["factors": "3", "epochs": "12"])
        let context = TrainingContext(seed: 4, ratingScale: 1...5)
        let matrix = RatingMatrix(split.train)
        let curve = LearningCurve(validation: split.test)
        let watched = try descriptor.fit(matrix, hyperparameters: h, context: curve.attach(to: context))
        let plain = try descriptor.fit(matrix, hyperparameters: h, context: context)
        #expect(curve.points.map(\.step) == Array(1...12))
        #expect(curve.points.last?.validation == plain.evaluateRatings(on: split.test).rmse)
        #expect(curve.points.allSatisfy { $0.trainingLoss != nil })
        #expect(!curve.stoppedEarly)
        #expect(plain.predictions(for: split.test) == watched.predictions(for: split.test))
        // The best is the smallest validation RMSE.
        let best = try #require(curve.best)
        #expect(best.value == curve.points.map(\.validation).min())
        #expect(best.model.evaluateRatings(on: split.test).rmse == best.value)
    }

    @Test("early stopping: stops `patience` epochs after the best and returns the best model")
    func earlyStopping() throws {
        // Many factors, no regularization, a large rate: the validation error turns up after a few epochs.
        let descriptor = try ModelRegistry.descriptor(named: "sgd-mf")
        let h = Hyperparameters(["factors": "20", "epochs": "300", "learning-rate": "0.05", "decay": "1",
                                 "user-regularization": "0", "item-regularization": "0", "init-scale": "0.5"])
        let curve = LearningCurve(validation: split.test, patience: 3)
        let model = try curve.fit(descriptor, data: RatingMatrix(split.train), hyperparameters: h,
                                  context: TrainingContext(seed: 4, ratingScale: 1...5))
        let best = try #require(curve.best)
        #expect(curve.stoppedEarly)
        #expect(curve.points.count == best.step + 3 && curve.points.count < 300)
        #expect(best.value == curve.points.map(\.validation).min())
        #expect(model.evaluateRatings(on: split.test).rmse == best.value)
        #expect(curve.csv.hasPrefix("step,training_loss,validation_rmse\n1,"))
        #expect(curve.csv.split(separator: "\n").count == curve.points.count + 1)
    }

    @Test("als, bayesian-mf and implicit-als report snapshots; ALS's training loss is its training RMSE")
    func otherModels() throws {
        let matrix = RatingMatrix(split.train)
        let context = TrainingContext(seed: 4, ratingScale: 1...5)
        for (name, h) in [("als", ["factors": "2", "sweeps": "4"]), ("bayesian-mf", ["factors": "2", "sweeps": "6", "burn-in": "2"])] {
            let curve = LearningCurve(validation: split.test, training: split.train)
            let model = try curve.fit(try ModelRegistry.descriptor(named: name), data: matrix,
                                      hyperparameters: Hyperparameters(h), context: context)
            #expect(curve.points.count == Int(h["sweeps"]!), "\(name)")
            #expect(curve.points.allSatisfy { $0.trainingLoss != nil && $0.validation.isFinite }, "\(name)")
            // Without a patience the model is the last one.
            #expect(model.evaluateRatings(on: split.test).rmse == curve.points.last?.validation, "\(name)")
        }
        let last = try ModelRegistry.descriptor(named: "als").fit(matrix, hyperparameters: Hyperparameters(["factors": "2", "sweeps": "4"]), context: context)
        let alsCurve = LearningCurve(validation: split.test, training: split.train)
        _ = try alsCurve.fit(try ModelRegistry.descriptor(named: "als"), data: matrix,
                             hyperparameters: Hyperparameters(["factors": "2", "sweeps": "4"]), context: context)
        #expect(alsCurve.points.last?.trainingLoss == last.evaluateRatings(on: split.train).rmse)

        let ranking = LearningCurve(validation: split.test, metric: .ndcg(k: 3, relevanceThreshold: 4))
        _ = try ranking.fit(try ModelRegistry.descriptor(named: "implicit-als"), data: RatingMatrix(split.train.interactions(.allPairs)),
                            hyperparameters: Hyperparameters(["factors": "2", "iterations": "5"]), context: TrainingContext(seed: 4))
        #expect(ranking.points.count == 5 && ranking.points.allSatisfy { (0...1).contains($0.validation) })
        #expect(ranking.best?.value == ranking.points.map(\.validation).max())
    }

    @Test("without a listener wanting snapshots, no model is built")
    func noSnapshotsByDefault() throws {
        let seen = Box()
        var context = TrainingContext(seed: 1, ratingScale: 1...5)
        context.progress = { p in seen.add(p.model != nil) }
        _ = try ModelRegistry.descriptor(named: "biased-mf").fit(RatingMatrix(data), hyperparameters: Hyperparameters(["epochs": "3", "factors": "2"]), context: context)
        #expect(seen.values == [false, false, false])
    }
}

private final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Bool] = []
    func add(_ v: Bool) { lock.withLock { stored.append(v) } }
    var values: [Bool] { lock.withLock { stored } }
}
