/// How `neural` trains.
public struct NeuralTraining: Sendable {
    /// The GMF embedding size.
    public var gmfFactors: Int
    /// The MLP embedding size.
    public var mlpFactors: Int
    /// The hidden layer sizes of the MLP path.
    public var hidden: [Int]
    /// The activation of the hidden layers.
    public var activation: Activation
    /// Interactions (bce, with sampled negatives) or ratings (mse).
    public var objective: NeuMFObjective
    /// Sampled negatives per positive (bce).
    public var negatives: Int
    /// Passes over the data (epochs).
    public var iterations: Int
    /// Samples per Adam step.
    public var batchSize: Int
    /// Adam's step size.
    public var learningRate: Float
    /// L2 regularization of the embedding rows a sample touches.
    public var regularization: Float
    /// The standard deviation of the initial embeddings.
    public var initialScale: Float

    /// The defaults, chosen on a validation split carved from MovieLens 100k `u1.base`.
    public static let defaults = NeuralTraining(gmfFactors: 16, mlpFactors: 16, hidden: [16, 8], activation: .relu,
                                                objective: .logistic, negatives: 4, iterations: 20, batchSize: 256,
                                                learningRate: 0.0005, regularization: 1e-4, initialScale: 0.01)

    /// Trains on `data`.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> NeuralRecommender {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        var rng = SeededGenerator(seed: context.seed)
        var net = NeuMF<Float>(users: data.userCount, items: data.itemCount, gmfSize: gmfFactors, mlpSize: mlpFactors,
                               hidden: hidden, activation: activation, initialScale: initialScale, using: &rng)
        let offset: Float = objective == .squared ? data.globalMean : 0
        let (users, items, values) = data.triples()
        let seen = data.byUser
        let itemCount = data.itemCount
        var grads = NeuMF<Float>.Gradients(net)
        var ws = NeuMF<Float>.Workspace(net)
        let kg = gmfFactors, km = mlpFactors
        // The parameter tables with their gradients, row widths and the rows a batch touches (nil: the one dense row),
        // each with its own Adam.
        let tables: [(WritableKeyPath<NeuMF<Float>, [Float]>, WritableKeyPath<NeuMF<Float>.Gradients, [Float]>, users: Bool?, width: Int)] = [
            (\.userGMF, \.userGMF, true, kg), (\.userMLP, \.userMLP, true, km), (\.itemGMF, \.itemGMF, false, kg),
            (\.itemMLP, \.itemMLP, false, km), (\.dense, \.dense, nil, net.dense.count),
        ]
        var adams = tables.map { Stepper<Float>(rule: .adam, count: net[keyPath: $0.0].count) }
        var userMark = [Int](repeating: -1, count: data.userCount), itemMark = [Int](repeating: -1, count: itemCount)
        var touchedUsers: [Int] = [], touchedItems: [Int] = []
        let threads = max(1, min(context.threads, 64))
        var threadGrads = threads > 1 ? (0..<threads).map { _ in NeuMF<Float>.Gradients(net) } : []
        var threadSpaces = threads > 1 ? (0..<threads).map { _ in NeuMF<Float>.Workspace(net) } : []
        var threadLoss = [Double](repeating: 0, count: threads)
        let perPositive = objective == .logistic ? 1 + negatives : 1
        var samples = [Int32](repeating: 0, count: users.count * perPositive * 2)
        var targets = [Float](repeating: 0, count: users.count * perPositive)
        var order = [Int32](0..<Int32(users.count * perPositive))
        var batch = 0
        for epoch in 1...max(1, iterations) where iterations > 0 {
            // This epoch's samples: each positive, then its negatives.
            for n in 0..<users.count {
                let u = Int(users[n])
                let base = n * perPositive
                samples[2 * base] = users[n]
                samples[2 * base + 1] = items[n]
                targets[base] = objective == .logistic ? 1 : values[n] - offset
                for s in 1..<perPositive {
                    let j = seen.sampleAbsent(row: u, columns: itemCount, using: &rng) ?? rng.nextInt(below: itemCount)
                    samples[2 * (base + s)] = Int32(u)
                    samples[2 * (base + s) + 1] = Int32(j)
                    targets[base + s] = 0
                }
            }
            rng.shuffle(&order)
            var lossSum = 0.0
            var start = 0
            while start < order.count {
                let end = min(order.count, start + batchSize)
                let scale = 1 / Float(end - start)
                batch += 1
                touchedUsers.removeAll(keepingCapacity: true)
                touchedItems.removeAll(keepingCapacity: true)
                for s in order[start..<end] {
                    let s = Int(s)
                    let u = Int(samples[2 * s]), i = Int(samples[2 * s + 1])
                    if userMark[u] != batch { userMark[u] = batch; touchedUsers.append(u) }
                    if itemMark[i] != batch { itemMark[i] = batch; touchedItems.append(i) }
                }
                if threads == 1 {
                    for s in order[start..<end] {
                        let s = Int(s)
                        lossSum += Double(net.accumulate(user: Int(samples[2 * s]), item: Int(samples[2 * s + 1]),
                                                         target: targets[s], objective: objective,
                                                         regularization: regularization, scale: scale, into: &grads, &ws))
                    }
                } else {
                    // Each thread accumulates a contiguous part of the batch into its own gradients; they are then
                    // summed in thread order, so a given thread count always gives the same model.
                    let snapshot = net, lambda = regularization, objective = self.objective
                    let batchRange = start..<end
                    order.withUnsafeBufferPointer { op in
                    samples.withUnsafeBufferPointer { sp in
                    targets.withUnsafeBufferPointer { tp in
                    threadGrads.withUnsafeMutableBufferPointer { gp in
                    threadSpaces.withUnsafeMutableBufferPointer { wp in
                    threadLoss.withUnsafeMutableBufferPointer { lp in
                        let o = SharedReadPointer(op.baseAddress!), sm = SharedReadPointer(sp.baseAddress!)
                        let tg = SharedReadPointer(tp.baseAddress!)
                        let g = SharedPointer(gp.baseAddress!), w = SharedPointer(wp.baseAddress!)
                        let l = SharedPointer(lp.baseAddress!)
                        Parallel.run(threads) { t in
                            let part = Parallel.ranges(batchRange.count, parts: threads)[t]
                            var loss = 0.0
                            for n in part {
                                let s = Int(o.base[batchRange.lowerBound + n])
                                loss += Double(snapshot.accumulate(
                                    user: Int(sm.base[2 * s]), item: Int(sm.base[2 * s + 1]), target: tg.base[s],
                                    objective: objective, regularization: lambda, scale: scale,
                                    into: &g.base[t], &w.base[t]))
                            }
                            l[t] = loss
                        }
                    }}}}}}
                    for t in 0..<threads {
                        lossSum += threadLoss[t]
                        for (_, g, users, width) in tables {
                            Self.add(&threadGrads[t][keyPath: g], into: &grads[keyPath: g],
                                     rows: users.map { $0 ? touchedUsers : touchedItems } ?? [0], width: width)
                        }
                    }
                }
                for (n, (p, g, users, width)) in tables.enumerated() {
                    adams[n].beginStep()
                    Self.apply(&adams[n], &net[keyPath: p], &grads[keyPath: g], rows: users.map { $0 ? touchedUsers : touchedItems } ?? [0],
                               width: width, rate: learningRate)
                }
                start = end
            }
            let meanLoss = lossSum / Double(max(1, order.count))
            guard meanLoss.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: learningRate) }
            context.report(TrainingProgress(step: epoch, total: iterations, loss: meanLoss))
        }
        let share = Popularity.shares(data)
        return NeuralRecommender(domain: ModelDomain(data, ratingScale: objective == .squared ? context.ratingScale : nil,
                                                         task: objective == .squared ? .rating : .ranking),
                                 hyperparameters: hyperparameters, network: net, objective: objective, offset: offset,
                                 popularity: share)
    }

    /// Adds the given rows of `source` into `target` and zeroes them in `source`.
    private static func add(_ source: inout [Float], into target: inout [Float], rows: [Int], width: Int) {
        source.withUnsafeMutableBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                for r in rows {
                    for k in (r * width)..<((r + 1) * width) {
                        t[k] += s[k]
                        s[k] = 0
                    }
                }
            }
        }
    }

    /// Adam on the given rows of a table, then zeroes their gradients.
    private static func apply(_ adam: inout Stepper<Float>, _ params: inout [Float], _ grads: inout [Float],
                              rows: [Int], width: Int, rate: Float) {
        for r in rows {
            let range = (r * width)..<((r + 1) * width)
            adam.update(&params, gradient: grads, range: range, rate: rate)
            for k in range { grads[k] = 0 }
        }
    }
}

