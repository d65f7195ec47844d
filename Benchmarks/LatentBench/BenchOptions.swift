import Foundation
import Latent

/// The options every mode shares, parsed from `--name value` pairs and flags.
struct BenchOptions {
    var data: URL?
    var models: [String] = []
    var folds: [Int] = [1, 2, 3, 4, 5]
    /// Hyperparameters for every model that has them (name -> value), and per model (model -> name -> value).
    var shared: [String: String] = [:]
    var perModel: [String: [String: String]] = [:]
    var threads = 1
    var seed: UInt64 = 42
    var json = false

    init(_ arguments: [String], defaultModels: [String]) throws {
        models = defaultModels
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw BenchError.usage("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--data": data = URL(fileURLWithPath: try value())
            case "--models": models = try value().split(separator: ",").map(String.init)
            case "--folds": folds = try value().split(separator: ",").compactMap { Int($0) }
            case "--threads": threads = Int(try value()) ?? 1
            case "--seed": seed = UInt64(try value()) ?? 42
            case "--json": json = true
            case "--set":
                let pair = try value()
                guard let eq = pair.firstIndex(of: "=") else { throw BenchError.usage("--set wants name=value") }
                let name = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
                if let dot = name.firstIndex(of: "."), models.contains(String(name[..<dot])) || ModelRegistry.names.contains(String(name[..<dot])) {
                    perModel[String(name[..<dot]), default: [:]][String(name[name.index(after: dot)...])] = v
                } else {
                    shared[name] = v
                }
            default: throw BenchError.usage("unknown option \(arguments[i])")
            }
            i += 1
        }
    }

    /// The hyperparameters for `descriptor`: the shared ones it has, then its own.
    func hyperparameters(for descriptor: ModelDescriptor) -> Hyperparameters {
        var values = shared.filter { descriptor.accepts($0.key) }
        for (k, v) in perModel[descriptor.name] ?? [:] { values[k] = v }
        return Hyperparameters(values)
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case data(String)

    var description: String {
        switch self {
        case let .usage(m): return m
        case let .data(m): return m
        }
    }
}
