import ArgumentParser
import Latent

/// `latent models`: the models and their hyperparameters.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models and their hyperparameters (name, default, meaning).")

    func run() throws {
        let console = Console.current
        for (n, d) in ModelRegistry.all.enumerated() {
            if n > 0 { console.line() }
            console.line("\(d.name)  (\(d.task.rawValue))  \(d.summary)")
            guard !d.parameters.isEmpty else {
                console.line("    no hyperparameters")
                continue
            }
            var table = TextTable(["hyperparameter", "default", "meaning"])
            for p in d.parameters { table.add([p.name, p.defaultValue, p.help]) }
            table.render(leftAligned: 3).forEach { console.line("    " + $0) }
        }
    }
}
