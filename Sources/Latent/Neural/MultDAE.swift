/// `mult-dae`: the denoising autoencoder with a multinomial likelihood of Liang et al. (2018), "Variational
/// Autoencoders for Collaborative Filtering" (Mult-DAE).
///
/// With x_u the user's binary interaction vector over the n items, each entry dropped with probability p (the noise)
/// and the rest L2-normalized to x~_u, the network is x~_u -> tanh hidden layers (`hidden`) -> n outputs z, and
///
///     loss(u) = -sum_i x_ui log softmax(z)_i,     d loss / d z_i = softmax(z)_i sum_j x_uj - x_ui,
///
/// averaged over a batch of users, plus lambda / 2 ||W||^2 over the weights (not the biases); Adam on each batch.
/// Each batch is split into `threads` contiguous parts whose gradients are summed in part order, so the same seed and
/// thread count give the same model. Scores are softmax(z) of the clean (undropped, normalized) x_u: the encoder
/// takes any user's items, so a new user (fold-in) is scored the same way; with no items, by popularity.
/// Item vectors (for `similar`) are the rows of the output layer's weights.
public struct MultDAEModel: Recommender {
    public let name = "mult-dae"
    public var domain: ModelDomain
    public var hyperparameters: Hyperparameters
    /// The network: n -> hidden (tanh) -> n (identity, the softmax is the loss's).
    public var layout: NetworkLayout
    /// Its flat parameters (see ``NetworkLayout``).
    public var parameters: [Float]
    /// Each item's share of users who interacted with it: the fallback when nothing is known of a user.
    public var popularity: [Float]

    /// The layout for `items` items and the given hidden sizes.
    static func layout(items: Int, hidden: [Int]) -> NetworkLayout {
        NetworkLayout(sizes: [items] + hidden + [items], hidden: .tanh, output: .identity)
    }

    /// x / ||x|| in place (left at zero when x is).
    static func normalize<T: NeuralScalar>(_ x: inout [T]) {
        let norm = x.reduce(T(0)) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for i in x.indices { x[i] /= norm } }
    }

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        guard let i = item else { return 0 }
        guard let u = user else { return popularity[i] }
        var scores = [Float](repeating: 0, count: popularity.count)
        scoreItems(user: u, into: &scores)
        return scores[i]
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        score(domain.seen.columns(of: user).map { Int($0) }, into: &scores)
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        let items = ratings.map(\.item).filter { $0 >= 0 && $0 < popularity.count }
        if items.isEmpty { scores = popularity } else { score(items, into: &scores) }
    }

    /// scores = softmax(z(x~)), x~ the normalized indicator of `items`.
    private func score(_ items: [Int], into scores: inout [Float]) {
        var x = [Float](repeating: 0, count: layout.inputSize)
        for i in items { x[i] = 1 }
        Self.normalize(&x)
        let z = NeuralNetwork(layout: layout, parameters: parameters).predict(x)
        let m = z.max() ?? 0
        var total: Float = 0
        for i in z.indices { scores[i] = Float.neuralExp(z[i] - m); total += scores[i] }
        for i in z.indices { scores[i] /= total }
    }

    /// The rows of the output layer's weights (n x last hidden size).
    public var itemVectors: Matrix? {
        let last = layout.layers[layout.layers.count - 1], start = layout.offsets[layout.layers.count - 1]
        return Matrix(rows: last.outputs, columns: last.inputs,
                      storage: Array(parameters[start..<(start + last.inputs * last.outputs)]))
    }
    /// None: a user is their items, encoded on demand.
    public var userVectors: Matrix? { nil }

    /// The archive kind of Mult-DAE models.
    public static let archiveKind = "mult-dae"

    public func archive() -> ModelArchive {
        var a = archive(kind: Self.archiveKind)
        a.int64s["dae.hidden"] = layout.layers.dropLast().map { Int64($0.outputs) }
        a.floats["dae.parameters"] = parameters
        a.floats["popularity"] = popularity
        return a
    }
}

