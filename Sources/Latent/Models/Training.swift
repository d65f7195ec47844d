/// A report on long training work, sent to ``TrainingContext/progress``.
public struct TrainingProgress: Sendable {
    /// What is being done ("epoch", "sweep", "restart").
    public var stage: String
    /// The step just finished, from 1.
    public var step: Int
    /// The number of steps in all.
    public var total: Int
    /// The training loss after the step, when the model computes one.
    public var loss: Double?
    /// The model as it stands after the step, for validation (learning curves, early stopping): set only when
    /// ``TrainingContext/wantsSnapshots`` is true and the model supports it (see ``LearningCurve``).
    public var model: (any Recommender)?

    /// A progress report.
    public init(stage: String = "epoch", step: Int, total: Int, loss: Double? = nil) {
        self.stage = stage
        self.step = step
        self.total = total
        self.loss = loss
    }
}

/// Item features for content-based models: one row of features per item identifier.
public struct ItemFeatures: Sendable {
    /// The items the rows belong to.
    public var items: IDMap
    /// The feature names, one per column.
    public var names: [String]
    /// One row per item in ``items`` order.
    public var values: Matrix

    /// Features from their parts.
    public init(items: IDMap, names: [String], values: Matrix) {
        precondition(values.rows == items.count && values.columns == names.count)
        self.items = items
        self.names = names
        self.values = values
    }
}

/// What a model learns from besides the ratings: item features, for the models that use them (`content`).
public struct ModelInputs: Sendable {
    /// One row of features per item.
    public var itemFeatures: ItemFeatures?

    /// Inputs from their parts.
    public init(itemFeatures: ItemFeatures? = nil) { self.itemFeatures = itemFeatures }
}

/// Everything a training run needs besides the data and the hyperparameters.
public struct TrainingContext: Sendable {
    /// The seed of every random choice: the same seed and thread count give the same model.
    public var seed: UInt64
    /// How many threads the training may use.
    public var threads: Int
    /// The scale predictions are clipped to; nil for unbounded scores.
    public var ratingScale: ClosedRange<Float>?
    /// Called after each epoch (or sweep) of long work. Nothing in the library prints.
    public var progress: (@Sendable (TrainingProgress) -> Void)?
    /// Whether ``progress`` wants the model after each step in ``TrainingProgress/model`` (building it costs a copy
    /// of the parameters, so models do it only on request).
    public var wantsSnapshots = false
    /// Asked after each step reported with a model: true stops the training there (early stopping).
    public var shouldStop: (@Sendable () -> Bool)?

    /// A context with the given seed and thread count.
    public init(seed: UInt64 = 42, threads: Int = 1, ratingScale: ClosedRange<Float>? = nil,
                progress: (@Sendable (TrainingProgress) -> Void)? = nil) {
        self.seed = seed
        self.threads = max(1, threads)
        self.ratingScale = ratingScale
        self.progress = progress
    }

    /// Reports progress, if anyone listens.
    public func report(_ p: TrainingProgress) { progress?(p) }

    /// Reports progress with the model as it stands, built by `snapshot` only when ``wantsSnapshots`` is set, and
    /// tells whether to stop here. Iterative models call it after each epoch or sweep and stop when it returns true.
    @discardableResult
    public func report(_ p: TrainingProgress, snapshot: () -> any Recommender) -> Bool {
        guard let progress else { return false }
        var p = p
        if wantsSnapshots { p.model = snapshot() }
        progress(p)
        return wantsSnapshots && (shouldStop?() ?? false)
    }
}

/// What a model is for, which picks the default evaluation.
public enum ModelTask: String, Sendable {
    /// Predicting explicit ratings (judged by RMSE and MAE).
    case rating
    /// Ranking items from interactions (judged by precision, recall, nDCG).
    case ranking
}

