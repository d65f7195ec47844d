import Foundation

/// An error in training or in the request to train: a bad hyperparameter, a diverging optimization.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A hyperparameter has a value that does not parse or is out of range.
    case invalidHyperparameter(name: String, value: String, reason: String)
    /// A hyperparameter the model does not have.
    case unknownHyperparameter(name: String, known: [String])
    /// The loss became NaN or infinite.
    case diverged(epoch: Int, learningRate: Float)
    /// Training ended with scores that are not finite or far beyond the data (a diverging optimization that stayed
    /// finite): the worst score, the limit, and what to change.
    case unstable(score: Float, limit: Float, advice: String)
    /// There is nothing to learn from.
    case emptyTrainingData
    /// The model needs an input that was not given (item features for `content`).
    case missingInput(String)
    /// No model of that name exists.
    case unknownModel(name: String, known: [String])
    /// Time bins were asked for (`time-bins` > 0) and the ratings have no times.
    case missingTimes(bins: Int)
    /// The model would need more memory than the machine has: its name, what it holds, the bytes needed and the
    /// machine's physical memory.
    case tooLarge(model: String, what: String, bytes: UInt64, memory: UInt64)

    public var description: String {
        switch self {
        case let .invalidHyperparameter(name, value, reason):
            return "hyperparameter \(name)=\(value) \(reason)"
        case let .unknownHyperparameter(name, known):
            return "unknown hyperparameter '\(name)'; this model has: \(known.joined(separator: ", "))"
        case let .diverged(epoch, rate) where rate == 0:
            return "training diverged at sweep \(epoch) (the loss is no longer finite); try a larger regularization, or check the data for extreme values; no model was saved"
        case let .diverged(epoch, rate):
            return "training diverged at epoch \(epoch) (the loss exploded or is no longer finite) with learning rate \(rate); try a smaller learning rate (Adam, AdaGrad and RMSProp need much smaller rates than plain SGD, such as 0.001); no model was saved"
        case let .unstable(score, limit, advice):
            return "training diverged: the model's scores reach \(score.isFinite ? String(format: "%.3g", Double(score)) : "\(score)"), beyond any sensible score (limit \(String(format: "%.3g", Double(limit))) for these data); \(advice); no model was saved"
        case .emptyTrainingData:
            return "the training data has no ratings"
        case let .missingInput(what):
            return "missing input: \(what)"
        case let .unknownModel(name, known):
            return "unknown model '\(name)'; models: \(known.joined(separator: ", "))"
        case let .tooLarge(model, what, bytes, memory):
            func gb(_ b: UInt64) -> String { String(format: "%.1f GB", Double(b) / 1e9) }
            return "\(model) would hold \(what): \(gb(bytes)), more than this machine's \(gb(memory)) of memory; use a sparse model (item-knn, rp3beta, implicit-als) or fewer items; no model was saved"
        case let .missingTimes(bins):
            return "time-bins=\(bins) needs the time of each rating, and the ratings have none (a file with a timestamp column, such as MovieLens u.data, has them); use time-bins=auto or 0"
        }
    }
}

/// An error in using a trained model: an unknown user or item.
public enum RecommendationError: Error, Equatable, CustomStringConvertible {
    /// The user is not in the model.
    case unknownUser(String)
    /// The item is not in the model.
    case unknownItem(String)
    /// The model has no vectors to compare for that request.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .unknownUser(id): return "user '\(id)' is not in the model"
        case let .unknownItem(id): return "item '\(id)' is not in the model"
        case let .unsupported(what): return what
        }
    }
}
