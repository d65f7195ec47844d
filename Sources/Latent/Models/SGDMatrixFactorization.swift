import LatentKernels

/// Matrix factorization by stochastic gradient descent, with or without biases (the course notes' `sgd-mf` and
/// `biased-mf`).
///
/// One observed rating at a time, in a seeded shuffled order, with e = r - prediction:
///
///     b_u += gamma (e - lambda_ub b_u)          b_i += gamma (e - lambda_ib b_i)
///     p_u += gamma (e q_i - lambda_P p_u)        q_i += gamma (e p_u - lambda_Q q_i)
///
/// (both factor updates use the values from before the step). The learning rate gamma follows `schedule` over the
/// epochs (by default multiplied by a decay after every epoch). Factors start as small normal draws.
public struct SGDMatrixFactorization: Sendable {
    /// Whether the model has a global mean and user and item biases (`biased-mf`) or only factors (`sgd-mf`).
    public var biased: Bool
    /// The number of latent factors k.
    public var factors: Int
    /// The number of passes over the ratings (epochs).
    public var iterations: Int
    /// The initial learning rate gamma.
    public var learningRate: Float
    /// How the learning rate changes over the epochs.
    public var schedule: LearningRateSchedule
    /// lambda_P, the regularization of the user factors.
    public var userRegularization: Float
    /// lambda_Q, the regularization of the item factors.
    public var itemRegularization: Float
    /// lambda_ub, the regularization of the user biases.
    public var userBiasRegularization: Float
    /// lambda_ib, the regularization of the item biases.
    public var itemBiasRegularization: Float
    /// The standard deviation of the initial factors.
    public var initialScale: Float
    /// The side of the grid of blocks for parallel SGD, or nil to choose it from the size of the data. The model
    /// depends on the grid, never on the thread count.
    public var grid: Int?
    /// The update rule: plain SGD (the notes' rules above, the default) or an adaptive one (see SGDOptimizers.swift).
    public var optimizer: StepRule = .sgd
    /// How the objective is minimized: one rating at a time (`sgd`, the notes' rules) or on the full gradient of the
    /// summed objective (batch gradient descent or L-BFGS, DESIGN item 8), for `iterations` iterations.
    public var solver: Solver = .sgd

    /// The ways to minimize the objective.
    public enum Solver: String, Sendable, CaseIterable {
        /// Stochastic gradient descent, one rating at a time (with `optimizer`'s rule).
        case sgd
        /// Batch gradient descent on the full gradient, with `optimizer`'s rule, learning rate following `schedule`.
        case gd
        /// L-BFGS on the full gradient (no learning rate).
        case lbfgs
    }

    /// The defaults of `biased-mf`, chosen on validation parts carved from MovieLens 100k's u1..u5.base (see the README).
    public static let biasedDefaults = SGDMatrixFactorization(
        biased: true, factors: 300, iterations: 40, learningRate: 0.025, schedule: .exponential(decay: 0.93), userRegularization: 0.08,
        itemRegularization: 0.08, userBiasRegularization: 0.01, itemBiasRegularization: 0.01, initialScale: 0.02)

    /// The defaults of `sgd-mf`.
    public static let plainDefaults = SGDMatrixFactorization(
        biased: false, factors: 50, iterations: 60, learningRate: 0.01, schedule: .exponential(decay: 0.96), userRegularization: 0.1,
        itemRegularization: 0.1, userBiasRegularization: 0, itemBiasRegularization: 0, initialScale: 0.1)

    /// The model's name.
    public var name: String { biased ? "biased-mf" : "sgd-mf" }