/// A model Latent can train: its name, hyperparameters with defaults, and how to fit it.
public struct ModelDescriptor: Sendable {
    /// The name, as given to `--model`.
    public let name: String
    /// One line on what it is.
    public let summary: String
    /// What it is for.
    public let task: ModelTask
    /// Its hyperparameters, with defaults.
    public let parameters: [ParameterSpec]
    /// The check of its analytic gradient on a small random problem drawn from a seed, for the models with one.
    public let gradientCheck: (@Sendable (UInt64) -> GradientCheckResult)?
    /// The training function: data, inputs, hyperparameters under their declared names, context.
    public typealias Train = @Sendable (RatingMatrix, ModelInputs, Hyperparameters, TrainingContext) throws -> any Recommender
    private let train: Train
    /// Whether the model, with the given hyperparameters, learns from the time of each rating.
    private let timed: @Sendable (Hyperparameters) -> Bool
    /// Reads hyperparameters (under their declared names) as training would, throwing what training would throw.
    private let validate: @Sendable (Hyperparameters) throws -> Void

    /// A model description; `usesTimes` tells whether the model, with given hyperparameters, learns from the time of
    /// each rating (none by default).
    public init(name: String, summary: String, task: ModelTask, parameters: [ParameterSpec],
                gradientCheck: (@Sendable (UInt64) -> GradientCheckResult)? = nil,
                usesTimes: @escaping @Sendable (Hyperparameters) -> Bool = { _ in false },
                validate: @escaping @Sendable (Hyperparameters) throws -> Void = { _ in }, train: @escaping Train) {
        self.name = name
        self.summary = summary
        self.task = task
        self.parameters = parameters
        self.gradientCheck = gradientCheck
        self.timed = usesTimes
        self.validate = validate
        self.train = train
    }

    /// Whether the model, with hyperparameters `h` (defaults for those not given), learns from the time of each
    /// rating: then its training matrix should be built with `keepingTimes` (``RatingMatrix/times``). False for an
    /// invalid `h` (fitting reports that).
    public func usesTimes(_ h: Hyperparameters = Hyperparameters()) -> Bool { timed(h) }

    /// The model trained by configurations of type `C`, starting from `defaults`: its hyperparameters are the
    /// configuration's declarations, its gradient check the configuration's (if it is ``GradientChecked``).
    public init<C: ModelConfiguration>(name: String, summary: String, task: ModelTask, defaults: C) {
        var check: (@Sendable (UInt64) -> GradientCheckResult)?
        if let c = defaults as? any GradientChecked { check = { c.gradientCheck(seed: $0) } }
        self.init(name: name, summary: summary, task: task, parameters: C.specs(defaults: defaults), gradientCheck: check,
                  usesTimes: { ((try? C($0, defaults: defaults))?.usesTimes) ?? false },
                  validate: { _ = try C($0, defaults: defaults) }) {
            var c = try C($2, defaults: defaults)
            c.use($1)
            return try c.fit($0, context: $3)
        }
    }

    /// Whether the model has a hyperparameter called `name` (or with that alias).
    public func accepts(_ name: String) -> Bool {
        parameters.contains { $0.name == name || $0.aliases.contains { $0 == name || $0.hasPrefix(name + "=") } }
    }

    /// Checks `hyperparameters` without training: an unknown name or a bad value is the error ``fit`` would throw.
    public func check(_ hyperparameters: Hyperparameters) throws {
        try validate(hyperparameters.canonical(for: parameters))
    }

    /// Trains the model on `data` (and `inputs`, for the models that use them). Unknown or invalid hyperparameters
    /// and empty data are errors, and so is a model whose scores are not finite or explode
    /// (``TrainingError/unstable(score:limit:advice:)``): every model passes the same check, so that no diverged model
    /// is ever returned or saved.
    public func fit(_ data: RatingMatrix, inputs: ModelInputs = ModelInputs(), hyperparameters: Hyperparameters = Hyperparameters(),
                    context: TrainingContext = TrainingContext()) throws -> any Recommender {
        let h = try hyperparameters.canonical(for: parameters)
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        try TrainingHealth.checkSizes(data, descriptor: self, hyperparameters: h, threads: context.threads)
        let model = try train(data, inputs, h, context)
        try TrainingHealth.check(model, trainedOn: data, descriptor: self, hyperparameters: h)
        return model
    }
}
