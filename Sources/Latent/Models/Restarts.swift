/// Several random initializations of a non-convex model, keeping the best on validation data (DESIGN.md item 9).
///
/// A seeded 10% of the training ratings is held out as validation data (never the test data). Restart r (0-based)
/// trains on the other 90% with seed ``seed(for:restart:)`` (restart 0 uses the context's seed itself) and is scored
/// by the RMSE of its clipped predictions on the held-out part. The winner's seed is then **refit on all the training
/// data**: the chosen model is the one the winning initialization gives with every rating, so restarts never cost
/// the final model 10% of its data; the price is one more fit. With one restart nothing is held out and the result is
/// the plain fit.
public enum Restarts {
    /// The fraction of the training ratings held out for choosing among restarts.
    public static let validationFraction = 0.1

    /// What choosing among restarts found.
    public struct Outcome: Sendable {
        /// The seed each restart used.
        public var seeds: [UInt64]
        /// Each restart's validation RMSE.
        public var validationRMSE: [Double]
        /// The index of the winner (the lowest validation RMSE; the first on ties).
        public var best: Int
        /// The winner's seed refit on all the training data.
        public var model: any Recommender
    }

    /// The seed of restart `r`: the base seed for r = 0, then seeds derived from it (SplitMix64 steps).
    public static func seed(for base: UInt64, restart r: Int) -> UInt64 {
        guard r > 0 else { return base }
        var rng = SeededGenerator(seed: base ^ 0x5EED_0F_2E57A27)
        var s: UInt64 = 0
        for _ in 0..<r { s = rng.next() }
        return s
    }

    /// Fits `descriptor` `restarts` times as described above and returns the refit winner with the scores.
    public static func fit(_ descriptor: ModelDescriptor, data: RatingMatrix, inputs: ModelInputs = ModelInputs(),
                           hyperparameters: Hyperparameters, context: TrainingContext, restarts: Int) throws -> Outcome {
        precondition(restarts >= 1)
        let seeds = (0..<restarts).map { seed(for: context.seed, restart: $0) }
        guard restarts > 1 else {
            let model = try descriptor.fit(data, inputs: inputs, hyperparameters: hyperparameters, context: context)
            return Outcome(seeds: seeds, validationRMSE: [.nan], best: 0, model: model)
        }
        let (users, items, values) = data.triples()
        let all = RatingSet(users: data.users, items: data.items, userIndices: users, itemIndices: items, values: values)
        let split = Splits.holdout(all, testFraction: validationFraction, seed: context.seed ^ 0x7A11_DA7E)
        let train = RatingMatrix(split.train)
        var scores: [Double] = []
        for (r, s) in seeds.enumerated() {
            var c = context
            c.seed = s
            c.progress = nil
            let model = try descriptor.fit(train, inputs: inputs, hyperparameters: hyperparameters, context: c)
            let rmse = model.evaluateRatings(on: split.test).rmse
            scores.append(rmse.isNaN ? .infinity : rmse)
            context.report(TrainingProgress(stage: "restart", step: r + 1, total: restarts, loss: rmse))
        }
        let best = scores.indices.min { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }!
        var c = context
        c.seed = seeds[best]
        var model = try descriptor.fit(data, inputs: inputs, hyperparameters: hyperparameters, context: c)
        model.hyperparameters.values["restarts"] = "\(restarts)"
        model.hyperparameters.values["restart-seed"] = "\(seeds[best])"
        return Outcome(seeds: seeds, validationRMSE: scores, best: best, model: model)
    }

}

extension ModelDescriptor {
    /// The `restarts` hyperparameter added by ``withRestarts()``.
    static let restarts = Hyperparameter<Int>(
        "restarts", \.self, in: 1...1000,
        "random initializations; the best on a seeded 10% validation part of the training data is refit on all of it")

    /// This model with a `restarts` hyperparameter (default 1): see ``Restarts``.
    public func withRestarts() -> ModelDescriptor {
        let inner = self
        return ModelDescriptor(name: name, summary: summary, task: task, parameters: parameters + [Self.restarts.spec(defaults: 1)],
                               gradientCheck: gradientCheck) { data, inputs, h, context in
            var restarts = 1
            try Self.restarts.set(&restarts, h.values["restarts"])
            var rest = h
            rest.values["restarts"] = nil
            return try Restarts.fit(inner, data: data, inputs: inputs, hyperparameters: rest, context: context, restarts: restarts).model
        }
    }
}