extension MultDAEModel {
    /// Reads a Mult-DAE model from an archive written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let domain = try ModelDomain(from: a)
        let hidden = try a.int64s("dae.hidden")
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 && $0 < 1 << 20 }), domain.items.count > 0 else {
            throw ModelFileError.inconsistent("bad mult-dae network shape")
        }
        let layout = Self.layout(items: domain.items.count, hidden: hidden.map { Int($0) })
        self.init(domain: domain, hyperparameters: Hyperparameters(a.parameters), layout: layout,
                  parameters: try a.floats("dae.parameters", count: layout.parameterCount),
                  popularity: try a.floats("popularity", count: domain.items.count))
    }
}

/// How `mult-dae` trains (see ``MultDAEModel``).
public struct MultDAE: ModelConfiguration {
    /// The hidden layer sizes.
    public var hidden: [Int]
    /// p, the probability that an input entry is dropped.
    public var dropout: Float
    /// Passes over the users (epochs).
    public var iterations: Int
    /// Adam's step size.
    public var learningRate: Float
    /// Users per Adam step.
    public var batchSize: Int
    /// lambda, the L2 weight decay of the weights.
    public var regularization: Float

    /// The defaults of the numpy prototype that gained in the blend on validation splits of MovieLens 100k `u1.base`.
    public static let defaults = MultDAE(hidden: [200], dropout: 0.5, iterations: 100, learningRate: 0.001,
                                         batchSize: 128, regularization: 0.01)

    public static let parameters: [Hyperparameter<Self>] = [
        .init("hidden", \.hidden, "hidden layer sizes (tanh)"),
        .init("dropout", \.dropout, in: 0...0.99, "probability p that an input entry is dropped"),
        .init("iterations", \.iterations, in: 0...100_000, "passes over the users (epochs)"),
        .init("learning-rate", \.learningRate, in: 1e-12...10, "Adam step size"),
        .init("batch-size", \.batchSize, in: 1...1_000_000, "users per Adam step"),
        .init("regularization", \.regularization, in: 0...1e6, "L2 weight decay lambda of the weights"),
    ]

    /// Trains on `data`.
    ///
    /// - Throws: ``TrainingError/emptyTrainingData``, ``TrainingError/diverged(epoch:learningRate:)``.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> MultDAEModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let n = data.itemCount, threads = max(1, min(context.threads, 64))
        let layout = MultDAEModel.layout(items: n, hidden: hidden)
        var rng = SeededGenerator(seed: context.seed)
        var p: [Float] = layout.initialParameters(using: &rng)
        var adam = Stepper<Float>(rule: .adam, count: p.count)
        var order = (0..<data.userCount).filter { data.byUser.count(of: $0) > 0 }
        for epoch in 1...max(1, iterations) where iterations > 0 {
            rng.shuffle(&order)
            var total = 0.0
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = order[start..<min(order.count, start + batchSize)].map { u in
                    var x = [Float](repeating: 0, count: n), target = x
                    for i in data.byUser.columns(of: u) {
                        target[Int(i)] = 1
                        if rng.nextUniform() >= dropout { x[Int(i)] = 1 }
                    }
                    MultDAEModel.normalize(&x)
                    return (input: x, target: target)
                }
                let (loss, g) = Self.lossAndGradient(layout: layout, parameters: p, batch: batch,
                                                     regularization: regularization, threads: threads)
                total += Double(loss) * Double(batch.count)
                adam.step(&p, gradient: g, rate: learningRate)
            }
            guard total.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: learningRate) }
            context.report(TrainingProgress(step: epoch, total: iterations, loss: total / Double(max(1, order.count))))
        }
        return MultDAEModel(domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                            layout: layout, parameters: p, popularity: Popularity.shares(data))
    }

    /// The training objective on one batch and its gradient: the mean over the batch of the multinomial loss
    /// -sum_i target_i log softmax(z(input))_i, plus lambda / 2 ||W||^2 over the weights. The batch is split into
    /// `threads` contiguous parts, their gradients summed in part order.
    static func lossAndGradient<T: NeuralScalar>(layout: NetworkLayout, parameters: [T], batch: [(input: [T], target: [T])],
                                                 regularization: T, threads: Int) -> (loss: T, gradient: [T]) {
        let parts = Parallel.ranges(batch.count, parts: min(threads, batch.count))
        var results = [(loss: T, gradient: [T])](repeating: (0, []), count: parts.count)
        results.withUnsafeMutableBufferPointer { rp in
            let r = SharedPointer(rp.baseAddress!)
            Parallel.run(parts.count) { t in
                r[t] = NeuralNetwork<T>.lossAndGradient(layout: layout, parameters: parameters,
                                                        examples: Array(batch[parts[t]]), loss: .categoricalCrossEntropy)
            }
        }
        var loss: T = 0, gradient = [T](repeating: 0, count: layout.parameterCount)
        for (part, result) in zip(parts, results) {
            let share = T(part.count) / T(batch.count)
            loss += share * result.loss
            for k in gradient.indices { gradient[k] += share * result.gradient[k] }
        }
        for (l, layer) in layout.layers.enumerated() {
            for k in layout.offsets[l]..<(layout.offsets[l] + layer.inputs * layer.outputs) {
                loss += regularization / 2 * parameters[k] * parameters[k]
                gradient[k] += regularization * parameters[k]
            }
        }
        return (loss, gradient)
    }
}