extension NeuralTraining: ModelConfiguration {
    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.gmfFactors, also: [\.mlpFactors], in: 1...4096, stored: false, "size of both embeddings"),
        .init("gmf-factors", \.gmfFactors, in: 1...4096, "size of the GMF embeddings"),
        .init("mlp-factors", \.mlpFactors, in: 1...4096, "size of the MLP embeddings"),
        .init("hidden", \.hidden, "hidden layer sizes of the MLP path"),
        .init("activation", \.activation, "hidden activation: identity, step, sigmoid, tanh, relu"),
        .init("loss", \.objective, "bce (interactions, sampled negatives) or mse (ratings)"),
        .init("negatives", \.negatives, in: 1...100, "sampled negatives per positive (bce)"),
        .init("iterations", \.iterations, in: 0...100_000, "passes over the data (epochs)"),
        .init("batch-size", \.batchSize, in: 1...1_000_000, "samples per Adam step"),
        .init("learning-rate", \.learningRate, in: 1e-12...10, "Adam step size"),
        .init("regularization", \.regularization, in: 0...1e6, "L2 on the embedding rows each sample touches"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial embeddings"),
    ]
}

extension ModelDescriptor {
    /// `neural`: NeuMF (GMF and MLP paths fused) trained with Adam.
    public static let neural = ModelDescriptor(
        name: "neural", summary: "neural recommender: GMF and MLP paths on embeddings, fused (NeuMF), trained with Adam",
        task: .ranking, defaults: NeuralTraining.defaults)
}
