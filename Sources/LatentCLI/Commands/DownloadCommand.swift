import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Latent

/// `latent download NAME --to DIR`: a MovieLens data set from GroupLens, checked and unpacked.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a MovieLens data set from GroupLens, check its MD5 checksum and unpack it.",
        discussion: """
            Data sets: \(MovieLensDataset.all.map(\.name).joined(separator: ", ")). The zip is downloaded over HTTPS \
            into DIR as a partial file, its MD5 compared with the value GroupLens publishes (built in; for \
            ml-latest-small, which GroupLens updates, the .md5 file published beside it), renamed into place, and \
            unpacked into DIR/NAME with `unzip` (or, without it, `python3 -m zipfile` or `bsdtar`). A failed or \
            refused download leaves nothing behind. The data's license is printed: read it before use.

            Example: latent download ml-100k --to data && latent info --data data/ml-100k/u.data
            """)

    @Argument(help: ArgumentHelp("The data set: \(MovieLensDataset.all.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var name: String
    @Option(help: ArgumentHelp("The folder to download and unpack into (created if needed).", valueName: "dir"))
    var to: String
    @Option(help: ArgumentHelp("Download from this address instead of GroupLens's (a mirror: the same file names).", valueName: "url"))
    var mirror: String?
    @Option(help: ArgumentHelp("Expect this MD5 checksum instead of the known one.", valueName: "hex"))
    var md5: String?
    @Flag(help: "No progress.") var quiet = false

    func run() throws {
        let console = Console.current
        guard let dataset = MovieLensDataset.all.first(where: { $0.name == name }) else {
            throw OptionError("unknown data set '\(name)'; data sets: \(MovieLensDataset.all.map(\.name).joined(separator: ", "))")
        }
        let base = (mirror ?? MovieLensDataset.grouplens).hasSuffix("/") ? (mirror ?? MovieLensDataset.grouplens) : (mirror! + "/")
        guard let url = URL(string: base + dataset.file), let scheme = url.scheme, ["https", "http"].contains(scheme) else {
            throw OptionError("--mirror '\(mirror ?? "")' is not an http(s) address")
        }
        let folder = URL(fileURLWithPath: to)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw OptionError("cannot create \(to): \(error.localizedDescription)")
        }
        let target = folder.appendingPathComponent(dataset.file)
        let partial = folder.appendingPathComponent(".\(dataset.file).partial")

        // The expected checksum: given, built in, or published beside the file.
        var expected = md5?.lowercased()
        if expected == nil { expected = dataset.md5 }
        if expected == nil {
            let md5URL = URL(string: base + dataset.file + ".md5")!
            let text = try HTTPDownload.text(md5URL)
            guard let hex = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "=" })
                .map(String.init).first(where: { $0.count == 32 && $0.allSatisfy(\.isHexDigit) }) else {
                throw OptionError("\(md5URL.absoluteString) holds no MD5 checksum")
            }
            expected = hex.lowercased()
        }

        if !quiet { console.note("downloading \(url.absoluteString)") }
        let file = dataset.file
        let show: @Sendable (Int64, Int64?) -> Void = { done, total in
            console.error("\r" + DownloadCommand.progressLine(file: file, done: done, total: total) + "\u{1B}[K")
        }
        let progress = quiet ? nil : show
        do {
            try HTTPDownload.file(url, to: partial, progress: progress)
            if !quiet { console.error("\n") }
            let digest = try MD5.hex(of: partial)
            guard digest == expected else {
                throw OptionError("\(dataset.file): MD5 checksum \(digest) does not match the expected \(expected!): the download is damaged or not GroupLens's file; nothing was kept")
            }
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: partial, to: target)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        try Unzip.extract(target, into: folder)
        let unpacked = folder.appendingPathComponent(dataset.folder)
        console.line("\(dataset.name): \(dataset.file) verified (MD5 \(expected!)) and unpacked into \(unpacked.path)")
        console.line()
        console.line(dataset.license)
    }
}

