import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

/// The built `latent` executable beside the tests, if there is one.
let latentExecutable: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return ["debug", "release"].lazy.map { root.appendingPathComponent(".build/\($0)/latent") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// Runs the `latent` executable with standard output to `stdout` (a path) or a pipe, standard input from `input`;
/// returns the exit status, the output and the error text.
func runExecutable(_ arguments: [String], stdout path: String? = nil, input: String? = nil) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = try #require(latentExecutable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe(), inp = Pipe()
    if let path { process.standardOutput = FileHandle(forWritingAtPath: path) } else { process.standardOutput = out }
    process.standardError = err
    process.standardInput = inp
    try process.run()
    if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
    try inp.fileHandleForWriting.close()
    let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let outText = path == nil ? String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
    process.waitUntilExit()
    return (process.terminationStatus, outText, errText)
}

/// Issue 8: outputs, write failures and messages of the command line.
@Suite struct CLIFaultTests {
    @Test("train never writes its model over its data or into a directory, and says so before training")
    func outputPolicy() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        let before = try Data(contentsOf: data)
        #expect(errorMessage(["train", "--data", data.path, "--model", "baseline", "--output", data.path])
                == "\(data.path): refusing to overwrite an input of this command; choose another output path")
        #expect(try Data(contentsOf: data) == before)
        #expect(errorMessage(["train", "--data", data.path, "--model", "baseline", "--output", dir.path])
                == "\(dir.path): is a directory, not a regular file; the output must be a file path")
        #expect(errorMessage(["generate", "--output", data.path, "--users", "3", "--items", "3", "--ratings", "4", "--seed", "1"]) == nil)
    }

    @Test("generate checks its sizes against the data and the memory, with the limit in the message")
    func generateSizes() {
        // Before: a precondition failure (a trap) and a crash.
        #expect(errorMessage(["generate", "--output", "/tmp/never-written.txt", "--users", "2", "--items", "2", "--ratings", "5"])
                == "generate: 5 ratings do not fit on 2 users x 2 items = 4 distinct pairs")
        let huge = errorMessage(["generate", "--output", "/tmp/never-written.txt", "--users", "2000000000", "--items", "2000000000", "--ratings", "10"])
        #expect(huge?.hasPrefix("generate: 2000000000 users, 2000000000 items and 10 ratings needs about ") == true)
        #expect(huge?.contains("the limit is half of this machine's memory") == true)
        #expect(errorMessage(["generate", "--output", "/tmp/never-written.txt", "--users", "3000000000", "--items", "2", "--ratings", "10"])
                == "generate: users and items must each be at most 2147483647")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.txt"))
    }

    @Test("a detected interaction file is announced; a missing model file is named in words")
    func messages() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = dir.appendingPathComponent("pairs.txt")
        try "a x\na y\nb x\n".write(to: pairs, atomically: true, encoding: .utf8)
        let output = try runLatent(["info", "--data", pairs.path])
        #expect(output.error.contains("read \(pairs.path) as interactions (user,item separated by whitespace; every line is worth 1)"))
        let missing = dir.appendingPathComponent("missing.latent").path
        // Before: "The operation could not be completed. (NSCocoaErrorDomain error 256.)"
        #expect(errorMessage(["predict", "--model", missing, "--user", "a", "--item", "x"]) == "\(missing): no such file")
    }

    @Test("a full disk or a closed standard output is a message and status 74, not a crash",
          .enabled(if: latentExecutable != nil, "needs the built latent executable in .build"))
    func writeFailures() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("ratings.txt")
        try writeTwoTasteRatings(to: data)
        // Before: a `try!` crash with a backtrace.
        let (status, _, error) = try runExecutable(["info", "--data", data.path], stdout: "/dev/full")
        #expect(status == 74)
        #expect(error == "latent: cannot write to standard output: No space left on device\n")
    }

    @Test("kill -9 during a write leaves the old file intact and no temporary file",
          .enabled(if: latentExecutable != nil, "needs the built latent executable in .build"))
    func killDuringWrite() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("synthetic.txt")
        try "old\n".write(to: output, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try #require(latentExecutable)
        process.arguments = ["generate", "--output", output.path, "--users", "200000", "--items", "20000", "--ratings", "40000000"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["synthetic.txt"])
    }

    @Test("--data - reads standard input, and a FIFO works as --data",
          .enabled(if: latentExecutable != nil, "needs the built latent executable in .build"))
    func standardInputAndFIFO() throws {
        let (status, output, _) = try runExecutable(["info", "--data", "-", "--json"], input: "1 2 3\n1 3 4\n2 2 5\n")
        #expect(status == 0)
        #expect(output.contains("\"ratings\":3"))
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo.path) {
                handle.write(Data("1 2 3\n1 3 4\n".utf8))
                try? handle.close()
            }
        }
        writer.start()
        let (fifoStatus, fifoOutput, fifoError) = try runExecutable(["info", "--data", fifo.path, "--json"])
        #expect(fifoStatus == 0, "\(fifoError)")
        #expect(fifoOutput.contains("\"ratings\":2"))
    }
}

