import Foundation
import Testing
@testable import Latent
@testable import LatentCLI
import LatentServer

@Suite("latent train --db: the ratings the service stored")
struct TrainFromDatabaseTests {
    @Test("stored ratings are trained on with the file's; a stored rating of the same user and item wins")
    func fileAndDatabase() async throws {
        let dir = temporaryDirectory()
        let data = dir.appendingPathComponent("ratings.txt").path
        try writeTwoTasteRatings(to: URL(fileURLWithPath: data))
        let db = dir.appendingPathComponent("store.sqlite").path
        let store = try RatingStore(path: db)
        try await store.store(user: "web", ratings: [("i1", 5), ("i2", 4)])
        try await store.store(user: "u1", ratings: [("i1", 1)])
        let output = dir.appendingPathComponent("m.latent").path
        let printed = try runLatent(["train", "--data", data, "--db", db, "--model", "biased-mf", "--factors", "2",
                                     "--output", output, "--quiet"])
        #expect(printed.output.contains("on 25 users, 10 items, 194 ratings (3 from the database, 1 duplicates folded"))
        let m = try ModelRegistry.load(from: URL(fileURLWithPath: output))
        let web = try #require(m.domain.users.index(of: "web"))
        #expect(m.domain.seen.count(of: web) == 2)
        let u1 = try #require(m.domain.users.index(of: "u1")), i1 = try #require(m.domain.items.index(of: "i1"))
        let n = try #require(m.domain.seen.range(of: u1).first { m.domain.seen.indices[$0] == Int32(i1) })
        #expect(m.domain.seen.values[n] == 1)

        let onlyDB = try runLatent(["train", "--db", db, "--model", "item-mean", "--output", output, "--quiet"])
        #expect(onlyDB.output.contains("on 2 users, 2 items, 3 ratings (3 from the database"))
    }

    @Test("train needs --data or --db, and the database must exist")
    func errors() {
        #expect(errorMessage(["train", "--model", "biased-mf", "--output", "x.latent"]) == "give --data, --db or both")
        let missing = temporaryDirectory().appendingPathComponent("none.sqlite").path
        #expect(errorMessage(["train", "--db", missing, "--model", "biased-mf", "--output", "x.latent"]) == "no database at \(missing)")
    }
}
