import ArgumentParser
import Latent

/// `latent models [NAME] [--json]`: the models and their hyperparameters.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models and their hyperparameters (name, default, range, meaning, aliases).")

    @Argument(help: "One model to describe (all by default).") var name: String?
    @Flag(help: "Print one JSON array: for each model its name, task, summary and hyperparameters.") var json = false

    struct Entry: Encodable {
        var name: String, task: String, summary: String, hyperparameters: [ParameterSpec]
    }

    func run() throws {
        let console = Console.current
        let models = try name.map { [try ModelRegistry.descriptor(named: $0)] } ?? ModelRegistry.all
        if json {
            console.line(try jsonLine(models.map {
                Entry(name: $0.name, task: $0.task.rawValue, summary: $0.summary, hyperparameters: $0.parameters)
            }))
            return
        }
        for (n, d) in models.enumerated() {
            if n > 0 { console.line() }
            console.line("\(d.name)  (\(d.task.rawValue))  \(d.summary)")
            guard !d.parameters.isEmpty else { continue }
            var table = TextTable(["hyperparameter", "default", "range", "meaning", "aliases"])
            for p in d.parameters { table.add([p.name, p.defaultValue, p.allowed, p.meaning, p.aliases.joined(separator: ", ")]) }
            table.render(leftAligned: 5).forEach { console.line("    " + $0) }
        }
    }
}
