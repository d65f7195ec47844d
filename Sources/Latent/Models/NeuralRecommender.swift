import Dispatch

/// `neural`: a neural recommender on user and item embeddings (``NeuMF``: a GMF path and an MLP path, fused),
/// trained with Adam on mini-batches.
///
/// - Interactions (the default, `loss=bce`): every stored pair is a positive (label 1); each epoch draws `negatives`
///   items per positive uniformly among the items the user did not interact with (label 0), seeded; binary
///   cross-entropy on sigmoid(z). Scores and predictions are probabilities.
/// - Ratings (`loss=mse`): squared error of z + mu against each rating, no negatives; predictions are ratings.
///
/// Embedding rows are updated lazily (only the rows a batch touched, as in lazy Adam); dense layers every batch.
/// With several threads each batch is split into contiguous parts whose gradients are summed in thread order, so
/// the same seed and thread count give the same model (a different thread count rounds differently).
///
/// Item vectors (for `similar`) are the concatenated GMF and MLP item embeddings; user vectors likewise. A new user
/// (fold-in) gets the mean embeddings of the training users who share items with them, weighted by the number of
/// shared items; with no known item, items are ranked by popularity. An unknown user in ``rawPrediction(user:item:)``
/// gets the item's popularity (bce) or mu (mse).
public struct NeuralRecommender: Recommender {
    public let name = "neural"
    public var domain: ModelDomain
    public var hyperparameters: Hyperparameters
    /// The network.
    public var network: NeuMF<Float>
    /// The training objective.
    public var objective: NeuMFObjective
    /// The offset added to z for ratings (0 for interactions).
    public var offset: Float
    /// Each item's share of users who interacted with it: the fallback when nothing is known of a user.
    public var popularity: [Float]

    /// A model from its parts.
    public init(domain: ModelDomain, hyperparameters: Hyperparameters, network: NeuMF<Float>, objective: NeuMFObjective,
                offset: Float, popularity: [Float]) {
        precondition(network.userCount == domain.users.count && network.itemCount == domain.items.count)
        precondition(popularity.count == domain.items.count)
        self.domain = domain
        self.hyperparameters = hyperparameters
        self.network = network
        self.objective = objective
        self.offset = offset
        self.popularity = popularity
    }

