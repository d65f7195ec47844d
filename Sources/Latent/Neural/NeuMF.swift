/// How the fused output of ``NeuMF`` is judged.
public enum NeuMFObjective: String, Sendable, CaseIterable {
    /// Binary cross-entropy on sigmoid(z): interactions are 1, sampled non-interactions 0.
    case logistic = "bce"
    /// 1/2 (z - y)^2 on ratings (y is the rating minus the global mean).
    case squared = "mse"

    /// The loss of logit `z` against `y`, and d loss / d z.
    @inlinable
    func lossAndDerivative<T: NeuralScalar>(_ z: T, _ y: T) -> (T, T) {
        switch self {
        case .logistic:
            // softplus(z) - y z, computed without overflow; its derivative is sigmoid(z) - y.
            let softplus = z > 0 ? z + T.neuralLog(1 + T.neuralExp(-z)) : T.neuralLog(1 + T.neuralExp(z))
            return (softplus - y * z, Activation.sigmoid(z) - y)
        case .squared:
            return ((z - y) * (z - y) / 2, z - y)
        }
    }
}

/// Neural matrix factorization (He et al., 2017), the network of the `neural` recommender.
///
/// Two paths share nothing but the input (user u, item i):
/// - generalized matrix factorization: the element-wise product g = p_u (.) q_i of GMF embeddings;
/// - a multilayer perceptron: h = MLP([p'_u, q'_i]) on the concatenation of MLP embeddings (``tower``).
/// They are fused by one dense layer with identity activation: z = w . [g, h] + b (``fusion``). For interactions
/// the model's probability is sigmoid(z), trained by binary cross-entropy; for ratings z + mu, by squared error.
/// Every sample's loss carries L2 regularization lambda/2 of the four embedding rows it touches.
///
/// Generic over the number type so the same code trains in Float and is gradient-checked in Double.
public struct NeuMF<T: NeuralScalar>: Sendable {
    /// The number of users and items.
    public let userCount: Int, itemCount: Int
    /// The sizes of the GMF and MLP embeddings.
    public let gmfSize: Int, mlpSize: Int
    /// The MLP path: 2 mlpSize inputs to its last hidden layer.
    public let tower: NetworkLayout
    /// The fusion layer: gmfSize + tower output -> 1, identity.
    public let fusion: NetworkLayout
    /// Embeddings, row-major, one row per user or item.
    public var userGMF: [T], itemGMF: [T], userMLP: [T], itemMLP: [T]
    /// The tower's parameters followed by the fusion layer's.
    public var dense: [T]
}

extension NeuMF {
    /// A network with embeddings drawn from N(0, initialScale^2) and Glorot-initialized dense layers.
    public init(users: Int, items: Int, gmfSize: Int, mlpSize: Int, hidden: [Int], activation: Activation,
                initialScale: T, using rng: inout SeededGenerator) {
        precondition(gmfSize > 0 && mlpSize > 0 && !hidden.isEmpty)
        userCount = users
        itemCount = items
        self.gmfSize = gmfSize
        self.mlpSize = mlpSize
        tower = NetworkLayout(sizes: [2 * mlpSize] + hidden, hidden: activation, output: activation)
        fusion = NetworkLayout([DenseLayer(inputs: gmfSize + hidden.last!, outputs: 1, activation: .identity)])
        func draw(_ n: Int, _ rng: inout SeededGenerator) -> [T] {
            (0..<n).map { _ in T(rng.nextGaussian()) * initialScale }
        }
        userGMF = draw(users * gmfSize, &rng)
        itemGMF = draw(items * gmfSize, &rng)
        userMLP = draw(users * mlpSize, &rng)
        itemMLP = draw(items * mlpSize, &rng)
        let t: [T] = tower.initialParameters(using: &rng)
        let f: [T] = fusion.initialParameters(using: &rng)
        dense = t + f
    }

    /// Scratch space for one sample's forward and backward pass, one buffer cut into parts; one per thread.
    public struct Workspace {
        /// Where each part starts in the buffer.
        struct Parts {
            /// The MLP input [p'_u, q'_i] and the tower's pre-activations, activations and backward scratch.
            var x = 0, tz = 0, ta = 0, ts = 0
            /// The fusion's input [g, h], pre-activation, activation and backward scratch.
            var f = 0, fz = 0, fa = 0, fs = 0
            /// The gradients on the fusion's input and on the MLP input, and d loss / d z.
            var df = 0, dx = 0, dz = 0
        }
        var buffer: [T]
        let at: Parts

        /// Scratch for `model`.
        public init(_ model: NeuMF<T>) {
            var end = 0
            func part(_ n: Int) -> Int {
                defer { end += n }
                return end
            }
            let units = model.tower.unitCount, fused = model.fusion.inputSize
            at = Parts(x: part(2 * model.mlpSize), tz: part(units), ta: part(units), ts: part(units), f: part(fused), fz: part(1),
                       fa: part(1), fs: part(1), df: part(fused), dx: part(2 * model.mlpSize), dz: part(1))
            buffer = [T](repeating: 0, count: end)
        }
    }

    /// Gradients of the same shapes as the parameters.
    public struct Gradients {
        public var userGMF: [T], itemGMF: [T], userMLP: [T], itemMLP: [T], dense: [T]

