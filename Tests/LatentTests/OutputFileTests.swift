import Foundation
import Testing
@testable import Latent

/// Issue 8, class 1: the output path policy of ``OutputFile``, used by the model file and the generator.
@Suite struct OutputFileTests {
    let dir = TestData.temporaryDirectory()

    func contents(_ name: String) throws -> String { try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) }
    func put(_ text: String, _ name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url
    }
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    @Test func neverOverwritesAnInputEvenUnderAnotherPath() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try put("1 2 3\n", "u.data")
        // Before: the model replaced the training data.
        #expect(throws: OutputError.isAnInput(path: data.path, input: data.path)) {
            try OutputFile.write(Array("model".utf8), to: data, inputs: [data])
        }
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: data)
        let hard = dir.appendingPathComponent("hard")
        try FileManager.default.linkItem(at: data, to: hard)
        for other in [link, hard, URL(fileURLWithPath: dir.path + "/./u.data")] {
            #expect(throws: OutputError.isAnInput(path: other.path, input: data.path)) {
                try OutputFile.write(Array("model".utf8), to: other, inputs: [data])
            }
        }
        #expect(try contents("u.data") == "1 2 3\n")
        #expect(OutputError.isAnInput(path: "a", input: "b").description
                == "a: refusing to overwrite an input of this command (it is b); choose another output path")
    }

    @Test func refusesWhatIsNotARegularFile() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: OutputError.notARegularFile(path: dir.path, kind: "a directory")) { try OutputFile.write([1], to: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        // Before: the FIFO was replaced by a regular file.
        #expect(throws: OutputError.notARegularFile(path: fifo.path, kind: "a FIFO (named pipe)")) { try OutputFile.write([1], to: fifo) }
        let null = URL(fileURLWithPath: "/dev/null")
        #expect(throws: OutputError.notARegularFile(path: null.path, kind: "a device")) { try OutputFile.write([1], to: null) }
        #expect(OutputError.notARegularFile(path: "d", kind: "a directory").description
                == "d: is a directory, not a regular file; the output must be a file path")
    }

    @Test func followsASymbolicLinkAndKeepsTheMode() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = try put("old", "target.latent")
        #expect(chmod(target.path, 0o640) == 0)
        let link = dir.appendingPathComponent("model.latent")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "target.latent")
        try OutputFile.write(Array("new".utf8), to: link)
        // The link stays a link; its target has the new bytes and its old permission bits.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "target.latent")
        #expect(try contents("target.latent") == "new")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int)
        #expect(mode == 0o640)
        #expect(try listing() == ["model.latent", "target.latent"])
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporary() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try put("old", "model.latent")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try OutputFile.write(to: url) { sink in
                try Array("half".utf8).withUnsafeBytes { try sink.write($0) }
                throw Stop()
            }
        }
        #expect(try contents("model.latent") == "old")
        #expect(try listing() == ["model.latent"])
    }

    @Test func leftoversOfDeadProcessesAreRemovedAndOthersKept() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        // A process killed during a write on a file system without unnamed files leaves `.NAME.tmp-PID`.
        _ = try put("dead", ".model.latent.tmp-2147483000")
        _ = try put("alive", ".model.latent.tmp-\(getppid())")
        _ = try put("other", ".other.latent.tmp-2147483000")
        try OutputFile.write(Array("new".utf8), to: dir.appendingPathComponent("model.latent"))
        #expect(try listing() == [".model.latent.tmp-\(getppid())", ".other.latent.tmp-2147483000", "model.latent"])
    }

    @Test func modelFilesAndGeneratedDataFollowThePolicy() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try put("1 2 3\n", "ratings.txt")
        let archive = ModelArchive(kind: "test", model: "test")
        #expect(throws: OutputError.isAnInput(path: data.path, input: data.path)) { try ModelFile.write(archive, to: data, inputs: [data]) }
        #expect(throws: OutputError.isAnInput(path: data.path, input: data.path)) {
            try SyntheticData(users: 3, items: 3, ratings: 4).write(to: data, inputs: [data])
        }
        #expect(throws: OutputError.notARegularFile(path: dir.path, kind: "a directory")) {
            try SyntheticData(users: 3, items: 3, ratings: 4).write(to: dir)
        }
        #expect(try contents("ratings.txt") == "1 2 3\n")
        // Reading a model that is not there says so in words, without Foundation's error domains.
        let missing = dir.appendingPathComponent("missing.latent")
        #expect(throws: ModelFileError.io(path: missing.path, reason: "no such file")) { try ModelFile.read(from: missing) }
    }
}
