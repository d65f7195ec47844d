/// What a trained model knows besides its parameters: its users and items, what each user rated in training, and the
/// rating scale its predictions are clipped to.
public struct ModelDomain: Sendable, Equatable {
    /// The users the model was trained on.
    public var users: IDMap
    /// The items the model was trained on.
    public var items: IDMap
    /// The items each user rated in training (and the ratings): excluded from recommendations by default.
    public var seen: SparseRows
    /// The scale predictions are clipped to, or nil for unbounded scores (interaction data).
    public var ratingScale: ClosedRange<Float>?
    /// What the model does: predict ratings, or rank items from interactions (its fold-in values are then weights).
    public var task: ModelTask

    /// The domain of a model for `task` trained on `data`, clipping to `ratingScale`.
    public init(_ data: RatingMatrix, ratingScale: ClosedRange<Float>?, task: ModelTask) {
        self.init(users: data.users, items: data.items, seen: data.byUser, ratingScale: ratingScale, task: task)
    }

    /// A domain from its parts.
    public init(users: IDMap, items: IDMap, seen: SparseRows, ratingScale: ClosedRange<Float>?, task: ModelTask) {
        precondition(seen.rowCount == users.count)
        self.users = users
        self.items = items
        self.seen = seen
        self.ratingScale = ratingScale
        self.task = task
    }

    /// Clips `value` to the rating scale, if there is one.
    @inlinable
    public func clip(_ value: Float) -> Float {
        guard let s = ratingScale else { return value }
        return Swift.min(Swift.max(value, s.lowerBound), s.upperBound)
    }

    /// Writes the domain into `archive`.
    public func encode(into archive: inout ModelArchive) {
        archive.strings["domain.users"] = users.ids
        archive.strings["domain.items"] = items.ids
        archive.int64s["domain.seen.offsets"] = seen.offsets.map(Int64.init)
        archive.int32s["domain.seen.items"] = seen.indices
        archive.floats["domain.seen.values"] = seen.values
        if let s = ratingScale { archive.floats["domain.scale"] = [s.lowerBound, s.upperBound] }
        archive.strings["domain.task"] = [task.rawValue]
    }

    /// Reads a domain written by ``encode(into:)``. A file written before the task was stored gets the task of its
    /// model (see ``ModelRegistry/model(from:)``), else rating when it has a scale.
    public init(from archive: ModelArchive) throws {
        let userIDs = try archive.strings("domain.users")
        let itemIDs = try archive.strings("domain.items")
        guard Set(userIDs).count == userIDs.count, Set(itemIDs).count == itemIDs.count else {
            throw ModelFileError.inconsistent("duplicate identifiers")
        }
        let offsets = try archive.int64s("domain.seen.offsets").map { Int($0) }
        let seenItems = try archive.int32s("domain.seen.items")
        let seenValues = try archive.floats("domain.seen.values")
        guard offsets.count == userIDs.count + 1, offsets.first == 0, offsets.last == seenItems.count,
              seenValues.count == seenItems.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
              seenItems.allSatisfy({ $0 >= 0 && Int($0) < itemIDs.count })
        else { throw ModelFileError.inconsistent("the training interactions do not fit the users and items") }
        users = IDMap(userIDs)
        items = IDMap(itemIDs)
        seen = SparseRows(offsets: offsets, indices: seenItems, values: seenValues)
        if let s = archive.floats["domain.scale"] {
            guard s.count == 2, s[0] <= s[1] else { throw ModelFileError.inconsistent("bad rating scale") }
            ratingScale = s[0]...s[1]
        } else {
            ratingScale = nil
        }
        let taskName = archive.strings["domain.task"]?.first ?? (ratingScale == nil ? "ranking" : "rating")
        guard let task = ModelTask(rawValue: taskName) else { throw ModelFileError.inconsistent("unknown task \(taskName)") }
        self.task = task
    }
}

/// A trained recommender: the one protocol every model shares.
///
/// A model predicts a score for a (user, item) pair of dense indices and scores every item for a user. Everything
/// else (predicting by identifier with clipping, top-N recommendation, related items, similar users, evaluation,
/// saving) is written once on top of this protocol, in extensions.
public protocol Recommender: Sendable {
    /// The model's name, as on the command line (`biased-mf`).
    var name: String { get }
    /// The users and items the model knows.
    var domain: ModelDomain { get }
    /// The hyperparameters the model was trained with.
    var hyperparameters: Hyperparameters { get set }

    /// The unclipped prediction for a user and an item given by dense index; nil means the model does not know them,
    /// and the model falls back to what it knows (biases, means, popularity).
    func rawPrediction(user: Int?, item: Int?) -> Float

    /// The unclipped prediction for a rating made at `time` (seconds since 1970). Models that learn from the time of
    /// each rating (`bayesian-svdpp` with `time-bins`) use it; every other model, and a nil time, gives
    /// ``rawPrediction(user:item:)`` (the default). Evaluation passes each test rating's time when the test data has
    /// times; everything else (``predict(user:item:)``, recommendations, fold-in, the service) predicts without one.
    func rawPrediction(user: Int?, item: Int?, time: Int64?) -> Float

    /// Writes the score of every item for the known user `user` into `scores` (`domain.items.count` entries).
    func scoreItems(user: Int, into scores: inout [Float])

    /// Writes the score of every item for a user the model has not seen, from that user's ratings or interactions
    /// (dense item index, value), without retraining. An empty list gives the scores of an unknown user.
    func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float])

    /// One vector per item to compare items by (factors, features, embeddings), or nil when the model has none.
    var itemVectors: Matrix? { get }
    /// One vector per user to compare users by, or nil when the model has none.
    var userVectors: Matrix? { get }

    /// The vector a user the model has not seen would have, from their ratings (dense item index, value), in the space
    /// of ``userVectors`` (the fold-in's user factors), or nil when the model has no such vector (the default).
    func userVector(foldingIn ratings: [(item: Int, value: Float)]) -> [Float]?

    /// The model as an archive, for ``ModelFile``.
    func archive() -> ModelArchive
}

extension Recommender {
    /// Time is ignored: the prediction without one.
    public func rawPrediction(user: Int?, item: Int?, time: Int64?) -> Float { rawPrediction(user: user, item: item) }

    /// No fold-in vector: models without user vectors, or whose fold-in does not place a user among them.
    public func userVector(foldingIn ratings: [(item: Int, value: Float)]) -> [Float]? { nil }
}
