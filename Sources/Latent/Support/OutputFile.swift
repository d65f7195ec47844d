import Foundation

/// Why an output file was not written. Whatever the cause, the file at the path is what it was before.
public enum OutputError: Error, Equatable, CustomStringConvertible {
    /// The output is also an input of the same command (the same file, under this or another path).
    case isAnInput(path: String, input: String)
    /// The path names something other than a regular file: a directory, FIFO, device or socket.
    case notARegularFile(path: String, kind: String)
    /// Writing failed (a missing folder, no permission, a full disk).
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .isAnInput(path, input):
            return path == input ? "\(path): refusing to overwrite an input of this command; choose another output path"
                : "\(path): refusing to overwrite an input of this command (it is \(input)); choose another output path"
        case let .notARegularFile(path, kind):
            return "\(path): is \(kind), not a regular file; the output must be a file path"
        case let .cannotWrite(path, reason): return "\(path): cannot write the file (\(reason)); nothing was changed"
        }
    }
}

/// Writes output files whole or not at all.
///
/// The policy, for every file Latent writes (models, generated data):
/// - the output must not be an input of the same command (compared by device and inode, so another path to the
///   same file is caught too);
/// - a symbolic link is followed: its target is replaced and the link stays;
/// - a path that exists must be a regular file; a directory, FIFO, device or socket is refused with
///   ``OutputError/notARegularFile(path:kind:)``;
/// - the bytes go to a temporary file in the target's folder, are flushed to disk, and the temporary file is
///   renamed over the target in one step, so a reader sees the old file or the new one, never a part;
/// - a replaced file keeps its permission bits (a new one gets 0666 less the umask);
/// - the temporary file has no name while it is written (Linux `O_TMPFILE`) and is named only for the instant
///   before the rename; where that is not available it is named `.NAME.tmp-PID`, removed on failure, and such
///   leftovers of processes that no longer run are removed by the next write to the same path.
public enum OutputFile {
    /// Writes `bytes` to `url` (see ``OutputFile``); `inputs` are the files the command read.
    public static func write(_ bytes: [UInt8], to url: URL, inputs: [URL] = []) throws {
        try write(to: url, inputs: inputs) { sink in try bytes.withUnsafeBytes { try sink.write($0) } }
    }

    /// Writes what `body` gives its sink to `url` (see ``OutputFile``); `inputs` are the files the command read.
    /// When `body` throws, nothing is written and its error is rethrown.
    public static func write(to url: URL, inputs: [URL] = [], _ body: (inout OutputSink) throws -> Void) throws {
        let target = try checkedTarget(url, inputs: inputs)
        let path = url.path
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        removeStaleTemporaries(directory: directory.isEmpty ? "." : directory, name: name)
        var existing = stat()
        let mode: mode_t? = stat(target, &existing) == 0 ? existing.st_mode & 0o7777 : nil
        let pid = getpid()
        let named = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(pid)"

        // An unnamed file first; a named one where the file system cannot make unnamed files.
        var fd = open(directory.isEmpty ? "." : directory, oTmpFile | O_WRONLY | O_CLOEXEC, 0o666)
        let unnamed = fd >= 0
        if !unnamed {
            fd = open(named, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw OutputError.cannotWrite(path: path, reason: reason(errno)) }
        }
        var done = false
        defer {
            if fd >= 0 { close(fd) }
            if !done { unlink(named) }
        }
        var sink = OutputSink(fd: fd, path: path)
        try body(&sink)
        if let mode { fchmod(fd, mode) }
        guard fsync(fd) == 0 || errno == EINVAL else { throw OutputError.cannotWrite(path: path, reason: reason(errno)) }
        if unnamed {
            unlink(named)
            guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, named, AT_SYMLINK_FOLLOW) == 0 else {
                throw OutputError.cannotWrite(path: path, reason: reason(errno))
            }
        }
        let result = close(fd)
        fd = -1
        guard result == 0 else { throw OutputError.cannotWrite(path: path, reason: reason(errno)) }
        guard rename(named, target) == 0 else { throw OutputError.cannotWrite(path: path, reason: reason(errno)) }
        done = true
    }

    /// The path to write for `url`: `url` itself, or the target of the symbolic link it names; checked against the
    /// policy of ``OutputFile``.
    public static func checkedTarget(_ url: URL, inputs: [URL]) throws -> String {
        var target = url.path
        // Follow symbolic links (a chain of them) to the file they name.
        var hops = 0
        var info = stat()
        while lstat(target, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
            hops += 1
            guard hops <= 32, let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: target) else {
                throw OutputError.cannotWrite(path: url.path, reason: "too many levels of symbolic links")
            }
            target = destination.hasPrefix("/") ? destination
                : ((target as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
        }
        guard lstat(target, &info) == 0 else { return target }
        let kind: String?
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = nil
        case S_IFDIR: kind = "a directory"
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: kind = "a device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a file"
        }
        if let kind { throw OutputError.notARegularFile(path: url.path, kind: kind) }
        for input in inputs {
            var other = stat()
            if stat(input.path, &other) == 0 && other.st_dev == info.st_dev && other.st_ino == info.st_ino {
                throw OutputError.isAnInput(path: url.path, input: input.path)
            }
        }
        return target
    }

    /// Removes `.NAME.tmp-PID` files in `directory` left by processes that no longer run.
    static func removeStaleTemporaries(directory: String, name: String) {
        let prefix = ".\(name).tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }

    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such folder"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "no space left on the device"
        default: return String(cString: strerror(code))
        }
    }

    /// Linux `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`), which Swift does not import; 0 elsewhere, so that the
    /// open fails and a named temporary file is used.
    #if os(Linux)
    static let oTmpFile: Int32 = 0o20_000_000 | O_DIRECTORY
    #else
    static let oTmpFile: Int32 = O_DIRECTORY | O_CREAT | O_EXCL
    #endif
}

/// Where ``OutputFile/write(to:inputs:_:)`` sends bytes.
public struct OutputSink {
    let fd: Int32
    let path: String

    /// Writes all of `bytes`, or throws ``OutputError/cannotWrite(path:reason:)``.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError.cannotWrite(path: path, reason: OutputFile.reason(errno))
            }
            offset += n
        }
    }
}

/// write(2), named apart from ``OutputSink/write(_:)``.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
