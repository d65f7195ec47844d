import ArgumentParser
import Foundation
import Latent

/// `latent gradcheck --model NAME [--seed S] [--json]`: compares a model's analytic gradient with central
/// differences on a small random problem and prints the largest relative error.
struct GradcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check a model's analytic gradient against central differences on a small random problem.",
        discussion: """
            Models with an analytic gradient: \(GradcheckCommand.models.joined(separator: ", ")). For neural, the \
            backpropagation of the fused GMF and MLP network (binary cross-entropy, tanh hidden layers) on a small \
            random problem.
            """)

    /// The models the command checks: those whose descriptor has a gradient check.
    static let models = ModelRegistry.all.filter { $0.gradientCheck != nil }.map(\.name)

    @Option(help: "The model: \(GradcheckCommand.models.joined(separator: ", ")).")
    var model: String

    @Option(help: "The seed of the random problem.")
    var seed: UInt64 = 42

    @Flag(help: "Print one JSON object: model, max_relative_error, parameters.")
    var json = false

    init() {}

    /// What the command prints.
    func output() throws -> String {
        guard let check = (try? ModelRegistry.descriptor(named: model))?.gradientCheck else {
            let known = GradcheckCommand.models.joined(separator: ", ")
            throw OptionError(ModelRegistry.names.contains(model)
                ? "model '\(model)' has no analytic gradient to check; models with one: \(known)"
                : "unknown model '\(model)'; models with an analytic gradient to check: \(known)")
        }
        let result = check(seed)
        if json {
            let object: [String: Any] = [
                "model": model, "max_relative_error": result.maxRelativeError,
                "max_absolute_error": result.maxAbsoluteError, "parameters": result.parameterCount, "seed": seed,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        return "\(model): max relative error \(String(format: "%.3e", result.maxRelativeError)) over \(result.parameterCount) parameters"
            + " (max absolute \(String(format: "%.3e", result.maxAbsoluteError)))"
    }

    func run() throws {
        Console.current.line(try output())
    }
}
