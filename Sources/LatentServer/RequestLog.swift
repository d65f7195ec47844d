import Foundation
import Latent
import Logging

/// A swift-log handler that keeps logging cheap enough for one line per request: a line is formatted without
/// Foundation (the timestamp, in UTC, is formatted once per second) and appended to the buffer of a
/// ``BufferedLogOutput``, which writes it out a moment later; a line of level `notice` or above is written at once,
/// after everything logged before it. The line reads as swift-log's `StreamLogHandler` writes it:
/// `2026-11-26T00:03:32+0000 info latent.serve: [LatentServer] GET /health 200 0.05 ms`.
public struct BufferedLogHandler: LogHandler {
    /// The handler's metadata, printed (sorted by key) before the source.
    public var metadata: Logger.Metadata = [:]
    /// Metadata added to each line.
    public var metadataProvider: Logger.MetadataProvider?
    /// The lowest level logged.
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: BufferedLogOutput

    /// A handler for `label` writing to `output`.
    public init(label: String, output: BufferedLogOutput) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = " \(event.level) \(label):"
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        if let error = event.error { all["error.message"] = "\(error)" }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(event.source)] \(event.message)\n"
        output.append(line, now: event.level >= .notice)
    }
}

/// Where ``BufferedLogHandler`` lines go: a file descriptor written from a buffer, by a background thread every
/// `interval` and at once for urgent lines and ``flush()``. Lines logged in the last `interval` before the process is
/// killed (SIGKILL) are lost; `latent serve` flushes when it stops.
public final class BufferedLogOutput: Sendable {
    /// Standard error, flushed every 50 ms.
    public static let standardError = BufferedLogOutput(fileDescriptor: 2, interval: 0.05)

    private struct Pending {
        var bytes: [UInt8] = []
        var second = -1
        var stamp: [UInt8] = []
        var flusherStarted = false
    }

    private let fileDescriptor: Int32
    private let interval: Double?
    private let pending = Locked(Pending())
    // Held while writing, so that buffers taken out in order are written in order.
    private let writing = Locked(())

    /// Output to `fileDescriptor`, written every `interval` seconds by a background thread (started by the first
    /// line), or only by ``flush()`` and urgent lines when `interval` is nil.
    public init(fileDescriptor: Int32, interval: Double?) {
        self.fileDescriptor = fileDescriptor
        self.interval = interval
    }

    /// Appends `text` after the current UTC timestamp, writing the buffer out now when `now` is set.
    func append(_ text: String, now: Bool) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let startFlusher = pending.withLock { p -> Bool in
            let second = time.tv_sec
            if second != p.second {
                p.second = second
                p.stamp = Self.timestamp(second)
            }
            p.bytes.append(contentsOf: p.stamp)
            p.bytes.append(contentsOf: text.utf8)
            defer { p.flusherStarted = true }
            return !p.flusherStarted
        }
        if startFlusher, let interval {
            Thread.detachNewThread { [weak self] in
                while let output = self {
                    usleep(UInt32(interval * 1e6))
                    output.flush()
                }
            }
        }
        if now { flush() }
    }

    /// Writes out everything logged so far.
    public func flush() {
        writing.withLock { _ in
            let bytes = pending.withLock { p -> [UInt8] in
                defer { p.bytes.removeAll(keepingCapacity: true) }
                return p.bytes
            }
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                    if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
            }
        }
    }

    /// `2026-11-26T00:03:32+0000` for a time in seconds since 1970, in UTC.
    static func timestamp(_ second: Int) -> [UInt8] {
        var t = time_t(second)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return Array("\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))+0000".utf8)
    }
}
