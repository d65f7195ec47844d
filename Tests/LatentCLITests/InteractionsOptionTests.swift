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

@Suite("evaluate --split for --data")
struct EvaluateSplitTests {
    let dir = temporaryDirectory()

    @Test("leave-last tests each user's latest rating; it needs timestamps; per-user and temporal take a fraction")
    func splits() throws {
        let timed = dir.appendingPathComponent("timed.tsv")
        // Each user's latest rating (largest timestamp) is a 5 of item z: with popularity, z is every user's first hit.
        var lines = ""
        for u in 1...6 {
            for (t, item) in ["a", "b", "c", "d"].enumerated() { lines += "u\(u)\t\(item)\t3\t\(100 + t)\n" }
            lines += "u\(u)\tz\(u % 2)\t5\t999\n"
        }
        try lines.write(to: timed, atomically: true, encoding: .utf8)
        let report = try jsonObject(runLatent(["evaluate", "--model", "popularity", "--data", timed.path,
                                               "--split", "leave-last", "--k", "2", "--json"]).output)
        #expect(report["users"] as? Int == 6)
        #expect((report["folds"] as? [Any])?.count == 1)
        let plain = dir.appendingPathComponent("plain.txt")
        try "u1 a 5\nu1 b 4\nu2 a 3\nu2 b 5\n".write(to: plain, atomically: true, encoding: .utf8)
        #expect(errorMessage(["evaluate", "--model", "popularity", "--data", plain.path, "--split", "leave-last"]) != nil)
        #expect(errorMessage(["evaluate", "--model", "popularity", "--data", timed.path, "--split", "per-user"]) != nil)
        let perUser = try jsonObject(runLatent(["evaluate", "--model", "popularity", "--data", timed.path, "--split",
                                                "per-user", "--test-fraction", "0.2", "--json"]).output)
        #expect((perUser["precision"] as? Double).map { (0...1).contains($0) } == true)
    }
}
