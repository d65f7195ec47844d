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

    /// The process's standard output and standard error. When the output cannot be written (a full disk, a closed
    /// stream), the command stops with a message on standard error and exit status 74 (EX_IOERR), not a crash.
    public static let standard = Console(
        output: { writeOrExit(1, $0, name: "standard output") },
        error: { writeOrExit(2, $0, name: "standard error") },
        errorIsTerminal: isatty(2) != 0)

    /// Writes all of `text` to `fd`; on failure says so on standard error (if it can) and exits with status 74.
    static func writeOrExit(_ fd: Int32, _ text: String, name: String) {
        var text = text
        let failure: Int32? = text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        guard let failure else { return }
        let message = "latent: cannot write to \(name): \(String(cString: strerror(failure)))\n"
        _ = message.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        exit(74)
    }

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
