import Foundation

/// The Latent model file format.
///
/// Layout (little-endian): the 8 magic bytes `LATENTMF`, a UInt32 format version, a UInt64 body length, the body,
/// and a UInt64 checksum of everything before it. The body holds the archive kind and model name, the parameters
/// (sorted by name), then the named arrays, each typed and counted. Files are written by ``OutputFile``: whole or
/// not at all.
public enum ModelFile {
    /// The format version this build writes and the newest it reads.
    public static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("LATENTMF".utf8)

    /// The bytes of `archive` in the file format.
    public static func encode(_ archive: ModelArchive) -> [UInt8] {
        var body = ByteWriter()
        body.string(archive.kind)
        body.string(archive.model)
        body.uint32(UInt32(archive.parameters.count))
        for key in archive.parameters.keys.sorted() {
            body.string(key)
            body.string(archive.parameters[key]!)
        }
        let sectionCount = archive.strings.count + archive.floats.count + archive.int32s.count + archive.int64s.count
        body.uint32(UInt32(sectionCount))
        for key in archive.strings.keys.sorted() {
            body.uint8(1); body.string(key)
            let list = archive.strings[key]!
            body.uint64(UInt64(list.count))
            for s in list { body.string(s) }
        }
        for key in archive.floats.keys.sorted() {
            body.uint8(2); body.string(key)
            body.array(archive.floats[key]!)
        }
        for key in archive.int32s.keys.sorted() {
            body.uint8(3); body.string(key)
            body.array(archive.int32s[key]!)
        }
        for key in archive.int64s.keys.sorted() {
            body.uint8(4); body.string(key)
            body.array(archive.int64s[key]!)
        }
        var file = ByteWriter()
        file.bytes.reserveCapacity(body.bytes.count + 28)
        file.bytes.append(contentsOf: magic)
        file.uint32(formatVersion)
        file.uint64(UInt64(body.bytes.count))
        file.bytes.append(contentsOf: body.bytes)
        file.uint64(checksum(file.bytes))
        return file.bytes
    }

    /// The archive in `bytes`; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "model") throws -> ModelArchive {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ModelFileError.notAModelFile(path: path)
        }
        var header = ByteReader(bytes: bytes, position: magic.count, path: path)
        let version = try header.uint32()
        guard version <= formatVersion, version >= 1 else {
            throw ModelFileError.unsupportedVersion(path: path, found: version, supported: formatVersion)
        }
        let bodyLength = try header.uint64()
        let bodyStart = header.position
        guard bodyLength <= UInt64(bytes.count), bodyStart + Int(bodyLength) + 8 <= bytes.count else {
            throw ModelFileError.truncated(path: path)
        }
        let end = bodyStart + Int(bodyLength)
        var tail = ByteReader(bytes: bytes, position: end, path: path)
        let stored = try tail.uint64()
        guard stored == checksum(bytes[0..<end]) else { throw ModelFileError.checksumMismatch(path: path) }
        guard tail.position == bytes.count else { throw ModelFileError.inconsistent("extra bytes after the checksum") }

        var r = ByteReader(bytes: bytes, position: bodyStart, path: path, limit: end)
        var archive = ModelArchive(kind: try r.string(), model: try r.string())
        let parameterCount = try r.uint32()
        for _ in 0..<parameterCount {
            let key = try r.string()
            archive.parameters[key] = try r.string()
        }
        let sectionCount = try r.uint32()
        for _ in 0..<sectionCount {
            let type = try r.uint8()
            let name = try r.string()
            switch type {
            case 1:
                let n = try r.count(elementSize: 4)
                var list: [String] = []
                list.reserveCapacity(n)
                for _ in 0..<n { list.append(try r.string()) }
                archive.strings[name] = list
            case 2: archive.floats[name] = try r.array(Float.self)
            case 3: archive.int32s[name] = try r.array(Int32.self)
            case 4: archive.int64s[name] = try r.array(Int64.self)
            default: throw ModelFileError.inconsistent("unknown section type \(type) for \(name)")
            }
        }
        guard r.position == end else { throw ModelFileError.inconsistent("the body has trailing bytes") }
        return archive
    }

    /// Writes `archive` to `url` whole or not at all, by the policy of ``OutputFile`` (never over one of `inputs`,
    /// only over a regular file, through a temporary file renamed into place).
    public static func write(_ archive: ModelArchive, to url: URL, inputs: [URL] = []) throws {
        try OutputFile.write(encode(archive), to: url, inputs: inputs)
    }

    /// Reads the archive stored at `url`.
    public static func read(from url: URL) throws -> ModelArchive {
        let data: Data
        do {
            data = try readWholeFile(url)
        } catch let DataError.unreadable(file, reason) {
            throw ModelFileError.io(path: file, reason: reason)
        }
        return try decode([UInt8](data), path: url.path)
    }

    /// A 64-bit checksum over `bytes`, eight bytes at a time (a multiply-xorshift mix of each word).
    static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for b in bytes {
            word |= UInt64(b) << shift
            shift += 8
            if shift == 64 {
                h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 32
                word = 0
                shift = 0
            }
        }
        h = (h ^ word ^ shift) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return h
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func uint8(_ v: UInt8) { bytes.append(v) }
    mutating func uint32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func uint64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        uint32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    /// Raw little-endian element bytes after a UInt64 count (Latent runs on little-endian platforms only).
    mutating func array<T: FixedWidthInteger>(_ a: [T]) {
        uint64(UInt64(a.count))
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
    mutating func array(_ a: [Float]) {
        uint64(UInt64(a.count))
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    let path: String
    var limit: Int

    init(bytes: [UInt8], position: Int, path: String, limit: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.path = path
        self.limit = limit ?? bytes.count
    }

    mutating func take(_ n: Int) throws -> Range<Int> {
        guard n >= 0, position <= limit - n else { throw ModelFileError.truncated(path: path) }
        defer { position += n }
        return position..<(position + n)
    }
    mutating func uint8() throws -> UInt8 { bytes[try take(1).lowerBound] }
    mutating func uint32() throws -> UInt32 {
        let r = try take(4)
        var v: UInt32 = 0
        for (k, i) in r.enumerated() { v |= UInt32(bytes[i]) << (8 * k) }
        return v
    }
    mutating func uint64() throws -> UInt64 {
        let r = try take(8)
        var v: UInt64 = 0
        for (k, i) in r.enumerated() { v |= UInt64(bytes[i]) << (8 * k) }
        return v
    }
    mutating func string() throws -> String {
        let n = Int(try uint32())
        let r = try take(n)
        guard let s = String(validating: bytes[r], as: UTF8.self) else {
            throw ModelFileError.inconsistent("a name is not valid UTF-8")
        }
        return s
    }
    /// A count of elements of `elementSize` bytes (at least), checked against what is left.
    mutating func count(elementSize: Int) throws -> Int {
        let n = try uint64()
        guard n <= UInt64(limit - position) / UInt64(elementSize) else { throw ModelFileError.truncated(path: path) }
        return Int(n)
    }
    mutating func array<T>(_: T.Type) throws -> [T] {
        let n = try count(elementSize: MemoryLayout<T>.stride)
        let r = try take(n * MemoryLayout<T>.stride)
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[r]))
            }
            initialized = n
        }
    }
}
