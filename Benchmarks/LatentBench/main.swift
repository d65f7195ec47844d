// Minimal entry point of `latent-bench` on the implicit4 branch; the lead merges it with the main benchmark tool.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "ranking": runRankingBenchmark(arguments: Array(arguments.dropFirst()))
case "ranking-speed": runRankingSpeedBenchmark(arguments: Array(arguments.dropFirst()))
default: fail("usage: latent-bench ranking --data DIR [--models a,b] [--k K]")
}
