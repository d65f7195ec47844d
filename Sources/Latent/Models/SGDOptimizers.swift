/// The adaptive optimizers of `sgd-mf` and `biased-mf` (`optimizer=momentum|adagrad|rmsprop|adam`): the same
/// per-rating gradients as plain SGD, one observed rating at a time in a seeded shuffled order,
///
///     g_p = lambda_P p_u - e q_i     g_q = lambda_Q q_i - e p_u     g_bu = lambda_ub b_u - e     g_bi = lambda_ib b_i - e
///
/// applied by ``StepRule/update(_:gradient:m:v:rate:constants:c1:c2:)`` with per-parameter state. Adam's bias
/// correction counts the updates of each row (user or item), since a row is touched only when one of its ratings comes
/// up (the "lazy" form of Adam for sparse gradients).
extension SGDMatrixFactorization {
    /// Per-parameter optimizer state for P, Q and the biases.
    struct AdaptiveState {
        /// m and v of P, then of Q: [m_P | v_P | m_Q | v_Q], row-major like P and Q.
        var factorMoments: [Float]
        var mBu, vBu, mBi, vBi: [Float]
        var userSteps: [Int32]
        var itemSteps: [Int32]
        /// (1 - beta1^t, 1 - beta2^t) for t = 0..<table.count; beyond, (1, 1).
        var c1Table: [Float]
        var c2Table: [Float]

        init(users: Int, items: Int, k: Int, biased: Bool, constants: StepConstants<Float>) {
            factorMoments = [Float](repeating: 0, count: 2 * (users + items) * k)
            mBu = [Float](repeating: 0, count: biased ? users : 0); vBu = mBu
            mBi = [Float](repeating: 0, count: biased ? items : 0); vBi = mBi
            userSteps = [Int32](repeating: 0, count: users)
            itemSteps = [Int32](repeating: 0, count: items)
            let n = 20_000
            c1Table = (0..<n).map { t in t == 0 ? 1 : constants.biasCorrections(step: t).0 }
            c2Table = (0..<n).map { t in t == 0 ? 1 : constants.biasCorrections(step: t).1 }
        }
    }

    /// One epoch with an adaptive rule; returns the sum of squared errors seen before each update.
    static func adaptiveEpoch(rule: StepRule, constants: StepConstants<Float>, state: inout AdaptiveState,
                              order: [Int32], users: [Int32], items: [Int32], values: [Float], mu: Float,
                              p: inout [Float], q: inout [Float], bu: inout [Float], bi: inout [Float], k: Int,
                              gamma: Float, lambdaP: Float, lambdaQ: Float, lambdaUB: Float, lambdaIB: Float) -> Double {
        // One specialized loop per rule: the rule is a constant in each call, so its switch folds away.
        let lambdas = (p: lambdaP, q: lambdaQ, ub: lambdaUB, ib: lambdaIB)
        switch rule {
        case .sgd, .momentum:
            return adaptiveLoop(MomentumStep.self, constants, &state, order, users, items, values, mu, &p, &q, &bu, &bi, k, gamma, lambdas)
        case .adagrad:
            return adaptiveLoop(AdaGradStep.self, constants, &state, order, users, items, values, mu, &p, &q, &bu, &bi, k, gamma, lambdas)
        case .rmsprop:
            return adaptiveLoop(RMSPropStep.self, constants, &state, order, users, items, values, mu, &p, &q, &bu, &bi, k, gamma, lambdas)
        case .adam:
            return adaptiveLoop(AdamStep.self, constants, &state, order, users, items, values, mu, &p, &q, &bu, &bi, k, gamma, lambdas)
        }
    }