    /// Trains on `data`.
    ///
    /// The ratings are cut into a G x G grid of blocks by user group and item group (groups balanced by rating
    /// count, seeded; G from the size of the data, see `gridSize(ratings:users:items:)`). Sub-epoch s runs the G
    /// blocks (g, (g + s) mod G), which share no user and no item: no two threads touch the same factors (LibMF's
    /// blocked scheme). The threads do not wait at the end of a sub-epoch: a block starts as soon as the blocks before
    /// it in its user group and its item group are done (``SGDSchedule``), which keeps every shared parameter's
    /// updates in the order of the sub-epochs, so the model depends on the seed and the grid, not on the thread count
    /// or on timing. Adaptive optimizers run serially.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> FactorModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        var rng = SeededGenerator(seed: context.seed)
        let k = factors
        var p = Matrix(rows: data.userCount, columns: k, normalStandardDeviation: initialScale, using: &rng)
        var q = Matrix(rows: data.itemCount, columns: k, normalStandardDeviation: initialScale, using: &rng)
        var bu = [Float](repeating: 0, count: biased ? data.userCount : 0)
        var bi = [Float](repeating: 0, count: biased ? data.itemCount : 0)
        let mu: Float = biased ? data.globalMean : 0
        if solver != .sgd {
            return try fitBatch(data, context: context, p: p, q: q, mu: mu)
        }
        if optimizer != .sgd {
            return try fitAdaptive(data, context: context, rng: &rng, p: &p, q: &q, bu: &bu, bi: &bi, mu: mu)
        }
        let grid = self.grid ?? Self.gridSize(ratings: data.count, users: data.userCount, items: data.itemCount)
        // One block: a fresh random order every epoch. Several: each block is ordered once (seeded, by user runs),
        // and the randomness of later epochs comes from the order of the sub-epochs (LibMF's partial randomness),
        // which keeps each block streaming through memory.
        let reshuffle = grid == 1
        let blocks = reshuffle ? [] : Self.blocks(data, grid: grid, using: &rng)
        var all = reshuffle ? Self.ratings(data) : []
        let rates = schedule.rates(initial: learningRate, epochs: iterations)
        // Train on rows padded to whole SIMD lanes; the padding stays zero (see `pass`).
        let stride = (k + 7) / 8 * 8
        var pPadded = Self.restride(p.storage, rows: p.rows, from: k, to: stride)
        var qPadded = Self.restride(q.storage, rows: q.rows, from: k, to: stride)
        let step = Step(gamma: 0, lambdaP: userRegularization, lambdaQ: itemRegularization,
                        lambdaUB: userBiasRegularization, lambdaIB: itemBiasRegularization, stride: stride, mu: mu)
        let threads = max(1, min(context.threads, grid))
        // A listener that wants the model after each epoch gets it between two runs of one epoch each; otherwise all
        // epochs are one run, and the blocks of an epoch start while the last ones of the epoch before finish.
        let snapshots = context.progress != nil && context.wantsSnapshots
        var done = 0
        while done < iterations {
            let epochs = snapshots ? 1 : iterations - done
            // Each epoch's schedule: sub-epochs in a seeded order; sub-epoch s runs the `grid` blocks
            // (g, (g + s) mod grid), which share no user and no item (see SGDSchedule).
            var shifts: [Int] = [], seeds: [UInt64] = [], gammas: [Float] = []
            for e in 0..<epochs {
                var subEpochs = Array(0..<grid)
                rng.shuffle(&subEpochs)
                shifts += subEpochs
                seeds.append(rng.next())
                gammas.append(rates[done + e])
            }
            let schedule = SGDSchedule(grid: grid, shifts: shifts), epochSeeds = seeds, epochGammas = gammas
            let cells = grid * grid
            var blockSSE = [Double](repeating: 0, count: epochs * cells)
            var epochSSE = [Double](repeating: .nan, count: epochs)
            let (first, total) = (done, iterations)
            pPadded.withUnsafeMutableBufferPointer { pb in
            qPadded.withUnsafeMutableBufferPointer { qb in
            bu.withUnsafeMutableBufferPointer { bub in
            bi.withUnsafeMutableBufferPointer { bib in
            blockSSE.withUnsafeMutableBufferPointer { sseb in
            epochSSE.withUnsafeMutableBufferPointer { epochb in
            all.withUnsafeMutableBufferPointer { allb in
            blocks.withUnsafeBufferPointer { blockb in
                // An empty array may still have a base address: biases are absent exactly when the model has none.
                let factors = SharedFactors(p: pb.baseAddress!, q: qb.baseAddress!, bu: biased ? bub.baseAddress : nil,
                                            bi: biased ? bib.baseAddress : nil)
                let sse = SharedPointer(sseb.baseAddress!), epochTotal = SharedPointer(epochb.baseAddress!)
                let shared = SharedBlocks(blocks: blockb, ratings: allb)
                schedule.run(threads: threads, body: { j, g in
                    let e = j / grid, b = schedule.block(subEpoch: j, row: g)
                    var s = step
                    s.gamma = epochGammas[e]
                    if reshuffle {
                        var blockRNG = SeededGenerator(seed: epochSeeds[e] &+ UInt64(b))
                        blockRNG.shuffle(shared.ratings)
                        sse[e * cells + b] = Self.pass(UnsafeBufferPointer(shared.ratings), factors, s)
                    } else {
                        sse[e * cells + b] = Self.pass(shared.blocks[b], factors, s)
                    }
                }, finished: { j in
                    // The end of an epoch: its loss, summed in block order; a listener without snapshots hears it here.
                    guard (j + 1) % grid == 0 else { return true }
                    let e = j / grid
                    var sum: Double = 0
                    for b in 0..<cells { sum += sse[e * cells + b] }
                    epochTotal[e] = sum
                    guard sum.isFinite else { return false }
                    if !snapshots {
                        context.report(TrainingProgress(step: first + e + 1, total: total, loss: (sum / Double(data.count)).squareRoot()))
                    }
                    return true
                })
            }}}}}}}}
            for e in 0..<epochs {
                guard epochSSE[e].isFinite else { throw TrainingError.diverged(epoch: done + e + 1, learningRate: gammas[e]) }
            }
            done += epochs
            if snapshots {
                let stop = context.report(TrainingProgress(step: done, total: iterations, loss: (epochSSE[0] / Double(data.count)).squareRoot())) {
                    var (ps, qs) = (p, q)
                    ps.storage = Self.restride(pPadded, rows: p.rows, from: stride, to: k)
                    qs.storage = Self.restride(qPadded, rows: q.rows, from: stride, to: k)
                    return model(data, context: context, mu: mu, bu: bu, bi: bi, p: ps, q: qs)
                }
                if stop { break }
            }
        }
        p.storage = Self.restride(pPadded, rows: p.rows, from: stride, to: k)
        q.storage = Self.restride(qPadded, rows: q.rows, from: stride, to: k)
        guard p.isFinite, q.isFinite else { throw TrainingError.diverged(epoch: iterations, learningRate: learningRate) }
        return model(data, context: context, mu: mu, bu: bu, bi: bi, p: p, q: q)
    }

    /// The side of the block grid: 1 (plain SGD in a fresh random order each epoch) for small data; for large data
    /// enough blocks that a block's factor rows stay in cache. It depends on the data only, never on the thread
    /// count, and the blocks of a sub-epoch are independent, so every thread count gives the same model.
    static func gridSize(ratings: Int, users: Int, items: Int) -> Int {
        guard ratings >= 1_000_000 else { return 1 }
        return max(1, min(16, users, items, Int((Double(ratings) / 250_000).squareRoot())))
    }

    /// Batch training: gradient descent (with the step rule `optimizer`) or L-BFGS on ``MatrixFactorizationObjective``
    /// from the same initial factors.
    private func fitBatch(_ data: RatingMatrix, context: TrainingContext, p: Matrix, q: Matrix, mu: Float) throws -> FactorModel {
        try optimizer.check(solver: solver.rawValue, takesSteps: solver == .gd)
        let objective = MatrixFactorizationObjective(self, data: data)
        let users = data.userCount, items = data.itemCount, k = factors
        var x0 = p.storage.map(Double.init) + q.storage.map(Double.init)
        if biased { x0 += [Double](repeating: 0, count: users + items) }
        let report: (Int, Double) -> Void = { t, value in
            context.report(TrainingProgress(stage: "iteration", step: t, total: iterations, loss: value))
        }
        let result: MinimizationResult
        // An exponential decay in Float, as the SGD passes take it.
        let decay = if case let .exponential(d) = schedule { LearningRateSchedule.exponential(decay: Double(Float(d))) } else { schedule }
        switch solver {
        case .gd:
            result = try GradientDescent.minimize(
                x0, rule: optimizer, learningRate: Double(learningRate), schedule: decay, iterations: iterations,
                progress: report) { objective.evaluate($0, gradient: &$1) }
        case .lbfgs, .sgd:
            result = try LBFGS.minimize(x0, options: LBFGS.Options(maxIterations: iterations), progress: report) {
                objective.evaluate($0, gradient: &$1)
            }
        }
        let x = result.x.map(Float.init)
        let qOffset = users * k, bOffset = (users + items) * k
        return model(data, context: context, mu: mu, bu: biased ? Array(x[bOffset..<(bOffset + users)]) : [],
                     bi: biased ? Array(x[(bOffset + users)..<(bOffset + users + items)]) : [],
                     p: Matrix(rows: users, columns: k, storage: Array(x[0..<qOffset])),
                     q: Matrix(rows: items, columns: k, storage: Array(x[qOffset..<bOffset])))
    }

    /// Training with an adaptive rule (momentum, AdaGrad, RMSProp, Adam): one thread, a fresh random order each epoch.
    private func fitAdaptive(_ data: RatingMatrix, context: TrainingContext, rng: inout SeededGenerator, p: inout Matrix,
                             q: inout Matrix, bu: inout [Float], bi: inout [Float], mu: Float) throws -> FactorModel {
        let k = factors
        let (users, items, values) = data.triples()
        var order = [Int32](0..<Int32(data.count))
        let rates = schedule.rates(initial: learningRate, epochs: iterations)
        let constants = StepConstants<Float>()
        var state = AdaptiveState(users: data.userCount, items: data.itemCount, k: k, biased: biased, constants: constants)
        for epoch in 1...max(1, iterations) where iterations > 0 {
            let gamma = rates[epoch - 1]
            rng.shuffle(&order)
            let sse = SGDMatrixFactorization.adaptiveEpoch(
                rule: optimizer, constants: constants, state: &state, order: order, users: users, items: items,
                values: values, mu: mu, p: &p.storage, q: &q.storage, bu: &bu, bi: &bi, k: k, gamma: gamma,
                lambdaP: userRegularization, lambdaQ: itemRegularization, lambdaUB: userBiasRegularization,
                lambdaIB: itemBiasRegularization)
            guard sse.isFinite else { throw TrainingError.diverged(epoch: epoch, learningRate: gamma) }
            let stop = context.report(TrainingProgress(step: epoch, total: iterations, loss: (sse / Double(data.count)).squareRoot())) {
                model(data, context: context, mu: mu, bu: bu, bi: bi, p: p, q: q)
            }
            if stop { break }
        }
        guard p.isFinite, q.isFinite else { throw TrainingError.diverged(epoch: iterations, learningRate: learningRate) }
        return model(data, context: context, mu: mu, bu: bu, bi: bi, p: p, q: q)
    }

    /// The model with the given parameters: the trained one, or as training reports it after an epoch
    /// (``TrainingContext/report(_:snapshot:)``).
    private func model(_ data: RatingMatrix, context: TrainingContext, mu: Float, bu: [Float], bi: [Float], p: Matrix,
                          q: Matrix) -> FactorModel {
        FactorModel(name: name, domain: ModelDomain(data, ratingScale: context.ratingScale, task: .rating), hyperparameters: hyperparameters,
                    globalMean: mu, userBias: bu, itemBias: bi, userFactors: p, itemFactors: q,
                    foldIn: .ridge(lambda: userRegularization))
    }

    /// One rating, packed so an epoch streams through contiguous memory: (user, item, value), 12 bytes, the C
    /// kernel's `latent_rating`.
    typealias Rating = latent_rating

    /// The step size and penalties of one SGD update, and the layout of the factor rows.
    struct Step {
        var gamma: Float
        var lambdaP: Float, lambdaQ: Float, lambdaUB: Float, lambdaIB: Float
        var stride: Int
        var mu: Float
    }

    /// The blocks (read only) and the unblocked ratings (shuffled in place each epoch), shared by the threads: the
    /// schedule gives each block to one thread at a time, and the unblocked ratings are the grid's only block.
    struct SharedBlocks {
        let blocks: UnsafeBufferPointer<Block>
        let ratings: UnsafeMutableBufferPointer<Rating>
    }

    /// The factor and bias arrays, shared by the threads of a sub-epoch, which update disjoint rows of them.
    struct SharedFactors {
        let p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>
        let bu: UnsafeMutablePointer<Float>?, bi: UnsafeMutablePointer<Float>?
    }

    /// A run of one user's ratings in a block: the user and the number of entries (the C kernel's `latent_run`).
    typealias Run = latent_run
    /// One rating of a block without its user, 8 bytes: item and value (the C kernel's `latent_entry`).
    typealias Entry = latent_entry

    /// One block of the grid: its ratings grouped by user, each user's in one run.
    struct Block {
        /// The runs, one per user of the block, users in a seeded order.
        var runs: [Run] = []
        /// The item and value of each rating, run after run, each run in a seeded order.
        var entries: [Entry] = []

        /// The block's ratings in order, as (user, item, value).
        var ratings: [Rating] {
            var out: [Rating] = []
            var n = 0
            for run in runs {
                for e in entries[n..<(n + Int(run.count))] { out.append(Rating(user: run.user, item: e.item, value: e.value)) }
                n += Int(run.count)
            }
            return out
        }
    }

    /// The ratings cut into a `grid` x `grid` grid of blocks: block (g, h) holds the ratings of user group g and item
    /// group h. Groups are filled greedily in a seeded order, each user (item) joining the group with the fewest
    /// ratings so far, so the blocks of a sub-epoch carry similar work. Within a block the users come in one seeded
    /// order and each user's ratings form one run in a seeded order (LibMF also sorts its blocks by user after
    /// shuffling the user ids): the user's factors stay in registers through the run, and the item factors that a
    /// block touches stay in cache.
    static func blocks(_ data: RatingMatrix, grid: Int, using rng: inout SeededGenerator) -> [Block] {
        func groups(_ counts: [Int]) -> [Int] {
            guard grid > 1 else { return [Int](repeating: 0, count: counts.count) }
            var order = Array(counts.indices)
            rng.shuffle(&order)
            order.sort { counts[$0] > counts[$1] }  // largest first; ties keep the seeded order (sort is stable)
            var load = [Int](repeating: 0, count: grid)
            var group = [Int](repeating: 0, count: counts.count)
            for x in order {
                let g = load.indices.min { load[$0] < load[$1] }!
                group[x] = g
                load[g] += counts[x]
            }
            return group
        }
        let userGroup = groups((0..<data.userCount).map { data.byUser.count(of: $0) })
        let itemGroup = groups(data.itemCounts())
        var userOrder = Array(0..<data.userCount)
        rng.shuffle(&userOrder)
        // Each block allocated at its size: the blocks hold the ratings once more, 8 bytes each, and a run per user.
        let rows = data.byUser
        var sizes = [Int](repeating: 0, count: grid * grid), runCounts = sizes
        var lastUser = [Int](repeating: -1, count: grid * grid)
        for u in 0..<data.userCount {
            for n in rows.range(of: u) {
                let b = userGroup[u] * grid + itemGroup[Int(rows.indices[n])]
                sizes[b] += 1
                if lastUser[b] != u {
                    lastUser[b] = u
                    runCounts[b] += 1
                }
            }
        }
        var blocks = (0..<(grid * grid)).map { b in
            var block = Block()
            block.entries.reserveCapacity(sizes[b])
            block.runs.reserveCapacity(runCounts[b])
            return block
        }
        for u in userOrder {
            let row = userGroup[u] * grid
            for n in rows.range(of: u) {
                let i = rows.indices[n]
                let b = row + itemGroup[Int(i)]
                if blocks[b].runs.last?.user != Int32(u) { blocks[b].runs.append(Run(user: Int32(u), count: 0)) }
                blocks[b].runs[blocks[b].runs.count - 1].count += 1
                blocks[b].entries.append(Entry(item: i, value: rows.values[n]))
            }
        }
        for b in blocks.indices {
            let runs = blocks[b].runs
            blocks[b].entries.withUnsafeMutableBufferPointer { entries in
                var n = 0
                for run in runs {
                    let end = n + Int(run.count)
                    rng.shuffle(UnsafeMutableBufferPointer(rebasing: entries[n..<end]))
                    n = end
                }
            }
        }
        return blocks
    }

    /// All ratings in one array in row order, for training without blocks (each epoch shuffles it anew).
    static func ratings(_ data: RatingMatrix) -> [Rating] {
        var out: [Rating] = []
        out.reserveCapacity(data.count)
        let rows = data.byUser
        for u in 0..<data.userCount {
            for n in rows.range(of: u) { out.append(Rating(user: Int32(u), item: rows.indices[n], value: rows.values[n])) }
        }
        return out
    }

    /// One pass of SGD over `ratings` in order; returns the sum of squared errors seen before each update.
    ///
    /// The factor rows hold `step.stride` floats, a multiple of 8 with the padding columns zero: a padding
    /// column's gradient is zero, so it stays zero, and every row is processed in whole SIMD8 lanes. Per rating,
    /// with e = r - (mu + b_u + b_i + p_u . q_i) (the dot product in two SIMD8 accumulators, summed left to right):
    /// b_u += gamma (e - lambda_ub b_u), b_i likewise, p_u <- (1 - gamma lambda_P) p_u + gamma e q_i and
    /// q_i <- (1 - gamma lambda_Q) q_i + gamma e p_u (both from the old values). The loop is the C kernel
    /// `latent_sgd_pass` (LatentKernels), built for AVX2, AVX and baseline x86-64 and chosen for the CPU at load
    /// time; every version does the same float operations in the same order, so the model is the same on any CPU.
    static func pass(_ ratings: UnsafeBufferPointer<Rating>, _ f: SharedFactors, _ step: Step) -> Double {
        precondition(step.stride % 8 == 0)
        guard let base = ratings.baseAddress else { return 0 }
        let s = latent_sgd_step(gamma: step.gamma, lambda_p: step.lambdaP, lambda_q: step.lambdaQ,
                                lambda_ub: step.lambdaUB, lambda_ib: step.lambdaIB, mu: step.mu, stride: Int64(step.stride))
        return latent_sgd_pass(base, Int64(ratings.count), f.p, f.q, f.bu, f.bi, s)
    }

    /// The same updates over a block's runs (the C kernel `latent_sgd_pass_runs`): the result of ``pass(_:_:_:)`` on
    /// ``Block/ratings``, with the user's row kept in registers through each run.
    static func pass(_ block: Block, _ f: SharedFactors, _ step: Step) -> Double {
        precondition(step.stride % 8 == 0)
        let s = latent_sgd_step(gamma: step.gamma, lambda_p: step.lambdaP, lambda_q: step.lambdaQ,
                                lambda_ub: step.lambdaUB, lambda_ib: step.lambdaIB, mu: step.mu, stride: Int64(step.stride))
        return block.runs.withUnsafeBufferPointer { runs in
            block.entries.withUnsafeBufferPointer { entries in
                guard let r = runs.baseAddress, let e = entries.baseAddress else { return 0 }
                return latent_sgd_pass_runs(r, Int64(runs.count), e, f.p, f.q, f.bu, f.bi, s)
            }
        }
    }

    /// The instruction set the SGD kernel runs with on this CPU: `avx2`, `avx` or `baseline`.
    public static var kernelName: String { String(cString: latent_sgd_kernel_name()) }

    /// Copies row-major `rows` x `from` values into rows of `to` columns (zero padding or truncation).
    static func restride(_ a: [Float], rows: Int, from: Int, to: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * to)
        let c = min(from, to)
        for r in 0..<rows {
            for j in 0..<c { out[r * to + j] = a[r * from + j] }
        }
        return out
    }
}

