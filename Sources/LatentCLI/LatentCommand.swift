import ArgumentParser
import Latent

/// The `latent` command: train, evaluate and use latent-factor recommenders from files. Asynchronous (for `serve`):
/// ArgumentParser runs an async root command only with this availability.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct LatentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Train, evaluate and serve latent-factor recommenders.",
        subcommands: [
            DemoCommand.self, TrainCommand.self, EvaluateCommand.self, PredictCommand.self, RecommendCommand.self,
            SimilarCommand.self, InfoCommand.self, ModelsCommand.self, GenerateCommand.self, GradcheckCommand.self,
            ExportCommand.self, ImportCommand.self, ServeCommand.self,
        ]
    )

    public init() {}
}
