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

    private func output(_ z: Float) -> Float { objective == .logistic ? Activation.sigmoid(z) : z + offset }

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        guard let i = item else { return objective == .logistic ? 0 : offset }
        guard let u = user else { return objective == .logistic ? popularity[i] : offset }
        var ws = NeuMF<Float>.Workspace(network)
        return output(network.logit(user: u, item: i, &ws))
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        var ws = NeuMF<Float>.Workspace(network)
        for i in 0..<network.itemCount { scores[i] = output(network.logit(user: user, item: i, &ws)) }
    }

    /// The GMF and MLP embeddings of a new user: the training users' embeddings averaged, each weighted by how many of
    /// the given items they share; nil when no training user shares one.
    func foldInEmbeddings(_ ratings: [(item: Int, value: Float)]) -> (gmf: [Float], mlp: [Float])? {
        let n = network
        let kg = n.gmfSize, km = n.mlpSize
        var given = Set(ratings.map(\.item))
        given = given.filter { $0 >= 0 && $0 < n.itemCount }
        guard !given.isEmpty else { return nil }
        var pg = [Float](repeating: 0, count: kg), pm = [Float](repeating: 0, count: km)
        var total: Float = 0
        for u in 0..<domain.users.count {
            var shared: Float = 0
            for i in domain.seen.columns(of: u) where given.contains(Int(i)) { shared += 1 }
            guard shared > 0 else { continue }
            total += shared
            for k in 0..<kg { pg[k] += shared * n.userGMF[u * kg + k] }
            for k in 0..<km { pm[k] += shared * n.userMLP[u * km + k] }
        }
        guard total > 0 else { return nil }
        for k in 0..<kg { pg[k] /= total }
        for k in 0..<km { pm[k] /= total }
        return (pg, pm)
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        let n = network
        let kg = n.gmfSize, km = n.mlpSize
        guard let embeddings = foldInEmbeddings(ratings) else {
            for i in 0..<scores.count { scores[i] = objective == .logistic ? popularity[i] : offset + popularity[i] }
            return
        }
        let pg = embeddings.gmf, pm = embeddings.mlp
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

    /// The fold-in's GMF and MLP embeddings side by side, as in ``userVectors``; nil when no training user shares an
    /// item with `ratings`.
    public func userVector(foldingIn ratings: [(item: Int, value: Float)]) -> [Float]? {
        foldInEmbeddings(ratings).map { $0.gmf + $0.mlp }
    }

    /// The archive kind of neural models.
    public static let archiveKind = "neural"

    public func archive() -> ModelArchive {
        var a = archive(kind: Self.archiveKind)
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
}

extension NeuralRecommender {
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
        let network = NeuMF<Float>(userCount: users, itemCount: items, gmfSize: kg, mlpSize: km, tower: tower, fusion: fusion,
                                   userGMF: ug, itemGMF: ig, userMLP: um, itemMLP: im, dense: dense)
        self.init(domain: domain, hyperparameters: Hyperparameters(a.parameters.filter { $0.key != "objective" }),
                  network: network, objective: objective, offset: try a.floats("neural.offset", count: 1)[0],
                  popularity: try a.floats("popularity", count: items))
    }
}
