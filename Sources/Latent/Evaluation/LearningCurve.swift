import Foundation

/// One point of a learning curve: after epoch (or sweep, or iteration) `step`, the training loss and the figure on
/// the validation data.
public struct LearningCurvePoint: Sendable, Equatable, Codable {
    /// The epoch, sweep or iteration just finished, from 1.
    public var step: Int
    /// The training loss the model reported (for SGD models the RMSE over the epoch's updates), or else, for rating
    /// validation, the RMSE of the model on its training data; nil when neither is known.
    public var trainingLoss: Double?
    /// The validation figure: RMSE (lower is better) or nDCG@K (higher is better).
    public var validation: Double

    enum CodingKeys: String, CodingKey {
        case step
        case trainingLoss = "training_loss"
        case validation
    }

    /// A point from its parts.
    public init(step: Int, trainingLoss: Double?, validation: Double) {
        self.step = step
        self.trainingLoss = trainingLoss
        self.validation = validation
    }
}

/// What a learning curve measures on the validation data.
public enum ValidationMetric: Sendable, Equatable {
    /// RMSE of the clipped predictions (rating models).
    case rmse
    /// nDCG@K of the rankings, relevant = validation rating >= the threshold (ranking models, protocol T).
    case ndcg(k: Int, relevanceThreshold: Float)

    /// The name in reports: `rmse` or `ndcg@K`.
    public var name: String {
        switch self {
        case .rmse: return "rmse"
        case let .ndcg(k, _): return "ndcg@\(k)"
        }
    }

    /// Whether a smaller value is better.
    public var lowerIsBetter: Bool { self == .rmse }
}

/// A learning curve with early stopping, fed by the training progress callback (LibMF's `-p`, Keras's
/// `EarlyStopping(restore_best_weights=True)`).
///
/// Attached to a ``TrainingContext`` (``attach(to:)``), it asks the model for itself after every epoch or sweep
/// (``TrainingContext/wantsSnapshots``), measures it on the validation data, and records a ``LearningCurvePoint``.
/// With a patience N, it asks the training to stop once N steps in a row did not improve on the best figure, and it
/// keeps the best model: ``fit(_:data:inputs:hyperparameters:context:)`` then returns that model, not the last one.
///
/// Models that report snapshots: `sgd-mf` and `biased-mf` (SGD and adaptive optimizers), `als`, `bayesian-mf`,
/// `implicit-als`. The others train without a curve (``points`` stays empty).
public final class LearningCurve: Sendable {
    /// The data the model is measured on after each step.
    public let validation: RatingSet
    /// The figure measured.
    public let metric: ValidationMetric
    /// Stop after this many steps without improvement (nil: never stop early).
    public let patience: Int?
    /// The training data, to measure the training RMSE of models that report no loss (rating metric only).
    public let training: RatingSet?
    /// Threads for the ranking evaluation.
    public let threads: Int

    /// The points recorded, the best one with its model, and whether to stop.
    private let state = Locked((points: [LearningCurvePoint](), best: (step: Int, value: Double, model: any Recommender)?.none,
                                stop: false))

    /// A curve measured on `validation`.
    public init(validation: RatingSet, metric: ValidationMetric = .rmse, patience: Int? = nil, training: RatingSet? = nil,
                threads: Int = 1) {
        self.validation = validation
        self.metric = metric
        self.patience = patience
        self.training = training
        self.threads = threads
    }

    /// The points so far, in step order.
    public var points: [LearningCurvePoint] { state.withLock { $0.points } }

    /// The best step so far, its figure and the model after it.
    public var best: (step: Int, value: Double, model: any Recommender)? { state.withLock { $0.best } }

    /// Whether the training was asked to stop early.
    public var stoppedEarly: Bool { state.withLock { $0.stop } }

    /// Measures the model of `progress` (if it carries one) and records the point.
    public func observe(_ progress: TrainingProgress) {
        guard let model = progress.model else { return }
        let value: Double
        switch metric {
        case .rmse: value = model.evaluateRatings(on: validation).rmse
        case let .ndcg(k, threshold):
            value = (try? model.evaluateRanking(on: validation, k: k, relevanceThreshold: threshold, threads: threads).ndcg) ?? .nan
        }
        var loss = progress.loss
        if loss == nil, metric == .rmse, let training { loss = model.evaluateRatings(on: training).rmse }
        state.withLock { s in
            s.points.append(LearningCurvePoint(step: progress.step, trainingLoss: loss, validation: value))
            let better = value.isFinite && (s.best.map { metric.lowerIsBetter ? value < $0.value : value > $0.value } ?? true)
            if better { s.best = (progress.step, value, model) }
            if let patience, progress.step - (s.best?.step ?? 0) >= patience { s.stop = true }
        }
    }

    /// `context` with this curve listening: snapshots requested, ``observe(_:)`` called before the context's own
    /// progress callback, and the training stopped when the patience runs out.
    public func attach(to context: TrainingContext) -> TrainingContext {
        var c = context
        let previous = context.progress
        c.wantsSnapshots = true
        c.progress = { @Sendable [self] p in
            self.observe(p)
            previous?(p)
        }
        c.shouldStop = { @Sendable [self] in self.stoppedEarly }
        return c
    }

    /// Trains `descriptor` on `data` with this curve attached. With a patience (early stopping) it returns the best
    /// model on the validation data; without one, or when the model reports no snapshots, the last model.
    public func fit(_ descriptor: ModelDescriptor, data: RatingMatrix, inputs: ModelInputs = ModelInputs(),
                    hyperparameters: Hyperparameters = Hyperparameters(),
                    context: TrainingContext = TrainingContext()) throws -> any Recommender {
        let last = try descriptor.fit(data, inputs: inputs, hyperparameters: hyperparameters, context: attach(to: context))
        return patience == nil ? last : best?.model ?? last
    }

    /// The curve as CSV: a header `step,training_loss,validation_<metric>`, then one line per point (an empty field
    /// for an unknown loss).
    public var csv: String {
        var text = "step,training_loss,validation_\(metric.name.replacingOccurrences(of: "@", with: "_at_"))\n"
        for p in points {
            text += "\(p.step),\(p.trainingLoss.map { "\($0)" } ?? ""),\(p.validation)\n"
        }
        return text
    }
}
