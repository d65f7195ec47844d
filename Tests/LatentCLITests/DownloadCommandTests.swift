import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import LatentCLI

/// `latent download` end to end against an HTTP server on 127.0.0.1 started by the test, serving a zip the test
/// makes: no network.
@Suite("latent download", .serialized)
struct DownloadCommandTests {
    @Test("MD5 of the RFC 1321 test suite")
    func md5() {
        #expect(MD5.hex(Array("".utf8)) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8))
            == "57edf4a22be3c955ac49da2e2107b67a")
        // Across block boundaries, fed in pieces.
        var md5 = MD5()
        let text = Array(String(repeating: "message digest", count: 20).utf8)
        for piece in stride(from: 0, to: text.count, by: 37) {
            text[piece..<min(text.count, piece + 37)].withUnsafeBytes { md5.update($0) }
        }
        #expect(md5.finish() == MD5.hex(text))
    }

    @Test("ml-100k: downloaded, verified, unpacked, license printed; a wrong checksum and a cut download leave nothing")
    func download() throws {
        let zip = ZipWriter.stored(["ml-100k/u.data": "1\t2\t5\t881250949\n2\t3\t4\t881250950\n",
                                    "ml-100k/README": "the test's README\n"])
        let server = try TestHTTPServer(routes: ["/ml-100k.zip": zip, "/short/ml-100k.zip": zip])
        defer { server.stop() }
        let dir = temporaryDirectory()
        let md5 = MD5.hex(zip)

        let run = try runLatent(["download", "ml-100k", "--to", dir.path, "--mirror", server.base, "--md5", md5, "--quiet"])
        let unpacked = dir.appendingPathComponent("ml-100k/u.data")
        if Unzip.which("unzip") ?? Unzip.which("python3") ?? Unzip.which("bsdtar") != nil {
            #expect(try String(contentsOf: unpacked, encoding: .utf8) == "1\t2\t5\t881250949\n2\t3\t4\t881250950\n")
            #expect(run.output.hasPrefix("ml-100k: ml-100k.zip verified (MD5 \(md5)) and unpacked into \(dir.appendingPathComponent("ml-100k").path)\n"))
            #expect(run.output.contains("License: MovieLens 100K, (c) GroupLens Research"))
        }
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ml-100k.zip").path))

        // The built-in checksum is GroupLens's: the test's zip is refused, and nothing is left behind.
        let other = temporaryDirectory()
        let refused = errorMessage(["download", "ml-100k", "--to", other.path, "--mirror", server.base, "--quiet"])
        #expect(refused == "ml-100k.zip: MD5 checksum \(md5) does not match the expected 0e33842e24a9c977be4e0107933c0723: the download is damaged or not GroupLens's file; nothing was kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: other.path).isEmpty)

        // A response cut short: an error, and no partial file.
        let cut = temporaryDirectory()
        let short = errorMessage(["download", "ml-100k", "--to", cut.path, "--mirror", server.base + "short/", "--md5", md5, "--quiet"])
        #expect(short?.contains("ml-100k.zip") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cut.path).isEmpty)

        // A missing file: the status, nothing kept.
        let missing = temporaryDirectory()
        #expect(errorMessage(["download", "ml-1m", "--to", missing.path, "--mirror", server.base, "--quiet"])
            == "\(server.base)ml-1m.zip: the server answered HTTP 404")
        #expect(try FileManager.default.contentsOfDirectory(atPath: missing.path).isEmpty)
    }

    @Test("no server: a clear error that says the host cannot be reached; unknown names are refused")
    func offline() throws {
        let port = try TestHTTPServer.unusedPort()
        let dir = temporaryDirectory()
        let message = try #require(errorMessage(["download", "ml-100k", "--to", dir.path, "--mirror", "http://127.0.0.1:\(port)/", "--quiet"]))
        #expect(message.hasPrefix("cannot reach 127.0.0.1 ("))
        #expect(message.contains("are you offline?"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(errorMessage(["download", "ml-5m", "--to", dir.path])
            == "unknown data set 'ml-5m'; data sets: ml-100k, ml-1m, ml-latest-small, ml-25m")
    }
}

/// A zip of stored (uncompressed) entries, enough for the tests.
enum ZipWriter {
    static func stored(_ files: [String: String]) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: UInt32, _ a: inout [UInt8]) { for i in 0..<4 { a.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        for name in files.keys.sorted() {
            let data = Array(files[name]!.utf8), nameBytes = Array(name.utf8), crc = crc32(data)
            let offset = UInt32(out.count)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0x21, &out)
            u32(crc, &out); u32(UInt32(data.count), &out); u32(UInt32(data.count), &out)
            u16(nameBytes.count, &out); u16(0, &out); out += nameBytes + data
            u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0x21, &central); u32(crc, &central); u32(UInt32(data.count), &central)
            u32(UInt32(data.count), &central); u16(nameBytes.count, &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0, &central); u32(0o100644 << 16, &central); u32(offset, &central); central += nameBytes
        }
        let centralOffset = UInt32(out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(files.count, &out); u16(files.count, &out)
        u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(0, &out)
        return out
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// A one-thread HTTP/1.0 server on 127.0.0.1 and a free port: GET of a route answers its bytes; a route under
/// `/short/` announces the full length but sends half and closes; anything else is 404.
final class TestHTTPServer: @unchecked Sendable {
    private let socketFD: Int32
    let port: UInt16
    private let routes: [String: [UInt8]]
    private let thread: Thread?

    var base: String { "http://127.0.0.1:\(port)/" }

    init(routes: [String: [UInt8]]) throws {
        self.routes = routes
        (socketFD, port) = try TestHTTPServer.listen()
        let fd = socketFD, routes = routes
        let t = Thread { TestHTTPServer.serve(fd, routes) }
        thread = t
        t.start()
    }

    func stop() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }

    /// A port nothing listens on (bound, then closed).
    static func unusedPort() throws -> UInt16 {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    private static func listen() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private static func serve(_ fd: Int32, _ routes: [String: [UInt8]]) {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
            let path = line.count > 1 ? String(line[1]) : ""
            var response: [UInt8]
            if let body = routes[path] {
                let sent = path.hasPrefix("/short/") ? Array(body.prefix(body.count / 2)) : body
                response = Array("HTTP/1.0 200 OK\r\nContent-Type: application/zip\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + sent
            } else {
                response = Array("HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".utf8)
            }
            var offset = 0
            while offset < response.count {
                let n = response[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                offset += n
            }
            close(client)
        }
    }
}
