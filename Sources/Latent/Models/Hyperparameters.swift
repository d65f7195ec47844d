/// The hyperparameters of a model as name-value pairs, the way the command line and model files carry them.
///
/// A model reads them through its ``ModelConfiguration``: names are resolved (aliases to names), values parsed and
/// checked against the declared range, naming the parameter when something is wrong.
public struct Hyperparameters: Sendable, Equatable {
    /// The values as given, by name.
    public var values: [String: String]

    /// Hyperparameters from name-value pairs.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The same values under their declared names: an alias becomes its name (and value); a name given twice (as
    /// itself and as an alias) with different values, or a name `specs` does not know, is an error.
    public func canonical(for specs: [ParameterSpec]) throws -> Hyperparameters {
        var out: [String: String] = [:]
        for (given, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let (name, v) = Self.reading(given, value, specs) else {
                throw TrainingError.unknownHyperparameter(name: given, known: specs.map(\.name))
            }
            if let previous = out[name], previous != v {
                throw TrainingError.invalidHyperparameter(name: given, value: value, reason: "is given twice (also as \(previous))")
            }
            out[name] = v
        }
        return Hyperparameters(out)
    }

    /// The same values with every alias in `specs` turned into its name and value (a name given as itself wins), and
    /// every other name kept: how the hyperparameters of a model file written before a rename are read.
    public func renamingAliases(_ specs: [ParameterSpec]) -> Hyperparameters {
        var out: [String: String] = [:]
        for (given, value) in values.sorted(by: { $0.key < $1.key }) {
            let (name, v) = Self.reading(given, value, specs) ?? (given, value)
            out[name] = values[name] ?? v
        }
        return Hyperparameters(out)
    }

    /// The declared name and value that `given=value` means: an alias that rewrites values first (cofi's
    /// `optimizer=lbfgs` is `solver=lbfgs`), then a name or a plain alias; nil when no parameter has it.
    static func reading(_ given: String, _ value: String, _ specs: [ParameterSpec]) -> (String, String)? {
        for spec in specs {
            for alias in spec.aliases where alias.hasPrefix(given + "=") {
                let template = alias.dropFirst(given.count + 1)
                if template.last == "*" { return (spec.name, template.dropLast() + value) }
                if template.split(separator: "|").contains(Substring(value)) { return (spec.name, value) }
            }
        }
        return specs.first { $0.name == given || $0.aliases.contains(given) }.map { ($0.name, value) }
    }
}

/// The description of one hyperparameter, for help texts, `latent models` and name checking.
public struct ParameterSpec: Sendable, Equatable, Codable {
    /// The name, as given on the command line (`--factors` or `--set factors=64`).
    public let name: String
    /// What kind of value it takes: int, float, bool, choice, text, int-list, schedule.
    public let type: String
    /// The default value, as text.
    public let defaultValue: String
    /// The values allowed: a range (`1...10000`) or the choices.
    public let allowed: String
    /// What it means.
    public let meaning: String
    /// Other spellings it is accepted under (old names, the vocabulary's synonyms): `OLD` (the same values),
    /// `OLD=A|B` (OLD with value A or B: this parameter with that value) or `OLD=TEXT*` (OLD=V: this one = TEXTV).
    public let aliases: [String]

    enum CodingKeys: String, CodingKey {
        case name, type, defaultValue = "default", allowed = "range", meaning, aliases
    }
}

