import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

/// Runs `latent ARGS` in process and returns what it printed; errors propagate as thrown.
@discardableResult
func runLatent(_ arguments: [String]) throws -> CapturedOutput {
    let capture = CapturedOutput()
    var command = try LatentCommand.parseAsRoot(arguments)
    try Console.$current.withValue(capture.console) { try command.run() }
    return capture
}

/// The message `latent` prints for the error `arguments` throws (parse or run), or nil when it succeeds.
func errorMessage(_ arguments: [String]) -> String? {
    do {
        try runLatent(arguments)
        return nil
    } catch {
        return LatentCommand.message(for: error)
    }
}

/// The single JSON object of `output`.
func jsonObject(_ output: String) throws -> [String: Any] {
    let lines = output.split(separator: "\n")
    #expect(lines.count == 1, "--json prints exactly one line")
    let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
    return try #require(object as? [String: Any])
}

/// A fresh folder for a test's files, inside one folder per test process that is removed when the process exits, so
/// that test runs leave nothing behind.
func temporaryDirectory() -> URL {
    let url = testProcessFolder.appendingPathComponent(UUID().uuidString)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private let testProcessFolder: URL = {
    atexit { try? FileManager.default.removeItem(at: testProcessFolderPath) }
    return testProcessFolderPath
}()
private var testProcessFolderPath: URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("latent-cli-tests-\(getpid())")
}

/// A small rating file with two tastes: users 1-12 like items 1-5 (ratings 4-5) and dislike 6-10 (1-2), users
/// 13-24 the reverse; each user leaves out two items. `user item rating` lines.
func writeTwoTasteRatings(to url: URL) throws {
    var lines: [String] = []
    for u in 1...24 {
        let likesFirst = u <= 12
        for i in 1...10 where (i + u) % 5 != 0 {
            let liked = (i <= 5) == likesFirst
            let r = liked ? 4 + (u + i) % 2 : 1 + (u + i) % 2
            lines.append("u\(u) i\(i) \(r)")
        }
    }
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
}
