/// An error in input data: what was wrong and where (file, line, field).
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A line that cannot be read; `line` counts from 1, `field` names the column ("rating").
    case malformed(file: String, line: Int, field: String, reason: String)
    /// A file with no data lines.
    case empty(file: String)
    /// A file that cannot be opened or read.
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(file, line, field, reason): return "\(file):\(line): \(field): \(reason)"
        case let .empty(file): return "\(file): the file has no ratings"
        case let .unreadable(file, reason): return "\(file): \(reason)"
        }
    }
}
