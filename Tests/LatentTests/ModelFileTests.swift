import Foundation
import Testing
@testable import Latent

@Suite struct ModelFileTests {
    @Test func archiveRoundTripsThroughBytes() throws {
        var a = ModelArchive(kind: "k", model: "m", parameters: ["x": "1", "é": "ü"])
        a.strings["s"] = ["a", "", "ü"]
        a.floats["f"] = [1.5, -2, .pi]
        a.int32s["i"] = [1, -7, Int32.max]
        a.int64s["l"] = [0, Int64.min]
        let decoded = try ModelFile.decode(ModelFile.encode(a))
        #expect(decoded == a)
    }

    @Test func factorModelRoundTripsThroughAFile() throws {
        let model = CoreModelTests.handModel()
        let dir = TestData.temporaryDirectory()
        let url = dir.appendingPathComponent("hand.latent")
        try model.save(to: url)
        let loaded = try ModelRegistry.load(from: url)
        #expect(loaded.name == "hand")
        for (u, i) in [("u1", "a"), ("u2", "d"), ("x", "b")] {
            #expect(loaded.predict(user: u, item: i) == model.predict(user: u, item: i))
        }
        #expect(try loaded.recommend(user: "u1").map(\.id) == ["b", "d"])
        // Written atomically: nothing else is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["hand.latent"])
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = ModelFile.encode(CoreModelTests.handModel().archive())
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: ModelFileError.self) { try ModelFile.decode(Array(bytes[0..<cut])) }
        }
    }

    @Test func aFlippedByteIsReportedAsCorruption() {
        var bytes = ModelFile.encode(CoreModelTests.handModel().archive())
        bytes[bytes.count / 2] ^= 0x40
        #expect(throws: ModelFileError.checksumMismatch(path: "model")) { try ModelFile.decode(bytes) }
    }

    @Test func aNewerVersionAndAForeignFileAreRefused() {
        var bytes = ModelFile.encode(CoreModelTests.handModel().archive())
        bytes[8] = 99
        #expect(throws: ModelFileError.unsupportedVersion(path: "model", found: 99, supported: ModelFile.formatVersion)) {
            try ModelFile.decode(bytes)
        }
        #expect(throws: ModelFileError.notAModelFile(path: "model")) { try ModelFile.decode(Array("196\t242\t3\n".utf8)) }
    }

    @Test func anInconsistentArchiveIsRefusedNotCrashed() throws {
        var a = CoreModelTests.handModel().archive()
        a.floats["item_bias"] = [1, 2] // four items
        #expect(throws: ModelFileError.self) { try ModelRegistry.model(from: a) }
        var b = CoreModelTests.handModel().archive()
        b.int32s["domain.seen.items"] = [0, 1, 2, 99]
        #expect(throws: ModelFileError.self) { try ModelRegistry.model(from: b) }
        var c = CoreModelTests.handModel().archive()
        c.kind = "quantum"
        #expect(throws: ModelFileError.unknownKind("quantum")) { try ModelRegistry.model(from: c) }
    }
}
