import Foundation

/// A read-only view of a whole input: a regular file mapped into memory, a pipe, FIFO, device or standard input read
/// to its end. Errors are ``DataError/unreadable(file:reason:)`` with the system's reason in words.
struct MappedFile {
    /// What errors call the input: its path, or "standard input".
    let name: String
    private let data: Data

    /// The file at `url`.
    init(_ url: URL) throws {
        name = url.path
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw DataError.unreadable(file: name, reason: Self.reason(errno)) }
        if info.st_mode & S_IFMT == S_IFDIR { throw DataError.unreadable(file: name, reason: "is a directory, not a file") }
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw DataError.unreadable(file: name, reason: Self.reason(errno)) }
        defer { close(fd) }
        if info.st_mode & S_IFMT == S_IFREG, info.st_size > 0,
           let base = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED {
            let size = Int(info.st_size)
            data = Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
        } else {
            data = try Self.readToEnd(fd, name: name)
        }
    }

    /// Standard input, read to its end.
    init(standardInput: Void) throws {
        name = "standard input"
        data = try Self.readToEnd(0, name: name)
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { try body($0) }
    }

    /// Everything `fd` gives until its end.
    static func readToEnd(_ fd: Int32, name: String) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError.unreadable(file: name, reason: reason(errno))
            }
            data.append(buffer, count: n)
        }
    }

    /// A system error number in words, as the user should read it.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "is a directory, not a file"
        default: return "cannot read the file (\(String(cString: strerror(code))))"
        }
    }
}

/// The whole file at `url` (a regular file, FIFO or device), or a ``DataError/unreadable(file:reason:)`` that says
/// why in words.
public func readWholeFile(_ url: URL) throws -> Data {
    let file = try MappedFile(url)
    return file.withBytes { Data($0) }
}