/// Issue 8, classes 4 and 6: meaningless requests refused, lists that say what they read, negative values.
@Suite struct CLIMessageTests {
    let dir = temporaryDirectory()

    func trainedModel(_ model: String = "biased-mf", _ extra: [String] = []) throws -> (data: String, model: String) {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        let output = dir.appendingPathComponent("\(model).latent").path
        try runLatent(["train", "--data", data.path, "--model", model, "--factors", "2", "--output", output, "--quiet"] + extra)
        return (data.path, output)
    }

    @Test("--interactions is refused for a rating model, instead of training it on 1s")
    func interactionsForRatingModels() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, _) = try trainedModel()
        #expect(errorMessage(["train", "--data", data, "--model", "biased-mf", "--interactions", "all", "--output", dir.path + "/x.latent"])
                == "--interactions applies to ranking models; biased-mf predicts ratings and learns from the ratings themselves")
        #expect(errorMessage(["evaluate", "--data", data, "--model", "biased-mf", "--interactions", "all", "--folds", "2"])
                == "--interactions applies to ranking; biased-mf is evaluated on ratings (add --task ranking)")
    }

    @Test("--duplicates sum clips predictions to the scale of the summed ratings")
    func duplicatesSum() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("dup.txt")
        try "a x 5\na x 5\na y 1\nb x 4\nb x 5\nb y 2\n".write(to: data, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("dup.latent").path
        try runLatent(["train", "--data", data.path, "--model", "item-mean", "--duplicates", "sum", "--output", model])
        // Before: clipped to 1...5, the scale of the single ratings; x's summed mean is 9.5.
        #expect(try runLatent(["predict", "--model", model, "--user", "a", "--item", "x"]).output == "9.5000\n")
    }

    @Test("--users, --allow and --deny say when they read a file, and a missing file is an error, not an unknown user")
    func identifierLists() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, model) = try trainedModel()
        let list = dir.appendingPathComponent("users.txt")
        try "u1\nu2\n".write(to: list, atomically: true, encoding: .utf8)
        let output = try runLatent(["recommend", "--model", model, "--users", list.path, "--count", "1"])
        #expect(output.error.contains("--users: read 2 identifiers from the file \(list.path)"))
        let missing = dir.appendingPathComponent("nobody.txt").path
        #expect(errorMessage(["recommend", "--model", model, "--users", missing])
                == "--users: no such file \(missing) (give identifiers separated by commas, or the path of a file that lists them)")
        #expect(errorMessage(["recommend", "--model", model, "--user", "u1", "--deny", "deny.csv"])
                == "--deny: no such file deny.csv (give identifiers separated by commas, or the path of a file that lists them)")
        #expect(errorMessage(["recommend", "--model", model, "--user", "u1", "--allow", dir.path])
                == "--allow: \(dir.path) is a directory, not a file of identifiers")
    }

    @Test("negative values are accepted as --option -1 where they mean something")
    func negativeValues() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("neg.txt")
        try "-1 -5 -1\n-1 7 1\n2 -5 0.5\n2 7 -0.5\n".write(to: data, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("neg.latent").path
        // Before: "Missing value for '--rating-scale <low:high>'" and "Missing value for '--user <user>'".
        try runLatent(["train", "--data", data.path, "--model", "item-mean", "--rating-scale", "-1:1", "--output", model])
        #expect(try runLatent(["predict", "--model", model, "--user", "-1", "--item", "-5"]).output == "-0.2500\n")
        #expect(errorMessage(["recommend", "--model", model, "--user", "-1", "--count", "1"]) == nil)
        #expect(errorMessage(["similar", "--model", model, "--item", "-5"])?.contains("no item vectors") == true)
    }
}
