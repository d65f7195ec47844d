import Foundation
import Latent

/// What `--model` names: a model to train (a name from `latent models`) or a model saved by `latent train` (a file).
///
/// `evaluate` takes either; `train` and `tune` take a name; `predict`, `recommend` and `similar` take a file. Each
/// says which in its help, and a value of the other kind is refused with a message that says what was expected.
enum ModelReference {
    case name(ModelDescriptor)
    case file(any Recommender, path: String)

    /// Resolves `text`: an existing file is a saved model, anything else must be a model name.
    static func resolve(_ text: String) throws -> ModelReference {
        if isFile(text) { return .file(try ModelRegistry.load(from: URL(fileURLWithPath: text)), path: text) }
        guard let descriptor = try? ModelRegistry.descriptor(named: text) else { throw OptionError(neither(text)) }
        return .name(descriptor)
    }

    /// The message for a `--model` that is neither a name nor a file.
    static func neither(_ text: String) -> String {
        "--model '\(text)' is neither a model name (\(ModelRegistry.names.joined(separator: ", "))) nor a model file: there is no file \(text)"
    }

    /// The model named `text`; a model file instead of a name is refused with what the command expects.
    static func descriptor(_ text: String) throws -> ModelDescriptor {
        if isFile(text), !ModelRegistry.names.contains(text) {
            throw OptionError("--model takes a model name (\(ModelRegistry.names.joined(separator: ", "))), and '\(text)' is a file; a saved model is evaluated by `latent evaluate --model \(text) --test FILE`")
        }
        return try ModelRegistry.descriptor(named: text)
    }

    /// Loads the model file `path`; a model name instead of a file is refused with what the command expects.
    static func loadFile(_ path: String) throws -> any Recommender {
        if !isFile(path), ModelRegistry.names.contains(path) {
            throw OptionError("--model takes a model file written by `latent train`, and '\(path)' is a model name: train it first (latent train --model \(path) --data FILE --output MODEL)")
        }
        return try ModelRegistry.load(from: URL(fileURLWithPath: path))
    }

    /// Whether `path` names an existing file (not a folder).
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The task a saved model is judged by: its descriptor's, else rating when it clips to a scale.
    static func task(of model: any Recommender) -> ModelTask {
        if let d = try? ModelRegistry.descriptor(named: model.name) { return d.task }
        return model.domain.ratingScale == nil ? .ranking : .rating
    }
}