extension DownloadCommand {
    /// `ml-100k.zip: 2.3 of 4.7 MB (49%)`, or without a known total `ml-100k.zip: 2.3 MB`.
    static func progressLine(file: String, done: Int64, total: Int64?) -> String {
        let mb = String(format: "%.1f", Double(done) / 1_048_576)
        guard let total, total > 0 else { return "\(file): \(mb) MB" }
        return "\(file): \(mb) of \(String(format: "%.1f", Double(total) / 1_048_576)) MB (\(Int(Double(done) * 100 / Double(total)))%)"
    }
}

/// A MovieLens data set GroupLens publishes.
struct MovieLensDataset {
    var name: String
    var file: String
    /// The folder the zip unpacks into.
    var folder: String
    /// The published MD5 of the zip, or nil when GroupLens updates the file (then its `.md5` file is read).
    var md5: String?
    var license: String

    static let grouplens = "https://files.grouplens.org/datasets/movielens/"

    static let terms = """
        It may be used for research purposes only, under GroupLens's conditions: do not state or imply endorsement by \
        the University of Minnesota or GroupLens; acknowledge the data set in publications (F. Maxwell Harper and \
        Joseph A. Konstan, 2015, The MovieLens Datasets: History and Context, ACM TiiS 5(4)); do not redistribute it \
        without separate permission; no commercial or revenue-bearing use without permission. The full terms are in \
        the README of the unpacked folder.
        """

    static let all: [MovieLensDataset] = [
        MovieLensDataset(name: "ml-100k", file: "ml-100k.zip", folder: "ml-100k", md5: "0e33842e24a9c977be4e0107933c0723",
                         license: "License: MovieLens 100K, (c) GroupLens Research, University of Minnesota. " + terms),
        MovieLensDataset(name: "ml-1m", file: "ml-1m.zip", folder: "ml-1m", md5: "c4d9eecfca2ab87c1945afe126590906",
                         license: "License: MovieLens 1M, (c) GroupLens Research, University of Minnesota. " + terms),
        MovieLensDataset(name: "ml-latest-small", file: "ml-latest-small.zip", folder: "ml-latest-small", md5: nil,
                         license: "License: MovieLens Latest (small), (c) GroupLens Research, University of Minnesota. " + terms),
        MovieLensDataset(name: "ml-25m", file: "ml-25m.zip", folder: "ml-25m", md5: "6b51fb2759a8657d3bfcbfc42b592ada",
                         license: "License: MovieLens 25M, (c) GroupLens Research, University of Minnesota. " + terms),
    ]
}

/// Blocking HTTP(S) transfers for the command line, with clear errors.
enum HTTPDownload {
    /// Downloads `url` into `file` (replacing it), reporting bytes done and the total when known.
    static func file(_ url: URL, to file: URL, progress: (@Sendable (Int64, Int64?) -> Void)?) throws {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: file) else {
            throw OptionError("cannot write \(file.path)")
        }
        let delegate = StreamingDelegate(handle: handle, progress: progress)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: url).resume()
        delegate.done.wait()
        try? handle.close()
        let outcome = delegate.state.withLock { $0 }
        if let error = outcome.failure { throw describe(error, url) }
        if let status = outcome.status, status != 200 {
            throw OptionError("\(url.absoluteString): the server answered HTTP \(status)")
        }
        if let expected = outcome.expected, expected != outcome.received {
            throw OptionError("\(url.absoluteString): the download stopped after \(outcome.received) of \(expected) bytes")
        }
    }

    /// The text at `url`.
    static func text(_ url: URL) throws -> String {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("latent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try file(url, to: temporary, progress: nil)
        return String(decoding: try Data(contentsOf: temporary), as: UTF8.self)
    }

    static func describe(_ error: any Error, _ url: URL) -> OptionError {
        let host = url.host ?? url.absoluteString
        let code = (error as? URLError)?.code
        switch code {
        case .notConnectedToInternet?, .cannotFindHost?, .dnsLookupFailed?, .cannotConnectToHost?, .networkConnectionLost?, .timedOut?:
            return OptionError("cannot reach \(host) (\(error.localizedDescription)): are you offline? Download \(url.absoluteString) by other means and unpack it yourself")
        default:
            return OptionError("downloading \(url.absoluteString) failed: \(error.localizedDescription)")
        }
    }
}

