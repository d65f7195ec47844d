import Foundation

/// Writes a factor model's numbers into a folder of plain files that numpy, pandas and Spark read directly.
///
/// Layout of the folder (`u` a user's row, `i` an item's row, `k` the number of factors):
///
/// | file | `--format csv` | `--format npy` |
/// | --- | --- | --- |
/// | `manifest.json` | model, kind, counts, `global_mean`, which biases are real, the prediction formula | the same |
/// | `user_ids.csv`, `item_ids.csv` | header `user` / `item`, one identifier a line, in row order | the same |
/// | `user_factors.*`, `item_factors.*` | header `f0,...,f{k-1}`, one row of `k` numbers a line | float32 array `(n, k)` |
/// | `user_bias.*`, `item_bias.*` | header `bias`, one number a line | float32 array `(n,)` |
///
/// Every model's prediction is then `global_mean + user_bias[u] + item_bias[i] + user_factors[u] . item_factors[i]`
/// (before clipping to `rating_scale`, when the manifest has one): a model without biases has zero bias files
/// (`has_user_bias` / `has_item_bias` false in the manifest), a model without an offset has `global_mean` 0.
/// Numbers are written in the shortest text that reads back as the same Float, so a CSV export is exact too.
/// Identifiers that hold a comma, a quote or a line break are quoted as in RFC 4180.
///
/// The folder is written beside its destination under a temporary name and renamed into place when every file is
/// complete, so a reader never sees half an export; an existing file or non-empty folder is never replaced.
public enum FactorExport {
    /// The file formats of the numeric arrays.
    public enum Format: String, Sendable, CaseIterable {
        /// Text, with a header line.
        case csv
        /// numpy's binary `.npy` (version 1.0, little-endian float32).
        case npy
    }

    /// The manifest's version: a reader checks it before trusting the layout.
    public static let layoutVersion = 1

    /// Exports `model` into the new folder `directory`.
    ///
    /// - Throws: ``ExportError`` when the model has no factors, `directory` exists and is not an empty folder, or a
    ///   file cannot be written (then nothing is left at `directory`).
    public static func export(_ model: any Recommender, to directory: URL, format: Format) throws {
        guard let m = model as? FactorModel else { throw ExportError.notAFactorModel(model: model.name) }
        try export(m, to: directory, format: format)
    }