/// One hyperparameter of a model, declared once: its name, where it lives in the model's configuration (a key path),
/// its range, its meaning and its aliases. Its type and default come from the key path and from the configuration's
/// ``ModelConfiguration/defaults``. Parsing (`--set`, the command line's flags), printing, `latent models` and what
/// the model file stores all derive from this declaration.
///
/// The style: a model's configuration is a struct with one field per hyperparameter and a `static let defaults`;
/// it conforms to ``ModelConfiguration`` by listing
///
///     static let parameters: [Hyperparameter<Self>] = [
///         .init("factors", \.factors, in: 1...10_000, "number of latent factors k"),
///         .init("iterations", \.iterations, in: 0...100_000, "passes over the data"),
///         .init("regularization", \.regularization, "lambda on the factors"),
///         .init("solver", \.solver, "cg or cholesky"),      // an enum conforming to HyperparameterChoice
///     ]
///
/// and the registry gets `ModelDescriptor(name:summary:task:defaults:)`. Use the vocabulary's names (`factors`,
/// `iterations` for every kind of pass, `regularization` for the main penalty, `bias-regularization`,
/// `learning-rate`, `init-scale`, `solver`); the vocabulary's synonyms (``Hyperparameter/vocabulary``) are added as
/// aliases by themselves. Numbers without a range must be non-negative. `also:` sets further fields to the same
/// value (a penalty for several parts, which their own names override when declared later); `default:` computes a
/// default from the values before it; `stored: false` keeps a group setter out of the model file.
public struct Hyperparameter<Configuration: Sendable>: Sendable {
    /// The name.
    public let name: String
    /// Other names it is accepted under.
    public let aliases: [String]
    /// What it means.
    public let meaning: String
    let type: String
    let allowed: String
    let defaultText: String?
    let stored: Bool
    /// Sets the value of `text` in the configuration, or the computed default when `text` is nil.
    let set: @Sendable (inout Configuration, String?) throws -> Void
    /// The value as text; nil when there is none to store.
    let get: @Sendable (Configuration) -> String?

    /// The synonyms of the vocabulary's names: every declaration of the name accepts them.
    public static var vocabulary: [String: [String]] {
        ["iterations": ["epochs", "sweeps"], "regularization": ["lambda"], "shrinkage": ["shrink"]]
    }

    private init<V: HyperparameterValue>(
        _ name: String, _ path: WritableKeyPath<Configuration, V> & Sendable, also: [WritableKeyPath<Configuration, V> & Sendable],
        allowed: String, check: @escaping @Sendable (V) -> String?, default computed: (@Sendable (Configuration) -> V)?,
        defaultText: String?, aliases: [String], stored: Bool, meaning: String
    ) {
        self.name = name
        self.aliases = aliases + (Self.vocabulary[name] ?? [])
        self.meaning = meaning
        self.type = V.hyperparameterType
        self.allowed = allowed
        self.defaultText = defaultText
        self.stored = stored
        set = { configuration, text in
            let value: V
            if let text {
                guard let v = V(hyperparameterText: text) else {
                    throw TrainingError.invalidHyperparameter(name: name, value: text, reason: V.invalidReason)
                }
                if let reason = check(v) { throw TrainingError.invalidHyperparameter(name: name, value: text, reason: reason) }
                value = v
            } else if let computed {
                value = computed(configuration)
            } else {
                return
            }
            configuration[keyPath: path] = value
            for p in also { configuration[keyPath: p] = value }
        }
        get = { $0[keyPath: path].hyperparameterText }
    }

    /// A hyperparameter of any type; numbers must be non-negative.
    public init<V: HyperparameterValue>(_ name: String, _ path: WritableKeyPath<Configuration, V> & Sendable,
                                        also: [WritableKeyPath<Configuration, V> & Sendable] = [],
                                        default computed: (@Sendable (Configuration) -> V)? = nil, aliases: [String] = [],
                                        stored: Bool = true, _ meaning: String) {
        self.init(name, path, also: also, allowed: V.allowedText, check: V.check, default: computed, defaultText: nil,
                  aliases: aliases, stored: stored, meaning: meaning)
    }

