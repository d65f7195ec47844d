/// Error metrics for rating prediction.
public enum RatingMetrics {
    /// The root mean squared error between predictions and truths.
    public static func rmse(_ predictions: [Float], _ truths: [Float]) -> Double {
        mean(predictions, truths) { Double($0) * Double($0) }.squareRoot()
    }

    /// The mean absolute error between predictions and truths.
    public static func mae(_ predictions: [Float], _ truths: [Float]) -> Double { mean(predictions, truths) { Double(abs($0)) } }

    /// The mean of `loss(prediction - truth)`, NaN when there is none.
    private static func mean(_ predictions: [Float], _ truths: [Float], _ loss: (Float) -> Double) -> Double {
        precondition(predictions.count == truths.count)
        guard !truths.isEmpty else { return .nan }
        var s: Double = 0
        for (p, t) in zip(predictions, truths) { s += loss(p - t) }
        return s / Double(truths.count)
    }
}

/// The result of predicting every rating of a test set.
public struct RatingEvaluation: Sendable, Equatable {
    /// Root mean squared error of the clipped predictions.
    public var rmse: Double
    /// Mean absolute error of the clipped predictions.
    public var mae: Double
    /// The number of test ratings.
    public var count: Int
    /// How many test ratings had a user the model does not know (predicted by the fallback).
    public var unknownUsers: Int
    /// How many test ratings had an item the model does not know (predicted by the fallback).
    public var unknownItems: Int
}

extension Recommender {
    /// The clipped predictions for every observation of `test`, matched to the model by identifier, each at its time
    /// when `test` has times (``rawPrediction(user:item:time:)``: only models that learn from times use it).
    public func predictions(for test: RatingSet) -> [Float] {
        let userMap = test.users.ids.map { domain.users.index(of: $0) }
        let itemMap = test.items.ids.map { domain.items.index(of: $0) }
        let times = test.timestamps
        return (0..<test.count).map { n in
            domain.clip(rawPrediction(user: userMap[Int(test.userIndices[n])], item: itemMap[Int(test.itemIndices[n])],
                                      time: times?[n]))
        }
    }

    /// RMSE and MAE of the model on `test`, with predictions clipped to the rating scale.
    public func evaluateRatings(on test: RatingSet) -> RatingEvaluation {
        let predicted = predictions(for: test)
        var unknownUsers = 0, unknownItems = 0
        let userKnown = test.users.ids.map { domain.users.contains($0) }
        let itemKnown = test.items.ids.map { domain.items.contains($0) }
        for n in 0..<test.count {
            if !userKnown[Int(test.userIndices[n])] { unknownUsers += 1 }
            if !itemKnown[Int(test.itemIndices[n])] { unknownItems += 1 }
        }
        return RatingEvaluation(rmse: RatingMetrics.rmse(predicted, test.values), mae: RatingMetrics.mae(predicted, test.values),
                                count: test.count, unknownUsers: unknownUsers, unknownItems: unknownItems)
    }
}
