/// An error in input data: what was wrong and where (file, line, field).
public indirect enum DataError: Error, Equatable, CustomStringConvertible {
    /// A line that cannot be read; `line` counts every line from 1 (header, blank and comment lines included),
    /// `field` names the column ("user", "item", "rating", "timestamp", or a feature or genre name).
    case malformed(file: String, line: Int, field: String, reason: String)
    /// A file with no data lines.
    case empty(file: String)
    /// A file whose every data line was skipped as invalid: how many, and the first one's error.
    case noValidLines(file: String, skipped: Int, first: DataError)
    /// A file that cannot be opened or read.
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(file, line, field, reason): return "\(file):\(line): \(field): \(reason)"
        case let .empty(file): return "\(file): the file has no ratings"
        case let .noValidLines(file, skipped, first):
            return "\(file): none of the \(skipped) data line\(skipped == 1 ? " is" : "s is") valid; the first error: \(first)"
        case let .unreadable(file, reason): return "\(file): \(reason)"
        }
    }

    /// The file the error is about.
    public var file: String {
        switch self {
        case let .malformed(file, _, _, _), let .empty(file), let .noValidLines(file, _, _), let .unreadable(file, _):
            return file
        }
    }

    /// The line the error is about (from 1), when it is about one line.
    public var line: Int? {
        if case let .malformed(_, line, _, _) = self { return line }
        return nil
    }
}
