import Foundation

/// A size that cannot be honoured: impossible for the data, or more memory than this machine has to give. The
/// message says which size and the limit.
public struct LimitError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The limits every size is checked against before work starts.
public enum Limits {
    /// The memory one run may plan to use: half of this machine's physical memory.
    public static var memory: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// Throws a ``LimitError`` when `bytes` exceed ``memory``; `what` names the request ("5 folds of 100000 ratings").
    public static func checkMemory(_ bytes: Double, for what: String) throws {
        guard bytes <= memory else {
            throw LimitError("\(what) needs about \(String(format: "%.1f", bytes / 1e9)) GB of memory; the limit is half of this machine's memory, \(String(format: "%.1f", memory / 1e9)) GB")
        }
    }
}
