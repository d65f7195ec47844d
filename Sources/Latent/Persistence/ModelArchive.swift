/// The contents of a model file, independent of the model: what it is, how it was trained, and its named arrays.
///
/// Every model writes itself into an archive and reads itself back from one, so one file format serves them all.
public struct ModelArchive: Sendable, Equatable {
    /// How the arrays are to be read back (e.g. `factors`): picks the decoder.
    public var kind: String
    /// The model's name (e.g. `biased-mf`).
    public var model: String
    /// The hyperparameters it was trained with, and other scalar facts, as text.
    public var parameters: [String: String]
    /// Named lists of strings (identifier maps).
    public var strings: [String: [String]] = [:]
    /// Named arrays of Float.
    public var floats: [String: [Float]] = [:]
    /// Named arrays of Int32 (indices).
    public var int32s: [String: [Int32]] = [:]
    /// Named arrays of Int64 (offsets, counts).
    public var int64s: [String: [Int64]] = [:]

    /// An empty archive for a model.
    public init(kind: String, model: String, parameters: [String: String] = [:]) {
        self.kind = kind
        self.model = model
        self.parameters = parameters
    }

    /// The Float array `name`, or a ``ModelFileError/missingField(_:)`` error.
    public func floats(_ name: String, count: Int? = nil) throws -> [Float] {
        let a = try Self.required(floats, name)
        if let count, a.count != count { throw ModelFileError.inconsistent("\(name) has \(a.count) values, expected \(count)") }
        return a
    }

    /// The Int32 array `name`, or a ``ModelFileError/missingField(_:)`` error.
    public func int32s(_ name: String) throws -> [Int32] { try Self.required(int32s, name) }

    /// The Int64 array `name`, or a ``ModelFileError/missingField(_:)`` error.
    public func int64s(_ name: String) throws -> [Int64] { try Self.required(int64s, name) }

    /// The string list `name`, or a ``ModelFileError/missingField(_:)`` error.
    public func strings(_ name: String) throws -> [String] { try Self.required(strings, name) }

    private static func required<T>(_ section: [String: T], _ name: String) throws -> T {
        guard let a = section[name] else { throw ModelFileError.missingField(name) }
        return a
    }

    /// Stores `other` (a model inside this one) under `prefix`: its kind, model name and parameters as parameters
    /// `prefix` + `kind`, `model`, `parameter.NAME`, and its arrays under `prefix` + their names, leaving out the
    /// arrays whose names start with `omitting`.
    public mutating func embed(_ other: ModelArchive, as prefix: String, omitting: String) {
        parameters[prefix + "kind"] = other.kind
        parameters[prefix + "model"] = other.model
        for (k, v) in other.parameters { parameters[prefix + "parameter." + k] = v }
        Self.copyArrays(of: other, into: &self) { $0.hasPrefix(omitting) ? nil : prefix + $0 }
    }

    /// The archive stored by ``embed(_:as:omitting:)`` under `prefix`.
    public func embedded(_ prefix: String) throws -> ModelArchive {
        guard let kind = parameters[prefix + "kind"], let model = parameters[prefix + "model"] else {
            throw ModelFileError.missingField(prefix + "kind")
        }
        var a = ModelArchive(kind: kind, model: model)
        let p = prefix + "parameter."
        for (k, v) in parameters where k.hasPrefix(p) { a.parameters[String(k.dropFirst(p.count))] = v }
        Self.copyArrays(of: self, into: &a) { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil }
        return a
    }

    /// Copies every named array of `from` into `to` under the name `rename` gives (none: left out).
    private static func copyArrays(of from: ModelArchive, into to: inout ModelArchive, _ rename: (String) -> String?) {
        func copy<T>(_ section: [String: T], into target: inout [String: T]) {
            for (k, v) in section { if let name = rename(k) { target[name] = v } }
        }
        copy(from.strings, into: &to.strings)
        copy(from.floats, into: &to.floats)
        copy(from.int32s, into: &to.int32s)
        copy(from.int64s, into: &to.int64s)
    }

    /// Adds the arrays of `other` this archive does not have (the parts a model shares with the one it is inside).
    public mutating func include(_ other: ModelArchive) {
        strings.merge(other.strings) { mine, _ in mine }
        floats.merge(other.floats) { mine, _ in mine }
        int32s.merge(other.int32s) { mine, _ in mine }
        int64s.merge(other.int64s) { mine, _ in mine }
    }

    /// Stores a matrix as `name` (its entries) and `name.columns`.
    public mutating func setMatrix(_ m: Matrix, as name: String) {
        floats[name] = m.storage
        int64s[name + ".shape"] = [Int64(m.rows), Int64(m.columns)]
    }

    /// The matrix stored as `name`.
    public func matrix(_ name: String) throws -> Matrix {
        let shape = try int64s(name + ".shape")
        let storage = try floats(name)
        // The product is checked for overflow: a damaged shape must be an error, not a trap.
        guard shape.count == 2, shape[0] >= 0, shape[1] >= 0,
              case let (count, overflow) = Int(shape[0]).multipliedReportingOverflow(by: Int(shape[1])),
              !overflow, count == storage.count else {
            throw ModelFileError.inconsistent("matrix \(name) has a bad shape")
        }
        return Matrix(rows: Int(shape[0]), columns: Int(shape[1]), storage: storage)
    }
}

/// An error reading or writing a model file.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file does not start with the Latent magic bytes.
    case notAModelFile(path: String)
    /// The file was written by a newer format version than this build reads.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The file ends before its contents do.
    case truncated(path: String)
    /// The checksum does not match: the file was changed or damaged.
    case checksumMismatch(path: String)
    /// A field the model needs is absent.
    case missingField(String)
    /// The fields do not fit together.
    case inconsistent(String)
    /// No decoder is known for the archive kind.
    case unknownKind(String)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notAModelFile(path): return "\(path) is not a Latent model file"
        case let .unsupportedVersion(path, found, supported):
            return "\(path) has model format version \(found); this build reads versions up to \(supported): upgrade Latent"
        case let .truncated(path): return "\(path) is truncated: the model file ends early"
        case let .checksumMismatch(path): return "\(path) is corrupted: its checksum does not match"
        case let .missingField(name): return "the model file lacks the field \(name)"
        case let .inconsistent(what): return "the model file is inconsistent: \(what)"
        case let .unknownKind(kind): return "the model file holds a model of kind '\(kind)', which this build does not know"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
