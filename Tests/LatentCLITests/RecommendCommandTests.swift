import Foundation
import Testing
@testable import Latent
@testable import LatentCLI

/// Where MovieLens 100k is, if this machine has it: `../shared/data/ml-100k` beside the package.
enum CLITestData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let movieLens100k = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/ml-100k")
    static var hasMovieLens: Bool { FileManager.default.fileExists(atPath: movieLens100k.appendingPathComponent("u1.base").path) }
}

/// Interactions with two tastes: users 1-12 interact with items 1-5, users 13-24 with items 6-10, each user missing
/// one item of their taste. `user item` lines.
func writeTwoTasteInteractions(to url: URL) throws {
    var lines: [String] = []
    for u in 1...24 {
        let items = u <= 12 ? Array(1...5) : Array(6...10)
        for i in items where i != items[u % 5] { lines.append("u\(u) i\(i) 1") }
    }
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
}

@Suite("latent recommend: fold-in, batch, allow and deny; similar --user")
struct RecommendCommandTests {
    let dir = temporaryDirectory()
    var ratingModel: String { dir.appendingPathComponent("mf.latent").path }
    var interactionModel: String { dir.appendingPathComponent("ials.latent").path }

    func trainRatingModel() throws {
        let data = dir.appendingPathComponent("r.txt")
        try writeTwoTasteRatings(to: data)
        try runLatent(["train", "--data", data.path, "--model", "biased-mf", "--factors", "2", "--epochs", "200",
                       "--learning-rate", "0.02", "--decay", "1", "--output", ratingModel, "--quiet"])
    }

    func trainInteractionModel() throws {
        let data = dir.appendingPathComponent("i.txt")
        try writeTwoTasteInteractions(to: data)
        try runLatent(["train", "--data", data.path, "--model", "implicit-als", "--factors", "4", "--output",
                       interactionModel, "--quiet"])
    }

    func items(_ object: [String: Any]) throws -> [String] {
        try #require(object["items"] as? [[String: Any]]).compactMap { $0["item"] as? String }
    }

    @Test("fold-in of ratings: N items, none of the given ones, the new user's taste first; user is null")
    func foldInRatings() throws {
        try trainRatingModel()
        let out = try runLatent(["recommend", "--model", ratingModel, "--ratings", "i1:5,i2:5,i6:1", "--count", "3", "--json"]).output
        let object = try jsonObject(out)
        #expect(object.keys.contains("user") && object["user"] is NSNull)
        let list = try items(object)
        #expect(list.count == 3)
        #expect(Set(list).isDisjoint(with: ["i1", "i2", "i6"]))
        // Likes 1 and 2, dislikes 6: the other items of the first taste come first.
        #expect(Set(list) == ["i3", "i4", "i5"])
        // The opposite taste ranks the other way.
        let opposite = try items(jsonObject(runLatent(["recommend", "--model", ratingModel, "--ratings", "i1:1,i6:5,i7:5",
                                                       "--count", "3", "--json"]).output))
        #expect(Set(opposite) == ["i8", "i9", "i10"])
        let text = try runLatent(["recommend", "--model", ratingModel, "--ratings", "i1:5", "--count", "2"]).output
        #expect(text.contains("predicted"))
    }

    @Test("fold-in of interactions: bare items weigh 1; values are weights")
    func foldInInteractions() throws {
        try trainInteractionModel()
        let list = try items(jsonObject(runLatent(["recommend", "--model", interactionModel, "--ratings", "i6,i7",
                                                   "--count", "3", "--json"]).output))
        #expect(list.count == 3)
        #expect(Set(list) == ["i8", "i9", "i10"])
        let weighted = try items(jsonObject(runLatent(["recommend", "--model", interactionModel, "--ratings", "i1:3,i2:0.5",
                                                       "--count", "3", "--json"]).output))
        #expect(Set(weighted) == ["i3", "i4", "i5"])
        #expect(try runLatent(["recommend", "--model", interactionModel, "--ratings", "i1"]).output.contains("score"))
    }

