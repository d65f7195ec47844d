/// The course notes' worked example: five movies rated 0 to 5 by Alice, Bob, Carol and Dave, and Eve, who has rated
/// nothing.
///
/// Two romance films and three action films; Alice and Bob like romance, Carol and Dave action. It is small enough to
/// read every number, and it shows what mean normalization is for: without it a user with no ratings would be
/// predicted 0 for everything.
public struct NotesExample: Sendable {
    /// The movies, in the notes' order (the rows of ``ratings``).
    public let movies: [String]
    /// The users, in the notes' order (the columns of ``ratings``); the last one, Eve, has no ratings.
    public let users: [String]
    /// `ratings[movie][user]`, nil where the user has not rated the movie.
    public let ratings: [[Float?]]
    /// The scale of the ratings, 0...5.
    public let ratingScale: ClosedRange<Float>

    /// The ratings as a rating set (row by row; Eve does not occur since she has rated nothing).
    public var ratingSet: RatingSet {
        var set = RatingSet()
        for (m, movie) in movies.enumerated() {
            for (u, user) in users.enumerated() {
                if let r = ratings[m][u] { set.append(user: user, item: movie, value: r) }
            }
        }
        return set
    }

    /// The mean rating of each movie over the users who rated it (the mu_i of mean normalization).
    public var movieMeans: [Float] {
        ratings.map { row in
            let known = row.compactMap { $0 }
            return known.isEmpty ? 0 : known.reduce(0, +) / Float(known.count)
        }
    }
}

/// Built-in data sets for demonstrations and tests.
public enum DemoData {
    /// The course notes' example (rows movies, columns Alice, Bob, Carol, Dave, Eve):
    ///
    ///     Love at last           5  5  0  0  ?
    ///     Romance forever        5  ?  ?  0  ?
    ///     Cute puppies of love   ?  4  0  ?  ?
    ///     Nonstop car chases     0  0  5  4  ?
    ///     Swords vs. karate      0  0  5  ?  ?
    public static let notesExample = NotesExample(
        movies: ["Love at last", "Romance forever", "Cute puppies of love", "Nonstop car chases", "Swords vs. karate"],
        users: ["Alice", "Bob", "Carol", "Dave", "Eve"],
        ratings: [
            [5, 5, 0, 0, nil],
            [5, nil, nil, 0, nil],
            [nil, 4, 0, nil, nil],
            [0, 0, 5, 4, nil],
            [0, 0, 5, nil, nil],
        ],
        ratingScale: 0...5)
}

/// What the demo computed on the notes' example: every prediction, and the related movies.
public struct NotesDemoResult: Sendable {
    /// The example the model was trained on.
    public let example: NotesExample
    /// The model's name, and how it was trained when that is not evident from the name.
    public let modelDescription: String
    /// The trained model.
    public let model: any Recommender
    /// `predictions[movie][user]` for every movie and user of the example, Eve included (clipped to 0...5).
    public let predictions: [[Float]]
    /// For each movie, the most related other movies, most related first; empty when the model has no item vectors.
    public let related: [[ScoredID]]
    /// The metric ``related`` was computed with.
    public let metric: SimilarityMetric
}

extension NotesExample {
    /// The demo's own model when none is named: the notes' low-rank factorization r ~ x_i . theta_j learned by SGD on
    /// mean-normalized ratings (each movie's mean subtracted), so that a user with no ratings is predicted the movies'
    /// means. Two factors, as the table has two kinds of movies.
    public static let meanNormalizedDefaults = SGDMatrixFactorization(
        biased: false, factors: 2, iterations: 2000, learningRate: 0.05, schedule: .constant, userRegularization: 0.3,
        itemRegularization: 0.3, userBiasRegularization: 0, itemBiasRegularization: 0, initialScale: 0.1)

    /// Trains the notes' mean-normalized factorization (see ``meanNormalizedDefaults``): the returned model predicts
    /// mu_i + p_u . q_i, with mu_i stored as its item bias, so an unknown user gets exactly the item means.
    public func fitMeanNormalized(_ configuration: SGDMatrixFactorization = NotesExample.meanNormalizedDefaults,
                                  context: TrainingContext = TrainingContext()) throws -> FactorModel {
        let set = ratingSet
        let data = RatingMatrix(set)
        let means = data.itemMeans()
        // The same observations in the same order, minus their item's mean: the compacted indices match `data`.
        var centered = set
        for n in 0..<centered.count {
            let item = set.items[Int(set.itemIndices[n])]
            centered.values[n] -= means[data.items.index(of: item)!]
        }
        var plain = configuration
        plain.biased = false
        let fitted = try plain.fit(RatingMatrix(centered), context: context)
        var h = fitted.hyperparameters
        h.values["mean-normalized"] = "true"
        return FactorModel(name: fitted.name, domain: ModelDomain(data, ratingScale: ratingScale, task: .rating), hyperparameters: h,
                           globalMean: 0, userBias: [], itemBias: means, userFactors: fitted.userFactors,
                           itemFactors: fitted.itemFactors, foldIn: fitted.foldIn)
    }

    /// Trains a model on the example and computes the demo's numbers.
    ///
    /// - Parameters:
    ///   - descriptor: the model to train; nil trains the notes' mean-normalized factorization, whose defaults
    ///     `hyperparameters` may override (factors, iterations, learning-rate, regularization, ...).
    ///   - inputs: what the model learns from besides the ratings (the movies' features, for `content`).
    ///   - hyperparameters: the model's hyperparameters.
    ///   - relatedCount: how many related movies to list for each movie.
    ///   - metric: how related movies are found.
    ///   - context: the seed and thread count (the rating scale is the example's).
    public func run(model descriptor: ModelDescriptor? = nil, inputs: ModelInputs = ModelInputs(),
                    hyperparameters: Hyperparameters = Hyperparameters(),
                    relatedCount: Int = 2, metric: SimilarityMetric = .euclidean,
                    context: TrainingContext = TrainingContext()) throws -> NotesDemoResult {
        var context = context
        context.ratingScale = ratingScale
        let model: any Recommender
        let description: String
        if let descriptor {
            model = try descriptor.fit(RatingMatrix(ratingSet), inputs: inputs, hyperparameters: hyperparameters, context: context)
            description = descriptor.name
        } else {
            let configuration = try SGDMatrixFactorization(hyperparameters, defaults: NotesExample.meanNormalizedDefaults)
            let fitted = try fitMeanNormalized(configuration, context: context)
            model = fitted
            description = "sgd-mf on mean-normalized ratings (\(fitted.factorCount) factors)"
        }
        let predictions = movies.map { movie in users.map { user in model.predict(user: user, item: movie) } }
        let related = model.itemVectors == nil ? movies.map { _ in [] }
            : try movies.map { try model.similarItems(to: $0, count: relatedCount, metric: metric) }
        return NotesDemoResult(example: self, modelDescription: description, model: model, predictions: predictions,
                               related: related, metric: metric)
    }
}
