import Foundation
import Testing
@testable import LatentCLI

@Suite("--interactions: how ratings become interactions")
struct InteractionsOptionTests {
    let dir = temporaryDirectory()

    func ratingsFile() throws -> String {
        // u1 rated a 5 and b 2; u2 rated a 4, c 1 and d 5.
        let url = dir.appendingPathComponent("r.txt")
        try "u1 a 5\nu1 b 2\nu2 a 4\nu2 c 1\nu2 d 5\n".write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("ranking models learn every rated pair by default, only high ratings with threshold:T")
    func conversions() throws {
        let data = try ratingsFile(), model = dir.appendingPathComponent("m.latent").path
        let all = try runLatent(["train", "--data", data, "--model", "popularity", "--output", model, "--quiet"]).output
        #expect(all.contains("2 users, 4 items, 5 interactions"))
        let high = try runLatent(["train", "--data", data, "--model", "popularity", "--interactions", "threshold:4",
                                  "--output", model, "--quiet"]).output
        #expect(high.contains("2 users, 2 items, 3 interactions"))
        // Rating models keep the ratings.
        let ratings = try runLatent(["train", "--data", data, "--model", "baseline", "--output", model, "--quiet"]).output
        #expect(ratings.contains("5 ratings"))
        #expect(errorMessage(["train", "--data", data, "--model", "popularity", "--interactions", "most",
                              "--output", model])?.contains("--interactions: 'most'") == true)
    }
}
