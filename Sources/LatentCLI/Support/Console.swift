import Foundation

/// Where the commands write: standard output for results, standard error for messages and the progress bar.
///
/// Commands never print directly; they write through ``Console/current``, which tests replace (with
/// `Console.$current.withValue(...)`) to capture what a command prints.
public struct Console: Sendable {
    /// Writes text to the output (no newline added).
    public var output: @Sendable (String) -> Void
    /// Writes text to the error stream (no newline added).
    public var error: @Sendable (String) -> Void
    /// Whether the error stream is a terminal: the progress bar is drawn only then.
    public var errorIsTerminal: Bool

    /// A console from its parts.
    public init(output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void,
                errorIsTerminal: Bool) {
        self.output = output
        self.error = error
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's standard output and standard error.
    public static let standard = Console(
        output: { FileHandle.standardOutput.write(Data($0.utf8)) },
        error: { FileHandle.standardError.write(Data($0.utf8)) },
        errorIsTerminal: isatty(2) != 0)

    /// The console commands write to.
    @TaskLocal public static var current: Console = .standard

    /// Writes one line of output.
    func line(_ text: String = "") { output(text + "\n") }
    /// Writes one line to the error stream.
    func note(_ text: String) { error(text + "\n") }
}

/// Text captured from a console, for tests.
public final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""

    public init() {}

    /// Everything written to the output.
    public var output: String { lock.withLock { out } }
    /// Everything written to the error stream.
    public var error: String { lock.withLock { err } }

    /// A console that appends to this capture.
    public var console: Console {
        Console(output: { s in self.lock.withLock { self.out += s } },
                error: { s in self.lock.withLock { self.err += s } },
                errorIsTerminal: false)
    }
}