extension SGDMatrixFactorization: ModelConfiguration {
    public static var defaults: SGDMatrixFactorization { biasedDefaults }

    /// Without biases (`sgd-mf`), no bias penalties.
    public var declarations: [Hyperparameter<Self>] { biased ? Self.parameters : Self.parameters.filter { !$0.name.contains("bias") } }

    public static let parameters: [Hyperparameter<Self>] = [
        .init("factors", \.factors, in: 1...10_000, "number of latent factors k"),
        .init("iterations", \.iterations, in: 0...100_000, "passes over the ratings (epochs)"),
        .init("optimizer", \.optimizer, "sgd, momentum, adagrad, rmsprop or adam (per-parameter state)"),
        .init("learning-rate", \.learningRate, in: 1e-12...1e12,
              default: { defaultLearningRate(for: $0.optimizer, plain: $0.learningRate) },
              "initial SGD step gamma (the default depends on the optimizer)"),
        .init("schedule", \.schedule, aliases: ["decay=exponential:*"], "learning rate over the epochs (exponential:D: times D after each)"),
        .init("regularization", \.userRegularization, also: [\.itemRegularization], stored: false,
              "lambda for user and item factors"),
        .init("user-regularization", \.userRegularization, "lambda_P, user factors (overrides regularization)"),
        .init("item-regularization", \.itemRegularization, "lambda_Q, item factors (overrides regularization)"),
        .init("bias-regularization", \.userBiasRegularization, also: [\.itemBiasRegularization], stored: false,
              "lambda for user and item biases (biased-mf)"),
        .init("user-bias-regularization", \.userBiasRegularization, "lambda_ub (overrides bias-regularization)"),
        .init("item-bias-regularization", \.itemBiasRegularization, "lambda_ib (overrides bias-regularization)"),
        .init("init-scale", \.initialScale, in: 0...10, "standard deviation of the initial factors"),
        .init("grid", \.grid, in: 1...256, defaultText: "auto", "blocks per side for parallel SGD (auto: 1 below 1M ratings, up to 16)"),
        .init("solver", \.solver, "sgd (one rating at a time), gd (batch gradient descent) or lbfgs, on the full objective; iterations = epochs"),
    ]
}

