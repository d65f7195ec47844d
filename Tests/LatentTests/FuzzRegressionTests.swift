import Foundation
import Testing
@testable import Latent

/// Inputs the fuzzers (`scripts/fuzz`) found to crash, each replayed the way its target used it, so that the fix
/// stays fixed. Add each new crashing input here, base64-encoded, with what it broke.
@Suite struct FuzzRegressionTests {
    /// The `model` target: bytes whose first byte is odd are a body wrapped in a valid header and checksum.
    func replayModel(_ base64: String) throws -> Result<any Recommender, any Error> {
        var bytes = [UInt8](try #require(Data(base64Encoded: base64)))
        if let first = bytes.first, first & 1 == 1 {
            let body = Array(bytes.dropFirst())
            var file = ModelFile.magic
            withUnsafeBytes(of: ModelFile.formatVersion.littleEndian) { file.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(body.count).littleEndian) { file.append(contentsOf: $0) }
            file.append(contentsOf: body)
            withUnsafeBytes(of: ModelFile.checksum(file).littleEndian) { file.append(contentsOf: $0) }
            bytes = file
        }
        return Result { try ModelRegistry.model(from: ModelFile.decode(bytes)) }
    }

    @Test func aFactorShapeWhoseProductOverflowsIsAnError() throws {
        // model-crash-07ad3104: user_factors.shape = [3, 4.5e18]; the product trapped in ModelArchive.matrix.
        let result = try replayModel("AQcAAABmYWN0b3JzCQAAAGl0ZW0tbWVhbgEAAAAJAAAAc2hyaW5rYWdlAwAAADAuMA4AAAABDAAAAGRvbWFpbi5pdGVtcwMAAAAAAAAAAQAAAGEBAAAAYgEAAABjAQwAAABkb21haW4udXNlcnMDAAAAAAAAAAIAAAB1MQIAAAB1MgIAAAB1MwIMAAAAZG9tYWluLnNjYWxlAgAAAAAAAAAAAIA/AACgQAISAAAAZG9tYWluLnNlZW4udmFsdWVzBwAAAAAAAAAAAKBAAABAQAAAAEAAAIBAAACAPwAAAEAAAKBAAg0AAABmb2xkX2luLnJpZGdlAQAAAAAAAAAAAAAAAgkAAABpdGVtX2JpYXMDAAAAAAAAANy2rT9IkiS/O8/zvgIMAAAAaXRlbQwAAAAAAAAAAAAAAAAAAAACAgAAAG11AQAAAAAAAACSJElAAgkAAAB1c2VyX2JpYXMAAAAAAAAAAAIMAAAAdXNlcl9mYWN0b3JzAAAAAAAAAAADEQAAAGRvbWFpbi5zZWVuLml0ZW1zBwAAAAAAAAAAAAAAAQAAAAIAAAAAAAAAAgAAAAEAAAACAAAABBMAAABkb21haW4uc2Vlbi5vZmZzZXRzBAAAAAAAAAAAAAAAAAAAAAMAAAAAAAAABQAAAAAAAAAHAAAAAAAAAAQSAAAAaXRlbV9mYWN0b3JzLnNoYXBlAgAAAAAAAAADAAAAAAAAAAAAAAAAAAAABBIAAAB1c2VyX2ZhY3RvcnMuc2hhcGUCAAAAAAAAAANwdGlvbmFsPtFnOz4AAAA=")
        #expect(throws: ModelFileError.inconsistent("matrix user_factors has a bad shape")) { try result.get() }
    }
}