/// The training objective of ``MultDAE`` on a small random batch, in Double, for numerical gradient checks
/// (`latent gradcheck --model mult-dae`): 5 users over 6 items (each item chosen with probability 1/2, multi-hot
/// targets), a hidden layer of 4, lambda 0.1, exactly the function training differentiates.
public struct MultDAEGradientObjective: DifferentiableObjective {
    let layout = MultDAEModel.layout(items: 6, hidden: [4])
    let batch: [(input: [Double], target: [Double])]
    let threads: Int
    /// The point to check at: small random weights, biases 0.1.
    public let initialPoint: [Double]

    /// The problem drawn from `seed`, its batch split over `threads` parts.
    public init(seed: UInt64, threads: Int = 2) {
        var rng = SeededGenerator(seed: seed)
        batch = (0..<5).map { u in
            var x = (0..<6).map { _ in Double(rng.nextInt(below: 2)) }
            x[u] = 1
            let target = x
            MultDAEModel.normalize(&x)
            return (x, target)
        }
        self.threads = threads
        initialPoint = layout.initialParameters(using: &rng).map { $0 + 0.1 }
    }

    public var parameterCount: Int { layout.parameterCount }
    public func value(at p: [Double]) -> Double {
        MultDAE.lossAndGradient(layout: layout, parameters: p, batch: batch, regularization: 0.1, threads: threads).loss
    }
    public func gradient(at p: [Double]) -> [Double] {
        MultDAE.lossAndGradient(layout: layout, parameters: p, batch: batch, regularization: 0.1, threads: threads).gradient
    }
}

extension MultDAE: GradientChecked {
    public func gradientCheck(seed: UInt64) -> GradientCheckResult {
        let f = MultDAEGradientObjective(seed: seed)
        return GradientCheck.check(f, at: f.initialPoint)
    }
}

extension ModelDescriptor {
    /// `mult-dae`: the denoising autoencoder with a multinomial likelihood.
    public static let multDAE = ModelDescriptor(
        name: "mult-dae", summary: "denoising autoencoder x~_u -> tanh -> softmax over items, multinomial likelihood, Adam (Mult-DAE, Liang et al.)",
        task: .ranking, defaults: MultDAE.defaults)
}
