import Foundation

/// The models Latent knows, by name, and how to read each kind back from a model file.
public enum ModelRegistry {
    /// Every model that can be trained, in the order the command line lists them.
    public static let all: [ModelDescriptor] = [
        .globalMean, .itemMean, .baseline, .sgdMF, .biasedMF,
        .content,
        .cofi,
        .als,
        .bayesianMF,
        .bayesianSVDPlusPlus,
        .svdPlusPlus,
        .popularity,
        .implicitALS,
        .ease,
        .gfcf,
        .itemKNN,
        .rp3beta,
        .blend,
        .bpr,
        .neural,
        .multDAE,
    ]

    /// The names of all models.
    public static var names: [String] { all.map(\.name) }

    /// The model called `name`.
    public static func descriptor(named name: String) throws -> ModelDescriptor {
        guard let d = all.first(where: { $0.name == name }) else {
            throw TrainingError.unknownModel(name: name, known: names)
        }
        return d
    }

    /// The decoders of model archives, by archive kind.
    static let decoders: [String: @Sendable (ModelArchive) throws -> any Recommender] = [
        FactorModel.archiveKind: { try FactorModel(archive: $0) },
        EASEModel.archiveKind: { try EASEModel(archive: $0) },
        ImplicitFactorModel.archiveKind: { try ImplicitFactorModel(archive: $0) },
        ItemGraphModel.archiveKind: { try ItemGraphModel(archive: $0) },
        BlendModel.archiveKind: { try BlendModel(archive: $0) },
        NeuralRecommender.archiveKind: { try NeuralRecommender(archive: $0) },
        MultDAEModel.archiveKind: { try MultDAEModel(archive: $0) },
    ]

    /// The model stored in `archive`. Hyperparameters saved under an old name (an alias) are read under the new one.
    public static func model(from archive: ModelArchive) throws -> any Recommender {
        guard let decode = decoders[archive.kind] else { throw ModelFileError.unknownKind(archive.kind) }
        var archive = archive
        if let d = all.first(where: { $0.name == archive.model }) {
            archive.parameters = Hyperparameters(archive.parameters).renamingAliases(d.parameters).values
            // Written before the task was stored: the model's task, except a ranking model fit to ratings (with a
            // scale) as neural with loss=mse is.
            if archive.strings["domain.task"] == nil {
                let ranking = d.task == .ranking && archive.floats["domain.scale"] == nil
                archive.strings["domain.task"] = [(ranking ? ModelTask.ranking : .rating).rawValue]
            }
        }
        return try decode(archive)
    }

    /// Reads the model saved at `url`.
    public static func load(from url: URL) throws -> any Recommender {
        try model(from: ModelFile.read(from: url))
    }
}

extension Recommender {
    /// The start of every model's ``archive()``: an archive of `kind` with the model's name, its hyperparameters and
    /// its domain, to which the model adds its own arrays.
    public func archive(kind: String) -> ModelArchive {
        var a = ModelArchive(kind: kind, model: name, parameters: hyperparameters.values)
        domain.encode(into: &a)
        return a
    }

    /// Saves the model to `url` atomically (see ``ModelFile`` and ``OutputFile``); `inputs`, the files the model was
    /// made from, are never overwritten.
    public func save(to url: URL, inputs: [URL] = []) throws {
        try ModelFile.write(archive(), to: url, inputs: inputs)
    }
}
