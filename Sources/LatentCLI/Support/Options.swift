import ArgumentParser
import Foundation
import Latent

extension RatingFileFormat: ExpressibleByArgument {}
extension DuplicatePolicy: ExpressibleByArgument {}
extension SimilarityMetric: ExpressibleByArgument {}

/// The hyperparameter flags every training command shares. Each flag sets the hyperparameter of the same name (or
/// alias) only when given; `--set name=value` sets any other. The model checks names and values and reports what is
/// wrong.
struct HyperparameterOptions: ParsableArguments {
    @Option(help: "Number of latent factors.") var factors: String?
    @Option(help: "Passes over the data: epochs, sweeps or optimizer iterations (every iterative model).") var iterations: String?
    @Option(help: "The same as --iterations.") var epochs: String?
    @Option(name: .customLong("learning-rate"), help: "Initial learning rate.") var learningRate: String?
    @Option(help: "Learning rate multiplier after each epoch (schedule=exponential:DECAY).") var decay: String?
    @Option(help: "Regularization of the factors.") var regularization: String?
    @Option(name: .customLong("bias-regularization"), help: "Regularization of the biases.") var biasRegularization: String?
    @Option(help: "Optimizer (models that offer a choice).") var optimizer: String?
    @Option(help: "Solver (models that offer a choice).") var solver: String?
    @Option(help: "Confidence weight (implicit feedback).") var alpha: String?
    @Option(help: "Random restarts, keeping the best on validation data.") var restarts: String?
    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Any hyperparameter, as name=value (repeatable); `latent models` lists them.", valueName: "name=value"))
    var assignments: [String] = []

    /// The hyperparameters given, by name.
    func hyperparameters() throws -> Hyperparameters {
        let flags: [(String, String?)] = [
            ("factors", factors), ("epochs", epochs), ("iterations", iterations), ("learning-rate", learningRate),
            ("decay", decay), ("regularization", regularization), ("bias-regularization", biasRegularization),
            ("optimizer", optimizer), ("solver", solver), ("alpha", alpha), ("restarts", restarts),
        ]
        var given: [String: String] = [:]
        for case let (name, value?) in flags { given[name] = value }
        return try Hyperparameters(assignments: assignments, over: given)
    }
}

/// How rating files are read.
struct DataOptions: ParsableArguments {
    @Option(help: "File format (detected from the content by default).") var format: RatingFileFormat = .auto
    @Flag(name: .customLong("skip-invalid"), help: "Skip malformed lines and report how many, instead of failing.")
    var skipInvalid = false
    @Option(name: .customLong("rating-scale"), parsing: .unconditional, help: ArgumentHelp(
        "The rating scale LOW:HIGH: ratings outside it are invalid, predictions are clipped to it (default: the data's smallest and largest rating).",
        valueName: "low:high"), transform: parseRatingScale)
    var ratingScale: ClosedRange<Float>?
    @Option(help: "Repeated (user, item) pairs: keep the last, the first, the mean or the sum.")
    var duplicates: DuplicatePolicy = .keepLast

    var readOptions: ReadOptions { ReadOptions(skipInvalid: skipInvalid, ratingScale: ratingScale) }

    /// Reads a rating file (`-`: standard input), reporting skipped lines, and an interaction file that detection
    /// found, on the error stream.
    func read(_ path: String) throws -> (RatingSet, ReadReport) {
        let (set, report) = path == "-"
            ? try RatingReader.readStandardInput(format: format, options: readOptions)
            : try RatingReader.read(URL(fileURLWithPath: path), format: format, options: readOptions)
        if format == .auto, let layout = report.layout, layout.ratingColumn == nil {
            Console.current.note("read \(path == "-" ? "standard input" : path) as interactions (\(layout); every line is worth 1)")
        }
        if report.skippedLines > 0 {
            var note = "skipped \(report.skippedLines) invalid line\(report.skippedLines == 1 ? "" : "s") of \(path)"
            if let first = report.firstSkipped { note += " (the first: \(first))" }
            Console.current.note(note)
        }
        return (set, report)
    }

    /// The scale to clip to: the flag's, else the smallest and largest value of `data` after its duplicates are
    /// folded by `--duplicates` (summed ratings go beyond the scale of single ones).
    func scale(for data: RatingSet) -> ClosedRange<Float>? {
        if let ratingScale { return ratingScale }
        guard duplicates == .sum else { return data.valueRange }
        let values = RatingMatrix(data, duplicates: .sum).byUser.values
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return lo...hi
    }
}

/// Parses `1:5` (or `0.5:5`) as a rating scale.
func parseRatingScale(_ text: String) throws -> ClosedRange<Float> {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let lo = Float(parts[0]), let hi = Float(parts[1]), lo.isFinite, hi.isFinite, lo < hi else {
        throw ValidationError("--rating-scale must be LOW:HIGH with LOW < HIGH, e.g. 1:5 (got '\(text)')")
    }
    return lo...hi
}

/// Seed, threads and quiet: how a run goes.
struct RunOptions: ParsableArguments {
    @Option(help: "Seed of every random choice: the same seed and thread count give the same model.") var seed: UInt64 = 42
    @Option(help: "Threads training may use (default: all cores).") var threads: Int = allCores
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// A training context with these settings and a progress bar (when drawn at all).
    func context(ratingScale: ClosedRange<Float>?, progress: ProgressBar?) -> TrainingContext {
        var context = TrainingContext(seed: seed, threads: threads, ratingScale: ratingScale)
        if let progress {
            context.progress = { @Sendable p in progress.update(p) }
        }
        return context
    }