    /// A number in `range`, whose default may be computed from the values declared before it.
    public init<V: HyperparameterValue & Comparable>(
        _ name: String, _ path: WritableKeyPath<Configuration, V> & Sendable,
        also: [WritableKeyPath<Configuration, V> & Sendable] = [], in range: ClosedRange<V>,
        default computed: (@Sendable (Configuration) -> V)? = nil, defaultText: String? = nil, aliases: [String] = [],
        stored: Bool = true, _ meaning: String
    ) {
        self.init(name, path, also: also, allowed: "\(range.lowerBound)...\(range.upperBound)",
                  check: { range.contains($0) ? nil : "must be in \(range.lowerBound)...\(range.upperBound)" },
                  default: computed, defaultText: defaultText, aliases: aliases, stored: stored, meaning: meaning)
    }

    /// An optional number in `range` (`auto`, or absent, for nil: a default the model chooses).
    public init<V: HyperparameterValue & Comparable>(
        _ name: String, _ path: WritableKeyPath<Configuration, V?> & Sendable, in range: ClosedRange<V>,
        default computed: (@Sendable (Configuration) -> V?)? = nil, defaultText: String? = nil, aliases: [String] = [],
        _ meaning: String
    ) {
        self.init(name, path, also: [], allowed: "auto or \(range.lowerBound)...\(range.upperBound)",
                  check: { $0.map { range.contains($0) ? nil : "must be in \(range.lowerBound)...\(range.upperBound)" } ?? nil },
                  default: computed, defaultText: defaultText, aliases: aliases, stored: true, meaning: meaning)
    }

    /// The description for help texts, with the default read from `defaults`.
    func spec(defaults: Configuration) -> ParameterSpec {
        ParameterSpec(name: name, type: type, defaultValue: defaultText ?? get(defaults) ?? "auto", allowed: allowed,
                      meaning: meaning, aliases: aliases)
    }
}

/// A model's configuration: one field per hyperparameter, declared once in ``parameters`` (see ``Hyperparameter``).
public protocol ModelConfiguration: Sendable {
    /// What training gives.
    associatedtype Model: Recommender
    /// Every hyperparameter, in the order they are applied and listed.
    static var parameters: [Hyperparameter<Self>] { get }
    /// The default configuration.
    static var defaults: Self { get }
    /// The hyperparameters that apply to this configuration: ``parameters`` unless a variant has fewer.
    var declarations: [Hyperparameter<Self>] { get }
    /// Takes what the model learns from besides the ratings (item features); most models need nothing.
    mutating func use(_ inputs: ModelInputs)
    /// Whether training learns from the time of each rating (``RatingMatrix/times``); false for most models.
    var usesTimes: Bool { get }
    /// Trains on `data`.
    func fit(_ data: RatingMatrix, context: TrainingContext) throws -> Model
}

extension ModelConfiguration {
    public var declarations: [Hyperparameter<Self>] { Self.parameters }
    public mutating func use(_ inputs: ModelInputs) {}
    public var usesTimes: Bool { false }

    /// The hyperparameters' descriptions, with the defaults of `defaults`.
    public static func specs(defaults: Self = .defaults) -> [ParameterSpec] {
        defaults.declarations.map { $0.spec(defaults: defaults) }
    }

    /// `defaults` with the values given in `h` (by name or alias); an unknown name or a bad value is an error.
    public init(_ h: Hyperparameters, defaults: Self = .defaults) throws {
        let given = try h.canonical(for: Self.specs(defaults: defaults))
        var c = defaults
        for p in defaults.declarations { try p.set(&c, given.values[p.name]) }
        self = c
    }

    /// The hyperparameters as name-value pairs (what the model file stores).
    public var hyperparameters: Hyperparameters {
        var v: [String: String] = [:]
        for p in declarations where p.stored { v[p.name] = p.get(self) }
        return Hyperparameters(v)
    }
}

/// A type a hyperparameter can have: read from text and written back as text.
public protocol HyperparameterValue: Sendable {
    /// The value of `hyperparameterText`, or nil when it is not one.
    init?(hyperparameterText: String)
    /// The value as text; nil for no value.
    var hyperparameterText: String? { get }
    /// The kind of value, for `latent models`.
    static var hyperparameterType: String { get }
    /// Why text that does not parse is refused.
    static var invalidReason: String { get }
    /// The allowed values, for `latent models`.
    static var allowedText: String { get }
    /// Why a parsed value is refused when no range is declared, or nil.
    static func check(_ value: Self) -> String?
}