extension SGDMatrixFactorization.Solver: HyperparameterChoice {}

extension SGDMatrixFactorization: GradientChecked {
    /// The summed objective with 3 factors and four different penalties (the biases' only with biases).
    public func gradientCheck(seed: UInt64) -> GradientCheckResult {
        var c = self
        c.factors = 3
        (c.userRegularization, c.itemRegularization, c.userBiasRegularization, c.itemBiasRegularization) = (0.3, 0.5, 0.2, 0.4)
        return GradientCheck.check(seed: seed) { data, _ in MatrixFactorizationObjective(c, data: data) }
    }
}

extension ModelDescriptor {
    /// `biased-mf`: r ~ mu + b_u + b_i + p_u . q_i by SGD.
    public static let biasedMF = ModelDescriptor(
        name: "biased-mf", summary: "biased matrix factorization by SGD: r ~ mu + b_u + b_i + p_u.q_i", task: .rating,
        defaults: SGDMatrixFactorization.biasedDefaults
    ).withRestarts()

    /// `sgd-mf`: r ~ p_u . q_i by SGD.
    public static let sgdMF = ModelDescriptor(
        name: "sgd-mf", summary: "matrix factorization by SGD: r ~ p_u.q_i", task: .rating,
        defaults: SGDMatrixFactorization.plainDefaults
    ).withRestarts()
}
