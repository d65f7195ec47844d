import Foundation
import Latent

// latent-bench MODE [options]: accuracy and speed figures for Latent's models, one file per mode.
//
//   latent-bench ranking --data DIR [--models a,b,...] [--k K] [--set name=value ...] [--validation [--validation-seeds 7,8,9]]
//   latent-bench ranking-speed [--ratings N] [--threads T]
//   latent-bench inverse-speed [--items N] [--threads T]
//   latent-bench ratings --data DIR [--models a,b,...] [--folds 1,2,3,4,5] [--set name=value ...]
//                        [--set model.name=value ...] [--threads N] [--seed S] [--json]

let arguments = Array(CommandLine.arguments.dropFirst())
let modes: [String: ([String]) throws -> Void] = [
    "ratings": RatingsBenchmark.run,
    "ranking": { runRankingBenchmark(arguments: $0) },
    "ranking-speed": { runRankingSpeedBenchmark(arguments: $0) },
    "inverse-speed": { runInverseSpeedBenchmark(arguments: $0) },
]

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("latent-bench: \(message)\n".utf8))
    exit(2)
}

guard let mode = arguments.first, let run = modes[mode] else {
    fail("usage: latent-bench \(modes.keys.sorted().joined(separator: "|")) [options]")
}
do {
    try run(Array(arguments.dropFirst()))
} catch {
    fail("\(error)")
}