extension HyperparameterValue {
    public var hyperparameterText: String? { "\(self)" }
    public static var allowedText: String { "" }
    public static func check(_ value: Self) -> String? { nil }
}

extension Int: HyperparameterValue {
    public init?(hyperparameterText text: String) { self.init(text) }
    public static var hyperparameterType: String { "int" }
    public static var invalidReason: String { "is not a whole number" }
    public static var allowedText: String { ">= 0" }
    public static func check(_ value: Int) -> String? { value >= 0 ? nil : "must be in 0...\(Int.max)" }
}

/// Float and Double: finite, non-negative unless a range is declared.
extension HyperparameterValue where Self: BinaryFloatingPoint & LosslessStringConvertible {
    public init?(hyperparameterText text: String) {
        guard let v = Self(text), v.isFinite else { return nil }
        self = v
    }
    public static var hyperparameterType: String { "float" }
    public static var invalidReason: String { "is not a finite number" }
    public static var allowedText: String { ">= 0" }
    public static func check(_ value: Self) -> String? { value >= 0 ? nil : "must be in 0.0...\(Self.greatestFiniteMagnitude)" }
}

extension Float: HyperparameterValue {}
extension Double: HyperparameterValue {}

extension Bool: HyperparameterValue {
    public init?(hyperparameterText text: String) {
        switch text.lowercased() {
        case "true", "yes", "1", "on": self = true
        case "false", "no", "0", "off": self = false
        default: return nil
        }
    }
    public static var hyperparameterType: String { "bool" }
    public static var invalidReason: String { "must be true or false" }
    public static var allowedText: String { "true, false" }
}

extension Optional: HyperparameterValue where Wrapped: HyperparameterValue {
    public init?(hyperparameterText text: String) {
        if text == "auto" { self = .none; return }
        guard let v = Wrapped(hyperparameterText: text) else { return nil }
        self = v
    }
    public var hyperparameterText: String? { self?.hyperparameterText }
    public static var hyperparameterType: String { Wrapped.hyperparameterType }
    public static var invalidReason: String { Wrapped.invalidReason }
}

/// An enumeration whose cases are a hyperparameter's choices, by raw value.
public protocol HyperparameterChoice: HyperparameterValue, RawRepresentable<String>, CaseIterable {}

extension HyperparameterChoice {
    public init?(hyperparameterText text: String) { self.init(rawValue: text) }
    public var hyperparameterText: String? { rawValue }
    public static var hyperparameterType: String { "choice" }
    public static var invalidReason: String { "must be one of \(allowedText)" }
    public static var allowedText: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension LearningRateSchedule: HyperparameterValue {
    public init?(hyperparameterText text: String) { self.init(text) }
    public var hyperparameterText: String? { text }
    public static var hyperparameterType: String { "schedule" }
    public static var invalidReason: String { "must be \(allowedText)" }
    public static var allowedText: String { "constant, step:EVERY:FACTOR, exponential:DECAY or inverse-time:DECAY" }
}

extension StepRule: HyperparameterChoice {}
extension Activation: HyperparameterChoice {}
extension NeuMFObjective: HyperparameterChoice {}

/// Layer sizes such as `16,8` (each 1...4096).
extension Array: HyperparameterValue where Element == Int {
    public init?(hyperparameterText text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map { (1...4096).contains($0) } ?? false }) else { return nil }
        self = parts.compactMap { $0 }
    }
    public var hyperparameterText: String? { map(String.init).joined(separator: ",") }
    public static var hyperparameterType: String { "int-list" }
    public static var invalidReason: String { "must be layer sizes like 16,8" }
    public static var allowedText: String { "sizes 1...4096, comma-separated" }
}