    @Test("bad --ratings text fails naming the pair")
    func badRatings() throws {
        try trainRatingModel()
        try trainInteractionModel()
        func message(_ model: String, _ ratings: String) -> String? {
            errorMessage(["recommend", "--model", model, "--ratings", ratings])
        }
        #expect(message(ratingModel, "i1:5,i2:five")?.contains("pair 2 'i2:five'") == true)
        #expect(message(ratingModel, "i1:5,i2")?.contains("pair 2 'i2' has no rating") == true)
        #expect(message(ratingModel, "i1:5,,i3:4")?.contains("pair 2 '' is empty") == true)
        #expect(message(ratingModel, "i1:7")?.contains("'i1:7' has a rating outside the model's rating scale 1-5") == true)
        #expect(message(ratingModel, "i1:5,i1:4")?.contains("'i1:4' gives item i1 a second time") == true)
        #expect(message(ratingModel, ":5")?.contains("':5' has no item") == true)
        #expect(message(interactionModel, "i1,i2:-1")?.contains("pair 2 'i2:-1'") == true)
        #expect(message(interactionModel, "i1:inf")?.contains("'i1:inf'") == true)
        // Exactly one of --user, --ratings and --users.
        #expect(errorMessage(["recommend", "--model", ratingModel, "--user", "u1", "--ratings", "i1:5"])?
            .contains("exactly one of --user, --ratings and --users") == true)
        #expect(errorMessage(["recommend", "--model", ratingModel])?.contains("exactly one of") == true)
        // Unknown items are ignored, with a note.
        let run = try runLatent(["recommend", "--model", ratingModel, "--ratings", "i1:5,nothing:4", "--count", "2", "--json"])
        #expect(run.error.contains("does not know item nothing"))
        #expect(try items(jsonObject(run.output)).count == 2)
    }

    @Test("--allow and --deny (lists and files) restrict every mode")
    func allowAndDeny() throws {
        try trainRatingModel()
        let base = ["recommend", "--model", ratingModel, "--count", "10", "--json"]
        let allowed = try items(jsonObject(runLatent(base + ["--user", "u1", "--include-seen", "--allow", "i2,i7,i9"]).output))
        #expect(Set(allowed) == ["i2", "i7", "i9"])
        // u1 has not rated i4 and i9: denying i4 leaves i9.
        #expect(try items(jsonObject(runLatent(base + ["--user", "u1", "--deny", "i4"]).output)) == ["i9"])
        let file = dir.appendingPathComponent("deny.txt")
        try "i3\ni4\n i5 \n".write(to: file, atomically: true, encoding: .utf8)
        let folded = try items(jsonObject(runLatent(base + ["--ratings", "i1:5", "--deny", file.path]).output))
        #expect(folded.count == 6)
        #expect(Set(folded).isDisjoint(with: ["i1", "i3", "i4", "i5"]))
        let onlyTwo = try items(jsonObject(runLatent(base + ["--ratings", "i1:5", "--allow", "i1,i2,i8"]).output))
        #expect(Set(onlyTwo) == ["i2", "i8"])
        let run = try runLatent(base + ["--user", "u1", "--deny", "i4,ghost"])
        #expect(run.error.contains("1 item of --deny not in the model: ghost"))
    }

    @Test("--users: one JSON line per user, the same lists as --user, on several threads")
    func batch() throws {
        try trainRatingModel()
        let out = try runLatent(["recommend", "--model", ratingModel, "--users", "u1,u13,u7", "--count", "2", "--json",
                                 "--threads", "2"]).output
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        for (line, user) in zip(lines, ["u1", "u13", "u7"]) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["user"] as? String == user)
            let single = try jsonObject(runLatent(["recommend", "--model", ratingModel, "--user", user, "--count", "2",
                                                   "--json"]).output)
            #expect(try items(object) == items(single))
        }
        let text = try runLatent(["recommend", "--model", ratingModel, "--users", "u1,u13", "--count", "1"]).output
        #expect(text.contains("user u1") && text.contains("user u13"))
        #expect(errorMessage(["recommend", "--model", ratingModel, "--users", "u1,stranger"]) == "user 'stranger' is not in the model")
    }

    @Test("similar --user lists the users with the same taste")
    func similarUsers() throws {
        try trainRatingModel()
        let object = try jsonObject(runLatent(["similar", "--model", ratingModel, "--user", "u1", "--count", "5",
                                               "--metric", "cosine", "--json"]).output)
        #expect(object["user"] as? String == "u1")
        let users = try #require(object["users"] as? [[String: Any]]).compactMap { $0["user"] as? String }
        #expect(users.count == 5 && !users.contains("u1"))
        let sameTaste = Set((2...12).map { "u\($0)" })
        #expect(users.allSatisfy { sameTaste.contains($0) }, "\(users)")
        #expect(try runLatent(["similar", "--model", ratingModel, "--user", "u1", "--count", "2"]).output.contains("-distance"))
        #expect(errorMessage(["similar", "--model", ratingModel, "--user", "u1", "--item", "i1"])?
            .contains("exactly one of --item and --user") == true)
        #expect(errorMessage(["similar", "--model", ratingModel, "--user", "nobody"]) == "user 'nobody' is not in the model")
    }

    @Test("MovieLens: fold-in on implicit ALS from u1.base gives 10 items, none of 50, 172, 181", .enabled(if: CLITestData.hasMovieLens, "needs MovieLens 100k in ../shared/data/ml-100k"))
    func movieLensFoldIn() throws {
        try runLatent(["train", "--data", CLITestData.movieLens100k.appendingPathComponent("u1.base").path, "--model",
                       "implicit-als", "--factors", "16", "--set", "iterations=2", "--output", interactionModel, "--quiet"])
        let list = try items(jsonObject(runLatent(["recommend", "--model", interactionModel, "--ratings", "50,172,181",
                                                   "--json"]).output))
        #expect(list.count == 10)
        #expect(Set(list).isDisjoint(with: ["50", "172", "181"]))
    }
}