    /// A progress bar on the error stream if it is a terminal and `--quiet` was not given.
    func progressBar(_ title: String) -> ProgressBar? {
        let console = Console.current
        guard !quiet, console.errorIsTerminal else { return nil }
        return ProgressBar(title: title, console: console)
    }
}

/// The default of every `--threads`: all the cores of this machine.
let allCores = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Encodes `value` as one line of JSON with sorted keys, its numbers at the precision of their values (see
/// ``trimmingFloatNoise(_:)``).
func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // An empty test part gives a NaN error; say so rather than fail to print.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return trimmingFloatNoise(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// `json` with every number that carries more than 12 significant digits rewritten as the shortest text of its value
/// rounded to 12 significant digits: `0.0016345594000000002` (a sum of Doubles) becomes `0.0016345594`, `0.1 + 0.2`
/// prints `0.3`. Figures computed in Float or Double carry at most 7 or 12 meaningful digits after averaging, so
/// nothing meaningful is lost; strings are left alone.
func trimmingFloatNoise(_ json: String) -> String {
    var out = ""
    out.reserveCapacity(json.utf8.count)
    var inString = false, escaped = false
    var number = ""
    func flush() {
        guard !number.isEmpty else { return }
        let isFraction = number.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        let digits = number.prefix { $0 != "e" && $0 != "E" }.filter(\.isWholeNumber).drop { $0 == "0" }.count
        if isFraction, digits > 12, let x = Double(number), x.isFinite, let rounded = Double(String(format: "%.12g", x)) {
            out += "\(rounded)"
        } else {
            out += number
        }
        number = ""
    }
    for c in json {
        if inString {
            out.append(c)
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        } else if !number.isEmpty, c.isASCII, c.isWholeNumber || "+-.eE".contains(c) {
            number.append(c)
        } else if c.isASCII, c.isWholeNumber || c == "-" {
            number.append(c)
        } else {
            flush()
            out.append(c)
            if c == "\"" { inString = true }
        }
    }
    flush()
    return out
}

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let c = start.duration(to: .now).components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

/// A number with `digits` decimals.
func fixed(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
func fixed(_ x: Float, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", Double(x)) }

/// Inputs some models need besides the ratings: `--item-features FILE` for `content`.
struct ModelInputOptions: ParsableArguments {
    @Option(name: .customLong("item-features"), help: ArgumentHelp(
        "Item features for models that use them (content): MovieLens u.item (its 19 genre flags), movies.csv or movies.dat (genres as 0/1), or a CSV of item,feature1,feature2,...",
        valueName: "file"))
    var itemFeatures: String?

    @Option(help: ArgumentHelp(
        "How ratings become interactions for ranking models: all (every rated pair, weight 1: the default), threshold:T (only ratings >= T, weight 1), or weight (the rating is the interaction's weight).",
        valueName: "all|threshold:T|weight"))
    var interactions: String?

    /// The conversion of `--interactions`; nil when not given.
    func interactionConversion() throws -> InteractionConversion? {
        guard let text = interactions else { return nil }
        guard let conversion = InteractionConversion(parsing: text) else {
            throw OptionError("--interactions: '\(text)' is not all, threshold:T or weight")
        }
        return conversion
    }

    /// `set` as the model learns from it: ranking models learn from interactions (every rated pair by default),
    /// rating models from the ratings unless `--interactions` is given. `interactions` tells which it is.
    func trainingData(_ set: RatingSet, for descriptor: ModelDescriptor) throws -> (set: RatingSet, interactions: Bool) {
        if let conversion = try interactionConversion() {
            // A rating model would learn from 1s and predict 1 for everything.
            guard descriptor.task == .ranking else {
                throw OptionError("--interactions applies to ranking models; \(descriptor.name) predicts ratings and learns from the ratings themselves")
            }
            return (set.interactions(conversion), true)
        }
        return descriptor.task == .ranking ? (set.interactions(.allPairs), true) : (set, false)
    }

    /// The item features of `--item-features`, read, or nil when not given.
    func readItemFeatures() throws -> ItemFeatures? {
        try itemFeatures.map { try ItemFeatures.read(URL(fileURLWithPath: $0)) }
    }
}

/// Identifiers given on the command line as a comma-separated list, or as the path of a file that lists them
/// (separated by newlines, commas or tabs); spaces around an identifier are dropped.
///
/// Nothing is guessed silently: a value that names an existing file is read as that file, and the error stream
/// says so; a value that looks like a path (it has a `/`, or ends in `.txt`, `.csv`, `.tsv` or `.list`) but names no
/// file is an error, not a list of one unknown identifier; anything else is the list itself.
func identifierList(_ text: String, option: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    let source: String
    if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) {
        guard !isDirectory.boolValue else { throw OptionError("\(option): \(text) is a directory, not a file of identifiers") }
        let data: Data
        do {
            data = try readWholeFile(URL(fileURLWithPath: text))
        } catch {
            throw OptionError("\(option): \(error)")
        }
        source = String(decoding: data, as: UTF8.self)
    } else if text.contains("/") || [".txt", ".csv", ".tsv", ".list"].contains(where: { text.lowercased().hasSuffix($0) }) {
        throw OptionError("\(option): no such file \(text) (give identifiers separated by commas, or the path of a file that lists them)")
    } else {
        source = text
    }
    let ids = source.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "\t" })
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !ids.isEmpty else { throw ValidationError("\(option) lists no identifiers (got '\(text)')") }
    if source != text {
        Console.current.note("\(option): read \(ids.count) identifier\(ids.count == 1 ? "" : "s") from the file \(text)")
    }
    return ids
}

/// A mistake in the options found while a command runs (after parsing): printed as its message, without the usage
/// text that a ``ValidationError`` thrown from `run()` would add.
struct OptionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