/// Writes each received chunk to a file and signals the end; what it learns is behind a lock, read after the end.
private final class StreamingDelegate: NSObject, URLSessionDataDelegate, Sendable {
    struct State {
        var received: Int64 = 0
        var expected: Int64?
        var status: Int?
        var failure: (any Error)?
        var lastReport = ContinuousClock.now
    }

    let handle: FileHandle
    let progress: (@Sendable (Int64, Int64?) -> Void)?
    let done = DispatchSemaphore(value: 0)
    let state = Locked(State())

    init(handle: FileHandle, progress: (@Sendable (Int64, Int64?) -> Void)?) {
        self.handle = handle
        self.progress = progress
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode
        state.withLock {
            $0.status = status
            $0.expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        }
        completionHandler(status == 200 ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        handle.write(data)
        let report = state.withLock { s -> (Int64, Int64?)? in
            s.received += Int64(data.count)
            let now = ContinuousClock.now
            guard s.lastReport.duration(to: now) > .milliseconds(200) || s.received == s.expected else { return nil }
            s.lastReport = now
            return (s.received, s.expected)
        }
        if let report { progress?(report.0, report.1) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let report = state.withLock { s -> (Int64, Int64?) in
            // A cancelled non-200 response is reported by its status, not as an error.
            if let error, !(s.status != nil && s.status != 200 && (error as? URLError)?.code == .cancelled) { s.failure = error }
            return (s.received, s.expected)
        }
        progress?(report.0, report.1)
        done.signal()
    }
}

/// Unpacks a zip with the tools the system has: `unzip`, else `python3 -m zipfile`, else `bsdtar`.
enum Unzip {
    static func extract(_ zip: URL, into folder: URL) throws {
        let candidates: [(String, [String])] = [
            ("unzip", ["-q", "-o", zip.path, "-d", folder.path]),
            ("python3", ["-m", "zipfile", "-e", zip.path, folder.path]),
            ("bsdtar", ["-x", "-f", zip.path, "-C", folder.path]),
        ]
        for (tool, arguments) in candidates {
            guard let path = which(tool) else { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw OptionError("\(tool) could not unpack \(zip.path): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return
        }
        throw OptionError("\(zip.path) is downloaded and verified, but unpacking it needs `unzip` (e.g. apt-get install unzip), python3 or bsdtar, and none is on the PATH")
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// MD5 (RFC 1321), for checking downloads against the checksums GroupLens publishes. Not for security.
struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    private static let constants: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var rest = bytes[...]
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, rest.count)
            buffer += rest.prefix(take)
            rest = rest.dropFirst(take)
            if buffer.count == 64 { buffer.withUnsafeBytes { block($0) }; buffer = [] }
        }
        while rest.count >= 64 {
            block(UnsafeRawBufferPointer(rebasing: rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        buffer += rest
    }

    mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The digest as 32 lowercase hex digits.
    mutating func finish() -> String {
        let bits = length &* 8
        var padding: [UInt8] = [0x80]
        while (buffer.count + padding.count) % 64 != 56 { padding.append(0) }
        for i in 0..<8 { padding.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
        let saved = length
        padding.withUnsafeBytes { update($0) }
        length = saved
        return [state.0, state.1, state.2, state.3].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
            .map { String(format: "%02x", $0) }.joined()
    }

    private mutating func block(_ p: UnsafeRawBufferPointer) {
        var m = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 {
            m[i] = UInt32(p[4 * i]) | UInt32(p[4 * i + 1]) << 8 | UInt32(p[4 * i + 2]) << 16 | UInt32(p[4 * i + 3]) << 24
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32, g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ MD5.constants[i] &+ m[g]
            a = d
            d = c
            c = b
            let s = MD5.shifts[i]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }

    /// The MD5 of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        var md5 = MD5()
        bytes.withUnsafeBytes { md5.update($0) }
        return md5.finish()
    }

    /// The MD5 of the file at `url`, read in 1 MiB pieces.
    static func hex(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var md5 = MD5()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { md5.update(chunk) }
        return md5.finish()
    }
}
