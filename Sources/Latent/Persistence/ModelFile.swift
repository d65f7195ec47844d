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
        var sink = MemorySink()
        // Appending to memory cannot fail.
        try? stream(archive, into: &sink)
        return sink.bytes
    }

    /// The magic bytes, the version and the body length.
    static let headerLength = 8 + 4 + 8

    /// Streams the whole file into `sink`: header, body and the checksum of both, computed as the bytes go by, so
    /// that no second copy of the model is made (the body's length comes from a first pass that only counts).
    static func stream<S: ByteSink>(_ archive: ModelArchive, into sink: inout S) throws {
        var counter = CountingSink()
        body(archive, into: &counter)
        sink.reserve(headerLength + counter.count + 8)
        var checked = ChecksummingSink(inner: sink, checksum: Checksum(count: headerLength + counter.count))
        sink = S.placeholder
        checked.append(magic)
        checked.uint32(formatVersion)
        checked.uint64(UInt64(counter.count))
        body(archive, into: &checked)
        sink = checked.inner
        sink.uint64(checked.checksum.finish())
        try sink.flush()
    }

    /// The body: the archive kind and model name, the parameters (sorted by name), then the named arrays, each typed
    /// and counted.
    static func body<S: ByteSink>(_ archive: ModelArchive, into body: inout S) {
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
        func section<T: BitwiseCopyable>(_ type: UInt8, _ arrays: [String: [T]]) {
            for (key, array) in arrays.sorted(by: { $0.key < $1.key }) {
                body.uint8(type); body.string(key)
                body.array(array)
            }
        }
        section(2, archive.floats)
        section(3, archive.int32s)
        section(4, archive.int64s)
    }

    /// The archive in `bytes`; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "model") throws -> ModelArchive {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ModelFileError.notAModelFile(path: path)
        }
        var header = ByteReader(bytes: bytes, position: magic.count, path: path, limit: bytes.count)
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
        var tail = ByteReader(bytes: bytes, position: end, path: path, limit: bytes.count)
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
            case 1: archive.strings[name] = try (0..<r.count(elementSize: 4)).map { _ in try r.string() }
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
    /// only over a regular file, through a temporary file renamed into place). The bytes are streamed to the file:
    /// no copy of the model is made in memory.
    public static func write(_ archive: ModelArchive, to url: URL, inputs: [URL] = []) throws {
        try OutputFile.write(to: url, inputs: inputs) { sink in
            var buffered = BufferedOutput(sink: sink)
            try stream(archive, into: &buffered)
        }
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

    /// A 64-bit checksum over `bytes`, eight bytes at a time (a multiply-xorshift mix of each little-endian word).
    static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var sum = Checksum(count: bytes.count)
        if bytes.withContiguousStorageIfAvailable({ sum.update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { sum.update($0) }
        }
        return sum.finish()
    }
}

/// The model file checksum, fed in pieces: h starts from the byte count, each 8-byte little-endian word w mixes in
/// as h = (h ^ w) * 0x9E3779B97F4A7C15, h ^= h >> 32; the last partial word and its bit count finish it.
struct Checksum {
    private var h: UInt64
    private var word: UInt64 = 0
    private var shift: UInt64 = 0

    /// A checksum of `count` bytes in all.
    init(count: Int) { h = 0x243F_6A88_85A3_08D3 ^ UInt64(count) }

    @inline(__always)
    private mutating func mix(_ w: UInt64) {
        h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
    }