        /// Zero gradients for `model`.
        public init(_ model: NeuMF<T>) {
            userGMF = [T](repeating: 0, count: model.userGMF.count)
            itemGMF = [T](repeating: 0, count: model.itemGMF.count)
            userMLP = [T](repeating: 0, count: model.userMLP.count)
            itemMLP = [T](repeating: 0, count: model.itemMLP.count)
            dense = [T](repeating: 0, count: model.dense.count)
        }
    }

    /// The fused logit z for (user, item) given their embedding rows.
    @inline(__always)
    func logit(pg: UnsafePointer<T>, qg: UnsafePointer<T>, pm: UnsafePointer<T>, qm: UnsafePointer<T>,
               dense d: UnsafePointer<T>, _ ws: inout Workspace) -> T {
        let kg = gmfSize, km = mlpSize, at = ws.at
        return ws.buffer.withUnsafeMutableBufferPointer { buffer in
            let w = buffer.baseAddress!, x = w + at.x, f = w + at.f
            for k in 0..<km {
                x[k] = pm[k]
                x[km + k] = qm[k]
            }
            let h = tower.forward(parameters: d, input: x, z: w + at.tz, a: w + at.ta)
            for k in 0..<kg { f[k] = pg[k] * qg[k] }
            for k in 0..<tower.outputSize { f[kg + k] = h[k] }
            return fusion.forward(parameters: d + tower.parameterCount, input: f, z: w + at.fz, a: w + at.fa)[0]
        }
    }

    /// The logit for a known user and item.
    public func logit(user u: Int, item i: Int, _ ws: inout Workspace) -> T {
        userGMF.withUnsafeBufferPointer { ug in
        itemGMF.withUnsafeBufferPointer { ig in
        userMLP.withUnsafeBufferPointer { um in
        itemMLP.withUnsafeBufferPointer { im in
        dense.withUnsafeBufferPointer { d in
            logit(pg: ug.baseAddress! + u * gmfSize, qg: ig.baseAddress! + i * gmfSize, pm: um.baseAddress! + u * mlpSize,
                  qm: im.baseAddress! + i * mlpSize, dense: d.baseAddress!, &ws)
        }}}}}
    }

    /// Adds `scale` times the gradient of one sample's loss (plus lambda/2 of its four embedding rows' squared norms)
    /// into `g`, and returns that sample's loss (unscaled).
    public func accumulate(user u: Int, item i: Int, target y: T, objective: NeuMFObjective, regularization lambda: T,
                           scale: T, into g: inout Gradients, _ ws: inout Workspace) -> T {
        let kg = gmfSize, km = mlpSize
        return userGMF.withUnsafeBufferPointer { ug in
        itemGMF.withUnsafeBufferPointer { ig in
        userMLP.withUnsafeBufferPointer { um in
        itemMLP.withUnsafeBufferPointer { im in
        dense.withUnsafeBufferPointer { dp in
            let pg = ug.baseAddress! + u * kg, qg = ig.baseAddress! + i * kg
            let pm = um.baseAddress! + u * km, qm = im.baseAddress! + i * km
            let d = dp.baseAddress!
            let z = logit(pg: pg, qg: qg, pm: pm, qm: qm, dense: d, &ws)
            let (loss, dz) = objective.lossAndDerivative(z, y)
            var reg: T = 0
            for k in 0..<kg { reg += pg[k] * pg[k] + qg[k] * qg[k] }
            for k in 0..<km { reg += pm[k] * pm[k] + qm[k] * qm[k] }
            let at = ws.at
            return g.dense.withUnsafeMutableBufferPointer { gd in
            g.userGMF.withUnsafeMutableBufferPointer { gug in
            g.itemGMF.withUnsafeMutableBufferPointer { gig in
            g.userMLP.withUnsafeMutableBufferPointer { gum in
            g.itemMLP.withUnsafeMutableBufferPointer { gim in
            ws.buffer.withUnsafeMutableBufferPointer { buffer in
                let w = buffer.baseAddress!, df = w + at.df, dx = w + at.dx
                w[at.dz] = dz * scale
                // Fusion layer, then the tower from the fusion's gradient on its inputs.
                fusion.backward(parameters: d + tower.parameterCount, input: w + at.f, z: w + at.fz, a: w + at.fa,
                                outputGradient: w + at.dz, gradient: gd.baseAddress! + tower.parameterCount,
                                inputGradient: df, scratch: w + at.fs)
                tower.backward(parameters: d, input: w + at.x, z: w + at.tz, a: w + at.ta, outputGradient: df + kg,
                               gradient: gd.baseAddress!, inputGradient: dx, scratch: w + at.ts)
                let r = lambda * scale
                let gpg = gug.baseAddress! + u * kg, gqg = gig.baseAddress! + i * kg
                for k in 0..<kg {
                    gpg[k] += df[k] * qg[k] + r * pg[k]
                    gqg[k] += df[k] * pg[k] + r * qg[k]
                }
                let gpm = gum.baseAddress! + u * km, gqm = gim.baseAddress! + i * km
                for k in 0..<km {
                    gpm[k] += dx[k] + r * pm[k]
                    gqm[k] += dx[km + k] + r * qm[k]
                }
                return loss + lambda / 2 * reg
            }}}}}}
        }}}}}
    }
}
