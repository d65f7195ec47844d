import Foundation
import Latent

/// `latent-bench ranking`: protocol T (MovieLens 100k folds u1..u5, every training pair an interaction, relevant =
/// test rating >= 4, K = 10) for each model, printing the mean over the folds of P@K, R@K, nDCG@K, MAP@K, HR@K, AUC,
/// coverage and fit seconds per fold.
///
///     latent-bench ranking --data ../shared/data/ml-100k --models popularity,implicit-als,ease,bpr,neural --k 10
///         [--folds 1,2,3,4,5] [--threads 2] [--seed 42] [--set name=value ...] [--validation [--validation-seeds 7,8,9]]
///         [--fold-in 50,172,181]
///
/// `--set` passes hyperparameters to every listed model. `--validation` replaces the five folds by one validation
/// split carved from u1.base (a seeded per-user holdout of 20% of each user's ratings), for tuning without touching
/// the test folds; `--validation-seeds` makes one such split per seed (default 7) and reports their mean. `--fold-in` then shows each model's 10 recommendations for a new user who gave those items,
/// from a model fitted on the first training part.
func runRankingBenchmark(arguments: [String]) {
    var dataDirectory = "../shared/data/ml-100k"
    var models = ["popularity", "implicit-als", "ease", "bpr", "neural"]
    var k = 10
    var folds = [1, 2, 3, 4, 5]
    var threads = 2
    var seed: UInt64 = 42
    var values: [String: String] = [:]
    var validation = false
    var validationSeeds: [UInt64] = [7]
    var foldIn: [String] = []
    var i = 0
    func next() -> String {
        i += 1
        guard i < arguments.count else { fail("missing value after \(arguments[i - 1])") }
        return arguments[i]
    }
    while i < arguments.count {
        switch arguments[i] {
        case "--data": dataDirectory = next()
        case "--models": models = next().split(separator: ",").map(String.init)
        case "--k": k = Int(next()) ?? 10
        case "--folds": folds = next().split(separator: ",").compactMap { Int($0) }
        case "--threads": threads = Int(next()) ?? 2
        case "--seed": seed = UInt64(next()) ?? 42
        case "--validation": validation = true
        case "--validation-seeds":
            validationSeeds = next().split(separator: ",").compactMap { UInt64($0) }
            guard !validationSeeds.isEmpty else { fail("--validation-seeds wants seeds like 7,8,9") }
        case "--fold-in": foldIn = next().split(separator: ",").map(String.init)
        case "--set":
            let pair = next().split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { fail("--set wants name=value") }
            values[pair[0]] = pair[1]
        default: fail("unknown option \(arguments[i])")
        }
        i += 1
    }
    let directory = URL(fileURLWithPath: dataDirectory)
    var splits: [(String, TrainTestSplit)] = []
    do {
        if validation {
            let (base, _) = try RatingReader.read(directory.appendingPathComponent("u1.base"))
            splits = try validationSeeds.map {
                ("u1.base-validation" + ($0 == 7 ? "" : "-\($0)"), try RankingSplits.perUserHoldout(base, testFraction: 0.2, seed: $0))
            }
        } else {
            for f in folds {
                let (train, _) = try RatingReader.read(directory.appendingPathComponent("u\(f).base"))
                let (test, _) = try RatingReader.read(directory.appendingPathComponent("u\(f).test"))
                splits.append(("u\(f)", TrainTestSplit(train: train, test: test)))
            }
        }
    } catch {
        fail("cannot read the folds in \(dataDirectory): \(error)")
    }
    print("protocol T: \(splits.map(\.0).joined(separator: ",")), K = \(k), relevant = rating >= 4, threads \(threads)"
          + (values.isEmpty ? "" : ", set \(values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"))
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    func left(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
    print(pad("model", 14) + ["P@\(k)", "R@\(k)", "nDCG@\(k)", "MAP@\(k)", "HR@\(k)", "AUC", "cover"].map { left($0, 8) }.joined()
          + left("fit s/fold", 12))
    for name in models {
        do {
            let descriptor = try ModelRegistry.descriptor(named: name)
            let h = Hyperparameters(values.filter { descriptor.accepts($0.key) })
            let report = try RankingProtocol.crossValidate(
                model: descriptor, hyperparameters: h, splits: splits.map(\.1), k: k, relevanceThreshold: 4,
                context: TrainingContext(seed: seed, threads: threads))
            let m = report.mean
            let figures = [m.precision, m.recall, m.ndcg, m.map, m.hitRate, m.auc, m.coverage]
            print(pad(name, 14) + figures.map { left(String(format: "%.4f", $0), 8) }.joined()
                  + left(String(format: "%.3f", report.fitSeconds), 12))
        } catch {
            print("\(name): \(error)")
        }
    }
    // A new user who gave the `--fold-in` items, against models fitted on the first training part.
    guard !foldIn.isEmpty, let first = splits.first else { return }
    for name in models {
        do {
            let descriptor = try ModelRegistry.descriptor(named: name)
            let model = try descriptor.fit(RatingMatrix(first.1.train.interactions()),
                                           hyperparameters: Hyperparameters(values.filter { descriptor.accepts($0.key) }),
                                           context: TrainingContext(seed: seed, threads: threads))
            let recs = model.recommend(foldingIn: foldIn.map { (item: $0, value: Float(1)) }, count: 10)
            let overlap = Set(recs.map(\.id)).intersection(foldIn)
            print("fold-in \(foldIn.joined(separator: ",")) -> \(name): \(recs.count) items \(recs.map(\.id).joined(separator: " "))"
                  + (overlap.isEmpty ? "" : " (INCLUDES GIVEN ITEMS \(overlap.sorted()))"))
        } catch {
            print("\(name): \(error)")
        }
    }
}

/// `latent-bench ranking-speed`: implicit ALS on the reference synthetic set (70,000 users x 10,000 items x
/// 10,000,000 ratings, every pair an interaction), seconds per sweep, beside implicit's 1.95 s per iteration
/// (64 factors, conjugate gradient, 2 threads) in the protocol notes.
///
///     latent-bench ranking-speed [--threads 2] [--iterations 3] [--factors 64] [--solver cg] [--seed 42]
func runRankingSpeedBenchmark(arguments: [String]) {
    var threads = 2, iterations = 3, factors = 64
    var solver = "cg", seed: UInt64 = 42
    var i = 0
    func next() -> String {
        i += 1
        guard i < arguments.count else { fail("missing value after \(arguments[i - 1])") }
        return arguments[i]
    }
    while i < arguments.count {
        switch arguments[i] {
        case "--threads": threads = Int(next()) ?? 2
        case "--iterations": iterations = Int(next()) ?? 3
        case "--factors": factors = Int(next()) ?? 64
        case "--solver": solver = next()
        case "--seed": seed = UInt64(next()) ?? 42
        default: fail("unknown option \(arguments[i])")
        }
        i += 1
    }
    let clock = ContinuousClock()
    var start = clock.now
    let data = RatingMatrix(SyntheticData.reference(seed: seed).ratingSet().interactions())
    let prepare = start.duration(to: clock.now)
    print("reference synthetic set: \(data.userCount) users, \(data.itemCount) items, \(data.count) distinct pairs (\(prepare) to generate)")
    do {
        let model = try ImplicitALS(Hyperparameters(["factors": "\(factors)", "iterations": "\(iterations)", "solver": solver]))
        start = clock.now
        _ = try model.fit(data, context: TrainingContext(threads: threads))
        let elapsed = start.duration(to: clock.now).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        print(String(format: "implicit-als, %d factors, %@, %d threads: %.2f s per sweep (%d sweeps)", factors,
                     solver as NSString, threads, seconds / Double(max(1, iterations)), iterations))
    } catch {
        fail("\(error)")
    }
}

/// `latent-bench inverse-speed`: EASE's n x n inverse (``Cholesky/inverse(_:n:threads:)``) on a symmetric positive
/// definite matrix of the size of an n-item catalog, G_ij = cos(i + 2 j) + cos(2 i + j) off the diagonal and
/// G_ii = 2 n (diagonally dominant). Compare with numpy's `inv` on the same matrix in the same run:
///
///     latent-bench inverse-speed [--items 10000] [--threads 2]
///     python3 -c 'import numpy as np, time; n = 10000; i = np.arange(n); G = np.cos(i[:, None] + 2 * i) + np.cos(2 * i[:, None] + i);
///                 np.fill_diagonal(G, 2 * n); t = time.perf_counter(); np.linalg.inv(G); print(time.perf_counter() - t)'
func runInverseSpeedBenchmark(arguments: [String]) {
    var n = 10_000, threads = 2
    var i = 0
    while i < arguments.count {
        guard i + 1 < arguments.count, let v = Int(arguments[i + 1]), v > 0 else { fail("bad or missing value after \(arguments[i])") }
        switch arguments[i] {
        case "--items": n = v
        case "--threads": threads = v
        default: fail("unknown option \(arguments[i])")
        }
        i += 2
    }
    var g = [Double](repeating: 0, count: n * n)
    for r in 0..<n {
        for c in 0..<n { g[r * n + c] = r == c ? 2 * Double(n) : cos(Double(r + 2 * c)) + cos(Double(2 * r + c)) }
    }
    let clock = ContinuousClock()
    let start = clock.now
    guard let p = Cholesky.inverse(g, n: n, threads: threads) else { fail("not positive definite") }
    let elapsed = start.duration(to: clock.now).components
    let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    // One row of G P should be e_0.
    var residual = 0.0
    for c in 0..<n {
        var s = 0.0
        for k in 0..<n { s += g[k] * p[k * n + c] }
        residual = max(residual, abs(s - (c == 0 ? 1 : 0)))
    }
    print(String(format: "inverse of a %d x %d SPD matrix, %d threads: %.3f s (max residual of row 0 of G P - I: %.1e)",
                 n, n, threads, seconds, residual))
}