    static func adaptiveLoop<Rule: StepKernel>(_ rule: Rule.Type, _ c: StepConstants<Float>, _ state: inout AdaptiveState,
                             _ order: [Int32], _ users: [Int32], _ items: [Int32], _ values: [Float], _ mu: Float,
                             _ p: inout [Float], _ q: inout [Float], _ bu: inout [Float], _ bi: inout [Float], _ k: Int,
                             _ gamma: Float, _ lambda: (p: Float, q: Float, ub: Float, ib: Float)) -> Double {
        let biased = !bu.isEmpty
        var sse: Double = 0
        let tableCount = state.c1Table.count
        let (userCount, itemCount) = (state.userSteps.count, state.itemSteps.count)
        // Offsets of m_P, v_P, m_Q, v_Q in the factor moments.
        let vPo = userCount * k, mQo = 2 * userCount * k, vQo = mQo + itemCount * k
        // Scalars through (bounds-checked) arrays; the k-wide rows through pointers, in 8-wide SIMD.
        p.withUnsafeMutableBufferPointer { pBuffer in
        q.withUnsafeMutableBufferPointer { qBuffer in
        state.factorMoments.withUnsafeMutableBufferPointer { moments in
            let pBase = pBuffer.baseAddress!, qBase = qBuffer.baseAddress!, mBase = moments.baseAddress!
            for n in order {
                let n = Int(n)
                let u = Int(users[n]), i = Int(items[n])
                let pu = pBase + u * k, qi = qBase + i * k
                var prediction = mu + Vector.dot(pu, qi, count: k)
                if biased { prediction += bu[u] + bi[i] }
                let e = values[n] - prediction
                sse += Double(e * e)
                state.userSteps[u] &+= 1
                state.itemSteps[i] &+= 1
                let tu = Int(state.userSteps[u]), ti = Int(state.itemSteps[i])
                let c1u: Float = tu < tableCount ? state.c1Table[tu] : 1, c2u: Float = tu < tableCount ? state.c2Table[tu] : 1
                let c1i: Float = ti < tableCount ? state.c1Table[ti] : 1, c2i: Float = ti < tableCount ? state.c2Table[ti] : 1
                if biased {
                    Rule.update(&bu[u], gradient: lambda.ub * bu[u] - e, m: &state.mBu[u], v: &state.vBu[u], rate: gamma,
                                constants: c, c1: c1u, c2: c2u)
                    Rule.update(&bi[i], gradient: lambda.ib * bi[i] - e, m: &state.mBi[i], v: &state.vBi[i], rate: gamma,
                                constants: c, c1: c1i, c2: c2i)
                }
                let mpu = mBase + u * k, vpu = mBase + vPo + u * k
                let mqi = mBase + mQo + i * k, vqi = mBase + vQo + i * k
                var f = 0
                let eV = SIMD8<Float>(repeating: e)
                while f + 8 <= k {
                    var pv = UnsafeRawPointer(pu + f).loadUnaligned(as: SIMD8<Float>.self)
                    var qv = UnsafeRawPointer(qi + f).loadUnaligned(as: SIMD8<Float>.self)
                    var mp = UnsafeRawPointer(mpu + f).loadUnaligned(as: SIMD8<Float>.self)
                    var vp = UnsafeRawPointer(vpu + f).loadUnaligned(as: SIMD8<Float>.self)
                    var mq = UnsafeRawPointer(mqi + f).loadUnaligned(as: SIMD8<Float>.self)
                    var vq = UnsafeRawPointer(vqi + f).loadUnaligned(as: SIMD8<Float>.self)
                    let gp = lambda.p * pv - eV * qv, gq = lambda.q * qv - eV * pv
                    Rule.update(&pv, gradient: gp, m: &mp, v: &vp, rate: gamma, constants: c, c1: c1u, c2: c2u)
                    Rule.update(&qv, gradient: gq, m: &mq, v: &vq, rate: gamma, constants: c, c1: c1i, c2: c2i)
                    UnsafeMutableRawPointer(pu + f).storeBytes(of: pv, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(qi + f).storeBytes(of: qv, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(mpu + f).storeBytes(of: mp, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(vpu + f).storeBytes(of: vp, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(mqi + f).storeBytes(of: mq, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(vqi + f).storeBytes(of: vq, as: SIMD8<Float>.self)
                    f += 8
                }
                for f in f..<k {
                    let pf = pu[f], qf = qi[f]
                    Rule.update(&pu[f], gradient: lambda.p * pf - e * qf, m: &mpu[f], v: &vpu[f], rate: gamma, constants: c, c1: c1u, c2: c2u)
                    Rule.update(&qi[f], gradient: lambda.q * qf - e * pf, m: &mqi[f], v: &vqi[f], rate: gamma, constants: c, c1: c1i, c2: c2i)
                }
            }
        }}}
        return sse
    }

    /// The learning rate an optimizer uses when `learning-rate` is not given: the model's own for plain SGD, and
    /// rates found on MovieLens 100k for the adaptive rules.
    static func defaultLearningRate(for rule: StepRule, plain: Float) -> Float {
        switch rule {
        case .sgd: return plain
        case .momentum: return plain * 0.1
        case .adagrad: return 0.05
        case .rmsprop: return 0.001
        case .adam: return 0.003
        }
    }
}

/// The objective whose per-rating gradients are the SGD steps of `sgd-mf` and `biased-mf`: the full regularized
/// squared error, summed over the observed ratings,
///
///     J = sum_{(u,i)} [ 1/2 e_ui^2 + lambda_P/2 ||p_u||^2 + lambda_Q/2 ||q_i||^2 + lambda_ub/2 b_u^2 + lambda_ib/2 b_i^2 ]
///
/// with e_ui = r_ui - mu - b_u - b_i - p_u . q_i (no mu or biases for `sgd-mf`). The parameters are flat: P (users x
/// k), Q (items x k), then b_u and b_i when biased.
public struct MatrixFactorizationObjective: FusedObjective, Sendable {
    let users: [Int32], items: [Int32], values: [Float]
    let userCount: Int, itemCount: Int
    /// Whether biases are part of the model.
    public let biased: Bool
    /// k.
    public let factors: Int
    let mu: Double
    let lambdaP: Double, lambdaQ: Double, lambdaUB: Double, lambdaIB: Double

    /// The objective of `configuration` on `data`.
    public init(_ configuration: SGDMatrixFactorization, data: RatingMatrix) {
        (users, items, values) = data.triples()
        userCount = data.userCount
        itemCount = data.itemCount
        biased = configuration.biased
        factors = configuration.factors
        mu = biased ? Double(data.globalMean) : 0
        lambdaP = Double(configuration.userRegularization)
        lambdaQ = Double(configuration.itemRegularization)
        lambdaUB = Double(configuration.userBiasRegularization)
        lambdaIB = Double(configuration.itemBiasRegularization)
    }

    public var parameterCount: Int { (userCount + itemCount) * factors + (biased ? userCount + itemCount : 0) }

    /// J and its gradient (the sum of the per-rating gradients).
    public func evaluate(_ x: [Double], gradient g: inout [Double]) -> Double {
        let k = factors, qOffset = userCount * k, buOffset = (userCount + itemCount) * k, biOffset = buOffset + userCount
        for j in 0..<g.count { g[j] = 0 }
        var cost = 0.0
        for n in 0..<values.count {
            let u = Int(users[n]), i = Int(items[n])
            let pu = u * k, qi = qOffset + i * k
            var prediction = mu
            var pp = 0.0, qq = 0.0
            for f in 0..<k {
                prediction += x[pu + f] * x[qi + f]
                pp += x[pu + f] * x[pu + f]
                qq += x[qi + f] * x[qi + f]
            }
            if biased { prediction += x[buOffset + u] + x[biOffset + i] }
            let e = Double(values[n]) - prediction
            cost += 0.5 * e * e + 0.5 * lambdaP * pp + 0.5 * lambdaQ * qq
            for f in 0..<k {
                g[pu + f] += lambdaP * x[pu + f] - e * x[qi + f]
                g[qi + f] += lambdaQ * x[qi + f] - e * x[pu + f]
            }
            if biased {
                let bu = x[buOffset + u], bi = x[biOffset + i]
                cost += 0.5 * lambdaUB * bu * bu + 0.5 * lambdaIB * bi * bi
                g[buOffset + u] += lambdaUB * bu - e
                g[biOffset + i] += lambdaIB * bi - e
            }
        }
        return cost
    }
}
