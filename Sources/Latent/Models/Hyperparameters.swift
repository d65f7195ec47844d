/// The hyperparameters of a model as name-value pairs, the way the command line and model files carry them.
///
/// Each model reads its own with typed accessors that fall back to the model's default and reject values that do
/// not parse or lie outside their range, naming the parameter.
public struct Hyperparameters: Sendable, Equatable {
    /// The values as given, by name.
    public var values: [String: String]

    /// Hyperparameters from name-value pairs.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The value of `name` as a string, or `defaultValue` when absent.
    public func string(_ name: String, default defaultValue: String, allowed: [String]? = nil) throws -> String {
        guard let raw = values[name] else { return defaultValue }
        if let allowed, !allowed.contains(raw) {
            throw TrainingError.invalidHyperparameter(name: name, value: raw, reason: "must be one of \(allowed.joined(separator: ", "))")
        }
        return raw
    }

    /// The value of `name` as an integer in `range`, or `defaultValue` when absent.
    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        guard let raw = values[name] else { return defaultValue }
        guard let v = Int(raw) else {
            throw TrainingError.invalidHyperparameter(name: name, value: raw, reason: "is not a whole number")
        }
        guard range.contains(v) else {
            throw TrainingError.invalidHyperparameter(name: name, value: raw, reason: "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// The value of `name` as a finite number in `range`, or `defaultValue` when absent.
    public func float(_ name: String, default defaultValue: Float, in range: ClosedRange<Float> = 0...Float.greatestFiniteMagnitude) throws -> Float {
        guard let raw = values[name] else { return defaultValue }
        guard let v = Float(raw), v.isFinite else {
            throw TrainingError.invalidHyperparameter(name: name, value: raw, reason: "is not a finite number")
        }
        guard range.contains(v) else {
            throw TrainingError.invalidHyperparameter(name: name, value: raw, reason: "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// The value of `name` as a Boolean (true/false, yes/no, 1/0), or `defaultValue` when absent.
    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = values[name] else { return defaultValue }
        switch raw.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw TrainingError.invalidHyperparameter(name: name, value: raw, reason: "must be true or false")
        }
    }

    /// Throws if a value is named that is not in `known`: a misspelt hyperparameter is an error, not ignored.
    public func checkNames(_ known: [ParameterSpec]) throws {
        let names = Set(known.map(\.name))
        for name in values.keys.sorted() where !names.contains(name) {
            throw TrainingError.unknownHyperparameter(name: name, known: known.map(\.name))
        }
    }
}

/// The description of one hyperparameter: its name, default and meaning, for help texts and validation.
public struct ParameterSpec: Sendable, Equatable {
    /// The name, as given on the command line (`--factors` or `--set factors=64`).
    public let name: String
    /// The default value, as text.
    public let defaultValue: String
    /// What it means.
    public let help: String

    /// A parameter description.
    public init(_ name: String, _ defaultValue: String, _ help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
    }
}
