import Foundation
import Latent

/// Protocol R: train on uN.base, predict uN.test (clipped to 1...5), N in the folds; mean RMSE, MAE and fit time.
enum RatingsBenchmark {
    struct Row: Codable {
        var model: String
        var rmse: Double
        var mae: Double
        var fitSeconds: Double
        var folds: [Fold]
        var hyperparameters: [String: String]

        enum CodingKeys: String, CodingKey {
            case model, rmse, mae, folds, hyperparameters
            case fitSeconds = "fit_seconds"
        }
    }

    struct Report: Codable {
        var `protocol` = "R"
        var threads: Int
        var models: [Row]
    }

    struct Fold: Codable {
        var fold: Int
        var rmse: Double
        var mae: Double
        var fitSeconds: Double

        enum CodingKeys: String, CodingKey {
            case fold, rmse, mae
            case fitSeconds = "fit_seconds"
        }
    }

    static func run(_ arguments: [String]) throws {
        let options = try BenchOptions(arguments, defaultModels: ["content", "cofi", "als", "sgd-mf", "biased-mf"])
        guard let dir = options.data else { throw BenchError.usage("ratings needs --data DIR (MovieLens 100k)") }
        let itemFile = dir.appendingPathComponent("u.item")
        let features = FileManager.default.fileExists(atPath: itemFile.path) ? try ItemFeatures.read(itemFile) : nil
        let scale: ClosedRange<Float> = 1...5
        var splits: [(Int, RatingMatrix, RatingSet)] = []
        for n in options.folds {
            let (train, _) = try RatingReader.read(dir.appendingPathComponent("u\(n).base"))
            if options.validation {
                let part = Splits.holdout(train, testFraction: 0.1, seed: UInt64(n))
                splits.append((n, RatingMatrix(part.train, keepingTimes: true), part.test))
                continue
            }
            let (test, _) = try RatingReader.read(dir.appendingPathComponent("u\(n).test"))
            // The times are kept for the models that learn from them (bayesian-svdpp with time-bins); the others ignore them.
            splits.append((n, RatingMatrix(train, keepingTimes: true), test))
        }
        let descriptors = try options.models.map { try ModelRegistry.descriptor(named: $0) }
        for name in options.shared.keys.sorted() where !descriptors.contains(where: { $0.accepts(name) }) {
            throw BenchError.usage("no listed model has the hyperparameter '\(name)'")
        }
        var rows: [Row] = []
        for name in options.models {
            let descriptor = try ModelRegistry.descriptor(named: name)
            let h = options.hyperparameters(for: descriptor)
            var folds: [Fold] = []
            for (n, train, test) in splits {
                let context = TrainingContext(seed: options.seed, threads: options.threads, ratingScale: scale)
                let start = DispatchTime.now().uptimeNanoseconds
                let model = try descriptor.fit(train, inputs: ModelInputs(itemFeatures: features), hyperparameters: h, context: context)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let e = model.evaluateRatings(on: test)
                folds.append(Fold(fold: n, rmse: e.rmse, mae: e.mae, fitSeconds: seconds))
                if !options.json {
                    FileHandle.standardError.write(Data(String(format: "  %@ u%d: RMSE %.4f MAE %.4f fit %.2fs\n", name, n, e.rmse, e.mae, seconds).utf8))
                }
            }
            let count = Double(folds.count)
            rows.append(Row(model: name, rmse: folds.map(\.rmse).reduce(0, +) / count, mae: folds.map(\.mae).reduce(0, +) / count,
                            fitSeconds: folds.map(\.fitSeconds).reduce(0, +) / count, folds: folds, hyperparameters: h.values))
        }
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Report(threads: options.threads, models: rows)), as: UTF8.self))
        } else {
            print("protocol R\(options.validation ? " VALIDATION (10% of each uN.base)" : "") (MovieLens 100k, folds \(options.folds.map(String.init).joined(separator: ",")), threads \(options.threads))")
            print("model".padding(toLength: 12, withPad: " ", startingAt: 0) + "    RMSE     MAE   fit s/fold  hyperparameters")
            for r in rows {
                let hp = r.hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print(r.model.padding(toLength: 12, withPad: " ", startingAt: 0)
                      + String(format: "  %.4f  %.4f  %9.3f", r.rmse, r.mae, r.fitSeconds) + "  " + (hp.isEmpty ? "defaults" : hp))
            }
        }
    }
}