    /// Exports the factor model `model` into the new folder `directory` (see ``export(_:to:format:)-swift.type.method``).
    public static func export(_ model: FactorModel, to directory: URL, format: Format) throws {
        let fm = FileManager.default
        let path = directory.path
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            let contents = isDirectory.boolValue ? ((try? fm.contentsOfDirectory(atPath: path)) ?? ["?"]) : ["?"]
            guard contents.isEmpty else { throw ExportError.destinationExists(path: path) }
        }
        let parent = directory.deletingLastPathComponent()
        let temp = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: temp, withIntermediateDirectories: false)
        } catch {
            throw ExportError.io(path: path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        do {
            try writeFiles(model, into: temp, format: format)
            // rename(2) moves the finished folder into place; it replaces only an empty folder, never a file.
            guard rename(temp.path, path) == 0 else {
                throw ExportError.io(path: path, reason: "cannot move the export into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(at: temp)
            throw error
        }
    }

    /// The file contents of an export, by file name.
    public static func files(_ model: FactorModel, format: Format) -> [String: [UInt8]] {
        let users = model.domain.users.count, items = model.domain.items.count, k = model.factorCount
        let userBias = model.userBias.isEmpty ? [Float](repeating: 0, count: users) : model.userBias
        let itemBias = model.itemBias.isEmpty ? [Float](repeating: 0, count: items) : model.itemBias
        var files: [String: [UInt8]] = [:]
        files["user_ids.csv"] = idFile(header: "user", model.domain.users.ids)
        files["item_ids.csv"] = idFile(header: "item", model.domain.items.ids)
        let ext = format.rawValue
        switch format {
        case .csv:
            files["user_factors.csv"] = csvMatrix(model.userFactors)
            files["item_factors.csv"] = csvMatrix(model.itemFactors)
            files["user_bias.csv"] = csvColumn(header: "bias", userBias)
            files["item_bias.csv"] = csvColumn(header: "bias", itemBias)
        case .npy:
            files["user_factors.npy"] = NPY.encode(model.userFactors.storage, shape: [users, k])
            files["item_factors.npy"] = NPY.encode(model.itemFactors.storage, shape: [items, k])
            files["user_bias.npy"] = NPY.encode(userBias, shape: [users])
            files["item_bias.npy"] = NPY.encode(itemBias, shape: [items])
        }
        let scale = model.domain.ratingScale.map { "[\(jsonNumber($0.lowerBound)), \(jsonNumber($0.upperBound))]" } ?? "null"
        let manifest = [
            "\"layout_version\": \(layoutVersion)", "\"model\": \(jsonString(model.name))", "\"format\": \"\(ext)\"",
            "\"users\": \(users)", "\"items\": \(items)", "\"factors\": \(k)", "\"global_mean\": \(jsonNumber(model.globalMean))",
            "\"has_user_bias\": \(!model.userBias.isEmpty)", "\"has_item_bias\": \(!model.itemBias.isEmpty)", "\"rating_scale\": \(scale)",
            "\"files\": {\"user_ids\": \"user_ids.csv\", \"item_ids\": \"item_ids.csv\", "
                + "\"user_factors\": \"user_factors.\(ext)\", \"item_factors\": \"item_factors.\(ext)\", "
                + "\"user_bias\": \"user_bias.\(ext)\", \"item_bias\": \"item_bias.\(ext)\"}",
            "\"prediction\": \"global_mean + user_bias[u] + item_bias[i] + dot(user_factors[u], item_factors[i]), clipped to rating_scale when it is not null\"",
        ]
        files["manifest.json"] = Array(("{\n" + manifest.map { "  " + $0 }.joined(separator: ",\n") + "\n}\n").utf8)
        return files
    }

    static func writeFiles(_ model: FactorModel, into folder: URL, format: Format) throws {
        for (name, bytes) in files(model, format: format).sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent(name)
            do {
                try Data(bytes).write(to: url)
            } catch {
                throw ExportError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
            }
        }
    }

    /// A CSV of one column of identifiers under `header`.
    static func idFile(header: String, _ ids: [String]) -> [UInt8] {
        var text = header + "\n"
        for id in ids { text += csvField(id) + "\n" }
        return Array(text.utf8)
    }

    /// `m` as CSV with the header `f0,...,f{k-1}`.
    static func csvMatrix(_ m: Matrix) -> [UInt8] {
        var text = (0..<m.columns).map { "f\($0)" }.joined(separator: ",") + "\n"
        text.reserveCapacity(m.storage.count * 12)
        for r in 0..<m.rows {
            for c in 0..<m.columns {
                if c > 0 { text += "," }
                text += number(m[r, c])
            }
            text += "\n"
        }
        return Array(text.utf8)
    }

    /// One number a line under `header`.
    static func csvColumn(header: String, _ values: [Float]) -> [UInt8] {
        var text = header + "\n"
        for v in values { text += number(v) + "\n" }
        return Array(text.utf8)
    }

    /// The shortest text that reads back as `v` (Swift's Float description); `nan`, `inf`, `-inf` as numpy writes them.
    static func number(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return v.description
    }

    /// A number in JSON: non-finite values become null.
    static func jsonNumber(_ v: Float) -> String { v.isFinite ? v.description : "null" }

    /// A field quoted as in RFC 4180 when it holds a comma, a quote, a line break, or leading or trailing space.
    static func csvField(_ s: String) -> String {
        let needsQuotes = s.isEmpty || s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || s.first?.isWhitespace == true || s.last?.isWhitespace == true
        guard needsQuotes else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// numpy's `.npy` format, version 1.0, for little-endian float32 arrays.
///
/// The file is the magic `\x93NUMPY`, the version bytes 1 0, a little-endian UInt16 header length, the header (a
/// Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, k), }` padded with spaces and ended by
/// a newline so that the data starts at a multiple of 64 bytes), then the values in row-major (C) order.
public enum NPY {
    /// The bytes of a `.npy` file holding `values` with `shape` (row-major).
    public static func encode(_ values: [Float], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "the shape does not match the values")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let prefix = 10  // magic (6) + version (2) + header length (2)
        let total = prefix + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return bytes
    }
}

/// An error exporting a model.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    /// The model is not a factor model (EASE, neural): it has no user and item factors to export.
    case notAFactorModel(model: String)
    /// The destination exists and is a file or a folder that is not empty.
    case destinationExists(path: String)
    /// A file could not be written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notAFactorModel(model):
            return "the \(model) model has no user and item factors to export (only factor models can be exported)"
        case let .destinationExists(path):
            return "\(path) already exists: give a new folder (an export never replaces existing files)"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
