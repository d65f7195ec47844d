import Foundation
import Latent
import Logging
import NIOCore
import Testing
@testable import LatentServer

/// The hand-written JSON of the busy routes: the same bytes as `JSONEncoder` with sorted keys, and the same values
/// when `JSONSerialization` reads it back.
@Suite("Hand-written JSON responses")
struct ResponseJSONTests {
    /// Text with every character JSON escapes, slashes, non-ASCII text and a character outside the BMP.
    static let awkward: String = {
        var s = "Say \"hi\" \\ a/b é 😀 \u{7f}\u{2028}"
        for c in UInt8(0)..<0x20 { s.unicodeScalars.append(Unicode.Scalar(c)) }
        return s
    }()

    static let scores: [Float] = [4.6, 5, 1, -0.25, 0.1, 1e-5, 123456.78, 3.4e38, -1e-7, 0, 2.7182817, -12.5]

    func encoder<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    func hand<T: HandWrittenJSON>(_ value: T) throws -> String {
        var text = JSONText(capacity: 16)
        try value.writeJSON(to: &text)
        return String(buffer: text.buffer)
    }

    /// Hand-written bytes equal the encoder's, and JSONSerialization reads both as the same value.
    func check<T: Encodable & HandWrittenJSON>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let mine = try hand(value), theirs = try encoder(value)
        #expect(mine == theirs, sourceLocation: sourceLocation)
        let a = try JSONSerialization.jsonObject(with: Data(mine.utf8)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(theirs.utf8)) as? NSDictionary
        #expect(a != nil && a == b, sourceLocation: sourceLocation)
    }

    @Test("recommendations and related items, with and without titles")
    func itemLists() throws {
        let scored = Self.scores.enumerated().map { ScoredID(id: "i\($0.offset)", score: $0.element) }
        let titles = ["i0": Self.awkward, "i1": "Pather Panchali (1955)", "i3": "", "i4": "Amélie / Le fabuleux destin"]
        try check(ItemListReport(user: "196", recommendations: scored, titles: titles))
        try check(ItemListReport(user: Self.awkward, recommendations: scored))
        try check(ItemListReport(item: "50", related: scored, titles: titles))
        try check(ItemListReport(user: "nobody", recommendations: []))
        #expect(try hand(ItemListReport(user: "7", recommendations: [ScoredID(id: "50", score: 4.6)], titles: ["50": "Star Wars (1977)"]))
                == #"{"items":[{"item":"50","score":4.6,"title":"Star Wars (1977)"}],"user":"7"}"#)
    }

    @Test("similar users, predictions, rating posts and errors")
    func otherShapes() throws {
        try check(SimilarUsersReport(user: "u/1", similar: Self.scores.enumerated().map { ScoredID(id: "u\($0.offset)", score: $0.element) }))
        try check(SimilarUsersReport(user: "x", similar: []))
        for (n, score) in Self.scores.enumerated() {
            try check(PredictionReport(user: "u\(n)", item: Self.awkward, prediction: score, knownUser: n % 2 == 0, knownItem: n % 3 == 0))
        }
        try check(PostReport(user: "web-1", stored: 3, ratings: 12))
        try check(ErrorReport(error: "entry 0: rating 99.0 of item '50' is outside the model's scale 1.0 to 5.0"))
        try check(ErrorReport(error: Self.awkward))
        #expect(try hand(PredictionReport(user: "1", item: "2", prediction: 3, knownUser: true, knownItem: false))
                == #"{"item":"2","known_item":false,"known_user":true,"prediction":3,"user":"1"}"#)
    }

    @Test("a score that is not finite is an error, as with the encoder")
    func notFinite() throws {
        for value in [Float.infinity, -.infinity, .nan] {
            let report = SimilarUsersReport(user: "u", similar: [ScoredID(id: "v", score: value)])
            #expect(throws: EncodingError.self) { try hand(report) }
            #expect(throws: EncodingError.self) { try encoder(report) }
        }
    }
}

/// The request log: one line per request, formatted cheaply and written from a buffer.
@Suite("Buffered request log")
struct RequestLogTests {
    @Test("lines read as StreamLogHandler's, in order; info waits for a flush, notice is written at once")
    func lines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("latent-log-\(UUID().uuidString)").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd); unlink(path) }
        let output = BufferedLogOutput(fileDescriptor: fd, interval: nil)
        var logger = Logger(label: "latent.test") { BufferedLogHandler(label: $0, output: output) }
        logger.logLevel = .info
        func written() throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        logger.debug("not logged")
        logger.info("GET /health 200 0.05 ms")
        logger.info("second", metadata: ["b": "2", "a": "1"])
        #expect(try written().isEmpty)
        logger.notice("listening")
        let lines = try written()
        #expect(lines.count == 3)
        let stamp = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 /#
        #expect(lines.allSatisfy { $0.prefixMatch(of: stamp) != nil })
        #expect(lines.map { String($0.dropFirst(25)) } == [
            "info latent.test: [LatentServerTests] GET /health 200 0.05 ms",
            "info latent.test: a=1 b=2 [LatentServerTests] second",
            "notice latent.test: [LatentServerTests] listening",
        ])
        logger.info("third")
        output.flush()
        #expect(try written().count == 4)
    }

    @Test("the timestamp is the UTC time of the second")
    func timestamp() {
        #expect(String(decoding: BufferedLogOutput.timestamp(0), as: UTF8.self) == "1970-01-01T00:00:00+0000")
        #expect(String(decoding: BufferedLogOutput.timestamp(1_764_115_412), as: UTF8.self) == "2025-11-26T00:03:32+0000")
    }

    @Test("milliseconds with two decimals, rounded half up")
    func milliseconds() {
        #expect(RequestLogMiddleware.milliseconds(0) == "0.00")
        #expect(RequestLogMiddleware.milliseconds(54_999) == "0.05")
        #expect(RequestLogMiddleware.milliseconds(1_234_567) == "1.23")
        #expect(RequestLogMiddleware.milliseconds(1_235_000) == "1.24")
        #expect(RequestLogMiddleware.milliseconds(12_300_000) == "12.30")
        #expect(RequestLogMiddleware.milliseconds(1_500_000_000) == "1500.00")
    }
}