    private func output(_ z: Float) -> Float { objective == .logistic ? Activation.sigmoid(z) : z + offset }

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        guard let i = item else { return objective == .logistic ? 0 : offset }
        guard let u = user else { return objective == .logistic ? popularity[i] : offset }
        var ws = NeuMF<Float>.Workspace(network)
        return output(network.logit(user: u, item: i, &ws))
    }

    public func scoreItems(user: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        var ws = NeuMF<Float>.Workspace(network)
        for i in 0..<network.itemCount { scores[i] = output(network.logit(user: user, item: i, &ws)) }
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: UnsafeMutableBufferPointer<Float>) {
        let n = network
        let kg = n.gmfSize, km = n.mlpSize
        // Weight of each training user: how many of the given items they share.
        var given = Set(ratings.map(\.item))
        given = given.filter { $0 >= 0 && $0 < n.itemCount }
        var pg = [Float](repeating: 0, count: kg), pm = [Float](repeating: 0, count: km)
        var total: Float = 0
        if !given.isEmpty {
            for u in 0..<domain.users.count {
                var shared: Float = 0
                for i in domain.seen.columns(of: u) where given.contains(Int(i)) { shared += 1 }
                guard shared > 0 else { continue }
                total += shared
                for k in 0..<kg { pg[k] += shared * n.userGMF[u * kg + k] }
                for k in 0..<km { pm[k] += shared * n.userMLP[u * km + k] }
            }
        }
        guard total > 0 else {
            for i in 0..<scores.count { scores[i] = objective == .logistic ? popularity[i] : offset + popularity[i] }
            return
        }
        for k in 0..<kg { pg[k] /= total }
        for k in 0..<km { pm[k] /= total }
        var ws = NeuMF<Float>.Workspace(n)
        pg.withUnsafeBufferPointer { pg in
        pm.withUnsafeBufferPointer { pm in
        n.itemGMF.withUnsafeBufferPointer { ig in
        n.itemMLP.withUnsafeBufferPointer { im in
        n.dense.withUnsafeBufferPointer { d in
            for i in 0..<n.itemCount {
                scores[i] = output(n.logit(pg: pg.baseAddress!, qg: ig.baseAddress! + i * kg, pm: pm.baseAddress!,
                                           qm: im.baseAddress! + i * km, dense: d.baseAddress!, &ws))
            }
        }}}}}
    }

    private static func concatenated(_ a: [Float], _ ka: Int, _ b: [Float], _ kb: Int, rows: Int) -> Matrix {
        var m = Matrix(rows: rows, columns: ka + kb)
        for r in 0..<rows {
            for k in 0..<ka { m.storage[r * (ka + kb) + k] = a[r * ka + k] }
            for k in 0..<kb { m.storage[r * (ka + kb) + ka + k] = b[r * kb + k] }
        }
        return m
    }

    /// The GMF and MLP item embeddings side by side.
    public var itemVectors: Matrix? {
        Self.concatenated(network.itemGMF, network.gmfSize, network.itemMLP, network.mlpSize, rows: network.itemCount)
    }
    /// The GMF and MLP user embeddings side by side.
    public var userVectors: Matrix? {
        Self.concatenated(network.userGMF, network.gmfSize, network.userMLP, network.mlpSize, rows: network.userCount)
    }

    /// The archive kind of neural models.
    public static let archiveKind = "neural"

    public func archive() -> ModelArchive {
        var a = ModelArchive(kind: Self.archiveKind, model: name, parameters: hyperparameters.values)
        domain.encode(into: &a)
        a.parameters["objective"] = objective.rawValue
        a.int64s["neural.sizes"] = [Int64(network.gmfSize), Int64(network.mlpSize)]
        a.int64s["neural.tower"] = network.tower.layers.map { Int64($0.outputs) }
        a.strings["neural.activations"] = network.tower.layers.map(\.activation.rawValue)
        a.floats["neural.user_gmf"] = network.userGMF
        a.floats["neural.item_gmf"] = network.itemGMF
        a.floats["neural.user_mlp"] = network.userMLP
        a.floats["neural.item_mlp"] = network.itemMLP
        a.floats["neural.dense"] = network.dense
        a.floats["neural.offset"] = [offset]
        a.floats["popularity"] = popularity
        return a
    }

    /// Reads a neural model from an archive written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let domain = try ModelDomain(from: a)
        let sizes = try a.int64s("neural.sizes"), towerSizes = try a.int64s("neural.tower")
        let activations = try a.strings("neural.activations")
        guard sizes.count == 2, sizes.allSatisfy({ $0 > 0 && $0 < 1 << 20 }), !towerSizes.isEmpty,
              towerSizes.allSatisfy({ $0 > 0 && $0 < 1 << 20 }), activations.count == towerSizes.count,
              let objective = NeuMFObjective(rawValue: a.parameters["objective"] ?? "")
        else { throw ModelFileError.inconsistent("bad neural network shape") }
        var layers: [DenseLayer] = []
        var inputs = 2 * Int(sizes[1])
        for (s, name) in zip(towerSizes, activations) {
            guard let act = Activation(rawValue: name) else { throw ModelFileError.inconsistent("unknown activation \(name)") }
            layers.append(DenseLayer(inputs: inputs, outputs: Int(s), activation: act))
            inputs = Int(s)
        }
        let tower = NetworkLayout(layers)
        let fusion = NetworkLayout([DenseLayer(inputs: Int(sizes[0]) + inputs, outputs: 1, activation: .identity)])
        let users = domain.users.count, items = domain.items.count
        let kg = Int(sizes[0]), km = Int(sizes[1])
        let ug = try a.floats("neural.user_gmf", count: users * kg), ig = try a.floats("neural.item_gmf", count: items * kg)
        let um = try a.floats("neural.user_mlp", count: users * km), im = try a.floats("neural.item_mlp", count: items * km)
        let dense = try a.floats("neural.dense", count: tower.parameterCount + fusion.parameterCount)
        let network = NeuMF<Float>(users: users, items: items, gmfSize: kg, mlpSize: km, tower: tower, fusion: fusion,
                                   userGMF: ug, itemGMF: ig, userMLP: um, itemMLP: im, dense: dense)
        self.init(domain: domain, hyperparameters: Hyperparameters(a.parameters.filter { $0.key != "objective" }),
                  network: network, objective: objective, offset: try a.floats("neural.offset", count: 1)[0],
                  popularity: try a.floats("popularity", count: items))
    }
}

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
        var adamUG = AdamState<Float>(count: net.userGMF.count, learningRate: learningRate)
        var adamIG = AdamState<Float>(count: net.itemGMF.count, learningRate: learningRate)
        var adamUM = AdamState<Float>(count: net.userMLP.count, learningRate: learningRate)
        var adamIM = AdamState<Float>(count: net.itemMLP.count, learningRate: learningRate)
        var adamD = AdamState<Float>(count: net.dense.count, learningRate: learningRate)
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
                    var j = rng.nextInt(below: itemCount)
                    if seen.count(of: u) < itemCount {
                        while seen.contains(row: u, column: Int32(j)) { j = rng.nextInt(below: itemCount) }
                    }
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
                        DispatchQueue.concurrentPerform(iterations: threads) { t in
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
                        Self.add(&threadGrads[t].userGMF, into: &grads.userGMF, rows: touchedUsers, width: kg)
                        Self.add(&threadGrads[t].userMLP, into: &grads.userMLP, rows: touchedUsers, width: km)
                        Self.add(&threadGrads[t].itemGMF, into: &grads.itemGMF, rows: touchedItems, width: kg)
                        Self.add(&threadGrads[t].itemMLP, into: &grads.itemMLP, rows: touchedItems, width: km)
                        Self.add(&threadGrads[t].dense, into: &grads.dense, rows: [0], width: grads.dense.count)
                    }
                }
                adamUG.beginStep(); adamIG.beginStep(); adamUM.beginStep(); adamIM.beginStep(); adamD.beginStep()
                Self.apply(&adamUG, &net.userGMF, &grads.userGMF, rows: touchedUsers, width: kg)
                Self.apply(&adamUM, &net.userMLP, &grads.userMLP, rows: touchedUsers, width: km)
                Self.apply(&adamIG, &net.itemGMF, &grads.itemGMF, rows: touchedItems, width: kg)
                Self.apply(&adamIM, &net.itemMLP, &grads.itemMLP, rows: touchedItems, width: km)
                Self.apply(&adamD, &net.dense, &grads.dense, rows: [0], width: net.dense.count)
                start = end
            }
            let meanLoss = lossSum / Double(max(1, order.count))
            guard meanLoss.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: learningRate) }
            context.report(TrainingProgress(step: epoch, total: iterations, loss: meanLoss))
        }
        let share = (0..<itemCount).map { Float(data.byItem.count(of: $0)) / Float(max(1, data.userCount)) }
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
    private static func apply(_ adam: inout AdamState<Float>, _ params: inout [Float], _ grads: inout [Float],
                              rows: [Int], width: Int) {
        params.withUnsafeMutableBufferPointer { p in
            grads.withUnsafeMutableBufferPointer { g in
                for r in rows {
                    adam.update(p.baseAddress!, gradient: UnsafePointer(g.baseAddress!), range: (r * width)..<((r + 1) * width))
                    for k in (r * width)..<((r + 1) * width) { g[k] = 0 }
                }
            }
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
