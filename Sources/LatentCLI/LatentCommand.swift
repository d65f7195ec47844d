import ArgumentParser
import Latent

/// The `latent` command: train, evaluate and use latent-factor recommenders from files.
public struct LatentCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Train, evaluate and serve latent-factor recommenders.",
        version: LatentCommand.version,
        subcommands: [
            DemoCommand.self, TrainCommand.self, EvaluateCommand.self, TuneCommand.self, PredictCommand.self, DownloadCommand.self, RecommendCommand.self,
            SimilarCommand.self, InfoCommand.self, ModelsCommand.self, GenerateCommand.self, GradcheckCommand.self,
            ExportCommand.self, ImportCommand.self, ServeCommand.self,
        ]
    )

    /// The version `latent --version` prints.
    public static let version = "0.1.0"

    public init() {}
}