    /// Feeds the next bytes.
    mutating func update(_ b: UnsafeRawBufferPointer) {
        var i = 0
        while shift != 0 && i < b.count {
            word |= UInt64(b[i]) << shift
            shift += 8
            i += 1
            if shift == 64 {
                mix(word)
                word = 0
                shift = 0
            }
        }
        while i + 8 <= b.count {
            mix(UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        while i < b.count {
            word |= UInt64(b[i]) << shift
            shift += 8
            i += 1
        }
    }

    /// The checksum of everything fed.
    func finish() -> UInt64 {
        var h = (self.h ^ word ^ shift) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return h
    }
}

/// Where the encoder's bytes go, with the encodings of the file's fields (little-endian).
protocol ByteSink {
    /// A sink that holds nothing, to stand in while the real one is moved into a wrapper.
    static var placeholder: Self { get }
    mutating func append(_ raw: UnsafeRawBufferPointer)
    /// Room for `count` bytes in all, where the sink keeps them.
    mutating func reserve(_ count: Int)
    /// Sends buffered bytes on (to the file); errors seen so far are thrown here.
    mutating func flush() throws
}

extension ByteSink {
    mutating func reserve(_ count: Int) {}
    mutating func flush() throws {}
    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }
    mutating func uint8(_ v: UInt8) { withUnsafeBytes(of: v) { append($0) } }
    mutating func uint32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { append($0) } }
    mutating func uint64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { append($0) } }
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            uint32(UInt32(utf8.count))
            append(UnsafeRawBufferPointer(utf8))
        }
    }
    /// Raw little-endian element bytes after a UInt64 count (Latent runs on little-endian platforms only).
    mutating func array<T: BitwiseCopyable>(_ a: [T]) {
        uint64(UInt64(a.count))
        a.withUnsafeBytes { append($0) }
    }
}

/// Counts the bytes only: the first pass that finds the body's length.
struct CountingSink: ByteSink {
    var count = 0
    static var placeholder: CountingSink { CountingSink() }
    mutating func append(_ raw: UnsafeRawBufferPointer) { count += raw.count }
}

/// Collects the bytes in memory.
struct MemorySink: ByteSink {
    var bytes: [UInt8] = []
    static var placeholder: MemorySink { MemorySink() }
    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }
    mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }
}

/// Passes the bytes on to another sink, updating a checksum.
struct ChecksummingSink<Inner: ByteSink>: ByteSink {
    var inner: Inner
    var checksum: Checksum
    static var placeholder: ChecksummingSink { ChecksummingSink(inner: .placeholder, checksum: Checksum(count: 0)) }
    mutating func append(_ raw: UnsafeRawBufferPointer) {
        checksum.update(raw)
        inner.append(raw)
    }
}

/// Sends the bytes to an ``OutputSink`` through a 1 MiB buffer; the first write error is kept and thrown by
/// ``flush()``.
struct BufferedOutput: ByteSink {
    private var sink: OutputSink?
    private var buffer: [UInt8] = []
    private var failure: (any Error)?
    private static let capacity = 1 << 20

    static var placeholder: BufferedOutput { BufferedOutput(sink: nil) }

    init(sink: OutputSink?) {
        self.sink = sink
        if sink != nil { buffer.reserveCapacity(Self.capacity) }
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        if buffer.count + raw.count > Self.capacity { drain() }
        if raw.count >= Self.capacity {
            put(raw)
        } else {
            buffer.append(contentsOf: raw)
        }
    }

    private mutating func drain() {
        buffer.withUnsafeBytes { put($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func put(_ raw: UnsafeRawBufferPointer) {
        guard failure == nil, raw.count > 0 else { return }
        do { try sink?.write(raw) } catch { failure = error }
    }

    mutating func flush() throws {
        drain()
        if let failure { throw failure }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    let path: String
    var limit: Int

    mutating func take(_ n: Int) throws -> Range<Int> {
        guard n >= 0, position <= limit - n else { throw ModelFileError.truncated(path: path) }
        defer { position += n }
        return position..<(position + n)
    }
    mutating func uint8() throws -> UInt8 { bytes[try take(1).lowerBound] }
    mutating func uint32() throws -> UInt32 { try littleEndian() }
    mutating func uint64() throws -> UInt64 { try littleEndian() }
    mutating func littleEndian<T: FixedWidthInteger & UnsignedInteger>() throws -> T {
        var v: T = 0
        for (k, i) in try take(MemoryLayout<T>.size).enumerated() { v |= T(bytes[i]) << (8 * k) }
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
