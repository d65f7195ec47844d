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
/// thread count give the same model. The first layer is computed on the non-zero inputs only (``SparseInputNetwork``).
/// Scores are softmax(z) of the clean (undropped, normalized) x_u: the encoder takes any user's items, so a new user
/// (fold-in) is scored the same way; with no items, by popularity.
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

    /// scores = softmax(z(x~)), x~ the normalized indicator of `items` (the sparse first layer: see
    /// ``SparseInputNetwork``).
    private func score(_ items: [Int], into scores: inout [Float]) {
        let z = SparseInputNetwork(layout).predict(parameters: parameters,
                                                   input: MultDAEExample<Float>(kept: items, target: []).input)
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
        let threads = max(1, min(context.threads, 64))
        let layout = MultDAEModel.layout(items: data.itemCount, hidden: hidden)
        var rng = SeededGenerator(seed: context.seed)
        var p: [Float] = layout.initialParameters(using: &rng)
        var adam = Stepper<Float>(rule: .adam, count: p.count)
        var order = (0..<data.userCount).filter { data.byUser.count(of: $0) > 0 }
        for epoch in stride(from: 1, through: iterations, by: 1) {
            rng.shuffle(&order)
            var total = 0.0
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = order[start..<min(order.count, start + batchSize)].map { u in
                    let items = data.byUser.columns(of: u).map { Int($0) }
                    return MultDAEExample<Float>(kept: items.filter { _ in rng.nextUniform() >= dropout }, target: items)
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
    /// `threads` contiguous parts, each summing its examples in order (``SparseInputNetwork``); the parts' sums are
    /// added in part order, so the same batch and thread count give the same result.
    static func lossAndGradient<T: NeuralScalar>(layout: NetworkLayout, parameters: [T], batch: [MultDAEExample<T>],
                                                 regularization: T, threads: Int) -> (loss: T, gradient: [T]) {
        let network = SparseInputNetwork(layout)
        let parts = Parallel.ranges(batch.count, parts: min(threads, batch.count))
        var results = [(loss: T, gradient: [T])](repeating: (0, []), count: parts.count)
        results.withUnsafeMutableBufferPointer { rp in
            let r = SharedPointer(rp.baseAddress!)
            Parallel.run(parts.count) { t in
                r[t] = network.lossAndGradientSum(parameters: parameters, examples: batch[parts[t]])
            }
        }
        var loss: T = 0, gradient = [T](repeating: 0, count: layout.parameterCount)
        for result in results {
            loss += result.loss
            for k in gradient.indices { gradient[k] += result.gradient[k] }
        }
        let count = T(max(1, batch.count))
        loss /= count
        for k in gradient.indices { gradient[k] /= count }
        addWeightDecay(layout: layout, parameters: parameters, regularization: regularization, loss: &loss, gradient: &gradient)
        return (loss, gradient)
    }

    /// Adds lambda / 2 ||W||^2 to `loss` and lambda W to `gradient`, over every weight of every layer (all of W1
    /// too, whatever items the batch had; not the biases).
    static func addWeightDecay<T: NeuralScalar>(layout: NetworkLayout, parameters: [T], regularization: T,
                                                loss: inout T, gradient: inout [T]) {
        for (l, layer) in layout.layers.enumerated() {
            for k in layout.offsets[l]..<(layout.offsets[l] + layer.inputs * layer.outputs) {
                loss += regularization / 2 * parameters[k] * parameters[k]
                gradient[k] += regularization * parameters[k]
            }
        }
    }
}

/// One user of a Mult-DAE batch, sparse: the input x~ as its non-zero entries, the target x as the items it has.
struct MultDAEExample<T: NeuralScalar> {
    /// The non-zero entries of x~: the kept items, each with the value 1 / sqrt(number kept) (x~ = x_kept / ||x_kept||).
    var input: [(item: Int, value: T)]
    /// The items with x_i = 1 (every other x_i is 0).
    var target: [Int]

    /// The example whose input is the normalized indicator of `kept` (no entries when `kept` is empty: x~ = 0) and whose
    /// target is the indicator of `target`.
    init(kept: [Int], target: [Int]) {
        let value = kept.isEmpty ? 0 : 1 / T(kept.count).squareRoot()
        input = kept.map { (item: $0, value: value) }
        self.target = target
    }
}

/// Mult-DAE's network on a sparse input. x~ has about 50 non-zero entries of n (1682 on MovieLens 100k), so the first
/// layer (W1 of h x n, row-major as in ``NetworkLayout``; S the kept items) is computed on S only:
///
///     forward:   z1_o = b1_o + sum_{i in S} W1[o, i] x~_i,  a1 = g(z1)          (h |S| products, not h n)
///     backward:  delta1_o = g'(z1_o) dL/da1_o,  dL/db1_o = delta1_o,
///                dL/dW1[o, i] = delta1_o x~_i for i in S (0 elsewhere: x~_i = 0)  (again h |S|, not h n)
///
/// and d loss / d x~ is not computed. The layers after the first are the Neural module's dense forward and
/// backward (`tail`, the same flat parameters from the second layer's offset on); the tail's input gradient is dL/da1.
/// Within float rounding this is the dense network's loss and gradient (a test compares them); examples are summed
/// in order, so the result does not depend on timing.
struct SparseInputNetwork {
    /// The whole network (at least two layers: Mult-DAE has at least one hidden layer).
    let layout: NetworkLayout
    /// Its layers after the first, whose parameters start at `layout.offsets[1]`.
    let tail: NetworkLayout

    init(_ layout: NetworkLayout) {
        self.layout = layout
        tail = NetworkLayout(Array(layout.layers.dropFirst()))
    }

    /// The first layer's z1 and a1 for the sparse `input`.
    private func firstForward<T: NeuralScalar>(_ p: UnsafePointer<T>, _ input: [(item: Int, value: T)],
                                               z: UnsafeMutablePointer<T>, a: UnsafeMutablePointer<T>) {
        let first = layout.layers[0], b = p + first.inputs * first.outputs
        for o in 0..<first.outputs {
            let row = p + o * first.inputs
            var s = b[o]
            for (i, v) in input { s += row[i] * v }
            z[o] = s
            a[o] = first.activation.apply(s)
        }
    }

    /// The network's output for the sparse `input` (the output layer's activations).
    func predict<T: NeuralScalar>(parameters: [T], input: [(item: Int, value: T)]) -> [T] {
        let h = layout.layers[0].outputs
        var a1 = [T](repeating: 0, count: h), z1 = a1
        var z = [T](repeating: 0, count: tail.unitCount), a = z
        parameters.withUnsafeBufferPointer { p in
            firstForward(p.baseAddress!, input, z: &z1, a: &a1)
            _ = tail.forward(parameters: p.baseAddress! + layout.offsets[1], input: a1, z: &z, a: &a)
        }
        return Array(a.suffix(layout.outputSize))
    }

    /// The sum (not the mean) over `examples` of the multinomial loss and its gradient; no weight decay.
    func lossAndGradientSum<T: NeuralScalar>(parameters: [T], examples: ArraySlice<MultDAEExample<T>>)
        -> (loss: T, gradient: [T]) {
        let first = layout.layers[0], h = first.outputs, n = layout.outputSize, units = tail.unitCount
        var gradient = [T](repeating: 0, count: layout.parameterCount)
        // One workspace: z1, a1, dL/da1 (h each); the tail's z, a and scratch (units each); dL/dz_out and x (n each).
        var work = [T](repeating: 0, count: 3 * h + 3 * units + 2 * n)
        var total: T = 0
        parameters.withUnsafeBufferPointer { pp in
        gradient.withUnsafeMutableBufferPointer { gp in
        work.withUnsafeMutableBufferPointer { wp in
            let p = pp.baseAddress!, g = gp.baseAddress!
            let z1 = wp.baseAddress!, a1 = z1 + h, da1 = a1 + h
            let z = da1 + h, a = z + units, scratch = a + units, dOut = scratch + units, y = dOut + n
            let pTail = p + layout.offsets[1], gTail = g + layout.offsets[1], gb1 = g + first.inputs * h
            for example in examples {
                firstForward(p, example.input, z: z1, a: a1)
                let out = tail.forward(parameters: pTail, input: a1, z: z, a: a)
                for i in example.target { y[i] = 1 }
                total += Loss.categoricalCrossEntropy.value(out, y, count: n)
                Loss.categoricalCrossEntropy.gradient(out, y, count: n, into: dOut)
                for i in example.target { y[i] = 0 }
                tail.backward(parameters: pTail, input: a1, z: z, a: a, outputGradient: dOut, gradient: gTail,
                              inputGradient: da1, scratch: scratch)
                for o in 0..<h {
                    let d = da1[o] * first.activation.derivative(z1[o], output: a1[o])
                    gb1[o] += d
                    let row = g + o * first.inputs
                    for (i, v) in example.input { row[i] += d * v }
                }
            }
        }}}
        return (total, gradient)
    }
}

/// The training objective of ``MultDAE`` on a small random batch, in Double, for numerical gradient checks
/// (`latent gradcheck --model mult-dae`): 5 users over 6 items (each item chosen with probability 1/2, multi-hot
/// targets), a hidden layer of 4, lambda 0.1, exactly the function training differentiates.
public struct MultDAEGradientObjective: DifferentiableObjective {
    let layout = MultDAEModel.layout(items: 6, hidden: [4])
    let batch: [MultDAEExample<Double>]
    let threads: Int
    /// The point to check at: small random weights, biases 0.1.
    public let initialPoint: [Double]

    /// The problem drawn from `seed`, its batch split over `threads` parts.
    public init(seed: UInt64, threads: Int = 2) {
        var rng = SeededGenerator(seed: seed)
        batch = (0..<5).map { u in
            var x = (0..<6).map { _ in rng.nextInt(below: 2) }
            x[u] = 1
            let items = x.indices.filter { x[$0] == 1 }
            return MultDAEExample(kept: items, target: items)
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
