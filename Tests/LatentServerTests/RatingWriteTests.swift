import Foundation
import Hummingbird
import HummingbirdTesting
import Latent
import Testing
@testable import LatentServer

@Suite("Service writes: ratings, token, errors, reload, durability")
struct RatingWriteTests {
    @Test("a new user's posted ratings give recommendations at once: the library's fold-in, rated items left out")
    func postThenRecommend() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let post = try await client.execute(uri: "/users/web-1/ratings", method: .post, headers: [.contentType: "application/json"],
                                                body: body(#"[{"item": "i1", "rating": 5}, {"item": "i2", "rating": 5}, {"item": "i7", "rating": 1}]"#))
            #expect(post.status == .ok)
            let o = try post.object()
            #expect(o["user"] as? String == "web-1")
            #expect(o["stored"] as? Int == 3)
            #expect(o["ratings"] as? Int == 3)

            let r = try await client.execute(uri: "/users/web-1/recommendations?count=10", method: .get)
            #expect(r.status == .ok)
            let expected = f.model.recommend(foldingIn: [("i1", 5), ("i2", 5), ("i7", 1)], count: 10)
            #expect(try r.itemIDs() == expected.map(\.id))
            #expect(try r.itemIDs().count == 7)
            #expect(Set(try r.itemIDs()).isDisjoint(with: ["i1", "i2", "i7"]))
            // The user liked the first taste: its unrated items come first.
            #expect(Set(try r.itemIDs().prefix(3)) == ["i3", "i4", "i5"])

            let predicted = try await client.execute(uri: "/predict?user=web-1&item=i3", method: .get).object()
            #expect(predicted["known_user"] as? Bool == true)
            #expect(predicted["prediction"] as? Double == f.model.predict(f.model.foldIn([("i1", 5), ("i2", 5), ("i7", 1)]), item: "i3").shortestDouble)

            let ratings = try await client.execute(uri: "/users/web-1/ratings", method: .get).object()
            #expect(ratings["known_user"] as? Bool == true)
            #expect((ratings["model"] as? [Any])?.isEmpty == true)
            let stored = try #require(ratings["stored"] as? [[String: Any]])
            #expect(Set(stored.compactMap { $0["item"] as? String }) == ["i1", "i2", "i7"])
            #expect(stored.first { $0["item"] as? String == "i7" }?["rating"] as? Double == 1)
            #expect(stored.first { $0["item"] as? String == "i1" }?["title"] as? String == "Movie 1 (1991)")
        }
    }

    @Test("similar users of a user known only from the store: their fold-in vector against the model's users")
    func similarUsersOfStoredUsers() async throws {
        let f = try Fixture()
        let model = try #require(f.model as? FactorModel)
        try await f.withApp(try f.service()) { client in
            let before = try await client.execute(uri: "/users/web-s/similar", method: .get)
            #expect(before.status == .notFound)
            let post = try await client.execute(uri: "/users/web-s/ratings", method: .post, headers: [.contentType: "application/json"],
                                                body: body(#"[{"item": "i1", "rating": 5}, {"item": "i2", "rating": 4}, {"item": "i8", "rating": 1}]"#))
            #expect(post.status == .ok)
            let r = try await client.execute(uri: "/users/web-s/similar?count=5", method: .get)
            #expect(r.status == .ok)
            #expect(try r.object()["user"] as? String == "web-s")
            let list = try #require(try r.object()["users"] as? [[String: Any]])

            // By hand: the cosine of the fold-in factors with every user's trained factors, best 5.
            let d = model.domain
            let p = model.foldInFactors([("i1", 5), ("i2", 4), ("i8", 1)].map { (item: d.items.index(of: $0.0)!, value: Float($0.1)) })
            let k = model.factorCount
            let norm = { (v: ArraySlice<Float>) in v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() }
            let cosines = (0..<d.users.count).map { u -> (id: String, score: Float) in
                let row = model.userFactors.storage[(u * k)..<((u + 1) * k)]
                return (d.users[u], zip(p, row).reduce(Float(0)) { $0 + $1.0 * $1.1 } / (norm(p[...]) * norm(row)))
            }.sorted { $0.score > $1.score }.prefix(5)
            #expect(list.map { $0["user"] as? String } == cosines.map(\.id))
            for (entry, expected) in zip(list, cosines) {
                #expect(abs((entry["score"] as? Double ?? 9) - Double(expected.score)) < 1e-5)
            }
            // The user liked the first taste: the most similar users are of that taste (u1-u12).
            #expect(list.compactMap { $0["user"] as? String }.allSatisfy { Int($0.dropFirst())! <= 12 })

            // A known user with a stored rating is compared by their fold-in, and never to themselves.
            _ = try await client.execute(uri: "/users/u3/ratings", method: .post, body: body(#"[{"item": "i9", "rating": 1}]"#))
            let known = try await client.execute(uri: "/users/u3/similar?count=23", method: .get)
            let ids = try #require(try known.object()["users"] as? [[String: Any]]).compactMap { $0["user"] as? String }
            #expect(ids.count == 23 && !ids.contains("u3"))
            let folded = model.foldIn([("i9", 1)], addingTo: "u3")
            #expect(ids == (try model.similarUsers(to: folded, leavingOut: "u3", count: 23)).map(\.id))
        }
    }

    @Test("similar users on a model without user vectors: 422 with the reason, for store and model users alike")
    func similarUsersWithoutVectors() async throws {
        let f = try Fixture()
        let popularity = try ModelRegistry.descriptor(named: "popularity")
            .fit(RatingMatrix(Fixture.ratings()), hyperparameters: Hyperparameters([:]), context: TrainingContext(seed: 1, threads: 1))
        try popularity.save(to: URL(fileURLWithPath: f.modelPath))
        try await f.withApp(try f.service()) { client in
            _ = try await client.execute(uri: "/users/web-p/ratings", method: .post, body: body(#"[{"item": "i1", "rating": 5}]"#))
            for user in ["web-p", "u1"] {
                let r = try await client.execute(uri: "/users/\(user)/similar", method: .get)
                #expect(r.status == .unprocessableContent)
                #expect(try r.errorMessage() == "the popularity model has no user vectors to compare users by")
            }
        }
    }

    @Test("a known user's posted rating is folded in with their training ratings and left out of their list")
    func knownUserPost() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let before = try await client.execute(uri: "/users/u1/recommendations", method: .get).itemIDs()
            #expect(Set(before) == ["i4", "i9"])
            _ = try await client.execute(uri: "/users/u1/ratings", method: .post, body: body(#"[{"item": "i4", "rating": 2}]"#))
            let after = try await client.execute(uri: "/users/u1/recommendations", method: .get)
            #expect(try after.itemIDs() == ["i9"])
            let expected: [ScoredID] = f.model.recommend(f.model.foldIn([("i4", 2)], addingTo: "u1"), count: 10)
            let scores = try #require(try after.object()["items"] as? [[String: Any]]).map { $0["score"] as? Double }
            #expect(scores == expected.map { $0.score.shortestDouble })
            let ratings = try await client.execute(uri: "/users/u1/ratings", method: .get).object()
            #expect((ratings["model"] as? [Any])?.count == 8)
            #expect((ratings["stored"] as? [Any])?.count == 1)
        }
    }

    @Test("errors: rating 99 is 422, malformed JSON 400, an unknown item 404, and nothing is stored")
    func errors() async throws {
        let f = try Fixture()
        let service = try f.service()
        try await f.withApp(service) { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"[{"item": "i1", "rating": 5}, {"item": "i2", "rating": 99}]"#, .unprocessableContent,
                 "entry 1: rating 99.0 of item 'i2' is outside the model's scale 1.0 to 5.0"),
                (#"[{"item": "i1", "rating": 5}, {"item": "i2", "rating": 1e999}]"#, .badRequest, ""),
                (#"[{"item": "i1"}]"#, .unprocessableContent, "entry 0: 'rating' is required by the biased-mf model"),
                (#"[{"item": "i1", "rating": 4}"#, .badRequest, "malformed JSON: the body is not valid JSON"),
                (#"{"item": "i1", "rating": 4}"#, .badRequest, "malformed JSON: the body must be an array"),
                (#"[{"item": 50, "rating": 4}]"#, .badRequest, "malformed JSON: [0].item must be a string"),
                (#"[{"rating": 4}]"#, .badRequest, "malformed JSON: [0].item is missing"),
                (#"[]"#, .badRequest, #"no ratings given: send [{"item": "50", "rating": 5}, ...]"#),
                (#"[{"item": "i1", "rating": 4}, {"item": "i1", "rating": 5}]"#, .badRequest, "entry 1: item 'i1' is given twice"),
                (#"[{"item": "i1", "rating": 4}, {"item": "zzz", "rating": 5}]"#, .notFound,
                 "entry 1: item 'zzz' is not in the model or the catalog"),
            ]
            for (text, status, message) in cases {
                let r = try await client.execute(uri: "/users/web-2/ratings", method: .post, body: body(text))
                #expect(r.status == status, "\(text)")
                if !message.isEmpty { #expect(try r.errorMessage() == message) }
            }
            let ratings = try await client.execute(uri: "/users/web-2/ratings", method: .get).object()
            #expect((ratings["stored"] as? [Any])?.isEmpty == true)
            #expect(ratings["known_user"] as? Bool == false)
            let r = try await client.execute(uri: "/users/web-2/recommendations", method: .get)
            #expect(r.status == .notFound)
        }
        #expect(try service.store.ratingCount() == 0)
    }

    @Test("an item only in the catalog can be rated: stored, not folded in (the model cannot use it until retrained)")
    func catalogOnlyItem() async throws {
        let f = try Fixture()
        let service = try f.service()
        try await f.withApp(service) { client in
            let r = try await client.execute(uri: "/users/web-3/ratings", method: .post, body: body(#"[{"item": "i11", "rating": 4}]"#))
            #expect(r.status == .ok)
        }
        #expect(try await service.store.ratings(of: "web-3").map(\.item) == ["i11"])
        #expect(service.snapshot.folded["web-3"]?.ratings.isEmpty == true)
    }

    @Test("a body over the limit is 413 and stores nothing")
    func bodyLimit() async throws {
        let f = try Fixture()
        let service = try f.service()
        try await f.withApp(service, settings: ServerSettings(bodyLimit: 64)) { client in
            let entries = (1...10).map { #"{"item": "i\#($0)", "rating": 3}"# }.joined(separator: ",")
            let r = try await client.execute(uri: "/users/web-4/ratings", method: .post, body: body("[\(entries)]"))
            #expect(r.status == .contentTooLarge)
            #expect(try r.errorMessage() == "the request body is over the limit")
        }
        #expect(try service.store.ratingCount() == 0)
    }

    @Test("writes need the bearer token: 401 without it, 403 with a wrong one; reads stay open")
    func token() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service(), settings: ServerSettings(token: "s3cret")) { client in
            let rating = body(#"[{"item": "i1", "rating": 5}]"#)
            let none = try await client.execute(uri: "/users/web-5/ratings", method: .post, body: rating)
            #expect(none.status == .unauthorized)
            #expect(try none.errorMessage() == "this request changes data: send the header 'Authorization: Bearer TOKEN'")
            let wrong = try await client.execute(uri: "/users/web-5/ratings", method: .post, headers: bearer("s3cre"), body: rating)
            #expect(wrong.status == .forbidden)
            #expect(try wrong.errorMessage() == "the bearer token is wrong")
            let right = try await client.execute(uri: "/users/web-5/ratings", method: .post, headers: bearer("s3cret"), body: rating)
            #expect(right.status == .ok)

            for (uri, method) in [("/users/web-5/ratings/i1", HTTPRequest.Method.delete), ("/items/i1", .put), ("/admin/reload", .post)] {
                let r = try await client.execute(uri: uri, method: method, body: body(#"{"title": "x"}"#))
                #expect(r.status == .unauthorized, "\(method) \(uri)")
                let w = try await client.execute(uri: uri, method: method, headers: bearer("nope"), body: body(#"{"title": "x"}"#))
                #expect(w.status == .forbidden, "\(method) \(uri)")
            }
            let read = try await client.execute(uri: "/users/web-5/recommendations", method: .get)
            #expect(read.status == .ok)
        }
        #expect(BearerToken.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test("DELETE removes a stored rating and folds the user in again; 404 when there is none")
    func delete() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            _ = try await client.execute(uri: "/users/web-6/ratings", method: .post, body: body(#"[{"item": "i1", "rating": 5}, {"item": "i6", "rating": 1}]"#))
            let d = try await client.execute(uri: "/users/web-6/ratings/i6", method: .delete)
            #expect(d.status == .ok)
            #expect(try d.object()["ratings"] as? Int == 1)
            let r = try await client.execute(uri: "/users/web-6/recommendations?count=10", method: .get)
            #expect(try r.itemIDs() == f.model.recommend(foldingIn: [("i1", 5)], count: 10).map(\.id))
            let again = try await client.execute(uri: "/users/web-6/ratings/i6", method: .delete)
            #expect(again.status == .notFound)
            #expect(try again.errorMessage() == "user 'web-6' has no stored rating of item 'i6'")
            _ = try await client.execute(uri: "/users/web-6/ratings/i1", method: .delete)
            let gone = try await client.execute(uri: "/users/web-6/recommendations", method: .get)
            #expect(gone.status == .notFound, "no ratings left anywhere")
        }
    }

    @Test("POST /admin/reload reads the retrained model file and folds the stored ratings into it")
    func reload() async throws {
        let f = try Fixture()
        let service = try f.service()
        try await f.withApp(service) { client in
            _ = try await client.execute(uri: "/users/web-7/ratings", method: .post, body: body(#"[{"item": "i1", "rating": 5}]"#))
            let retrained = try Fixture.train(seed: 99, factors: 4)
            try retrained.save(to: URL(fileURLWithPath: f.modelPath))
            let r = try await client.execute(uri: "/admin/reload", method: .post)
            #expect(r.status == .ok)
            #expect(try r.object()["generation"] as? Int == 2)
            #expect(try r.object()["folded_users"] as? Int == 1)
            let recs = try await client.execute(uri: "/users/web-7/recommendations?count=10", method: .get).object()
            let scores = try #require(recs["items"] as? [[String: Any]]).map { $0["score"] as? Double }
            #expect(scores == retrained.recommend(foldingIn: [("i1", 5)], count: 10).map { $0.score.shortestDouble })
            let known = try await client.execute(uri: "/predict?user=u3&item=i9", method: .get).object()
            #expect(known["prediction"] as? Double == retrained.predict(user: "u3", item: "i9").shortestDouble)

            // A damaged file: the reload fails and the model in use stays.
            try Data("not a model".utf8).write(to: URL(fileURLWithPath: f.modelPath))
            let failed = try await client.execute(uri: "/admin/reload", method: .post)
            #expect(failed.status == .internalServerError)
            #expect(try failed.errorMessage().hasPrefix("reload failed, the previous model stays: "))
            let health = try await client.execute(uri: "/health", method: .get).object()
            #expect(health["generation"] as? Int == 2)
        }
    }

    @Test("requests during reloads and posts all succeed: each reads one whole snapshot")
    func concurrentReload() async throws {
        let f = try Fixture()
        let service = try f.service()
        try await f.withApp(service) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        switch n % 4 {
                        case 0: return try await client.execute(uri: "/admin/reload", method: .post).status
                        case 1: return try await client.execute(uri: "/users/web-8/ratings", method: .post,
                                                                body: body(#"[{"item": "i\#(n % 10 + 1)", "rating": 4}]"#)).status
                        default: return try await client.execute(uri: "/users/u\(n % 24 + 1)/recommendations", method: .get).status
                        }
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
        }
        // Every acknowledged post is in the snapshot: the last fold-in saw all of them.
        let stored = try service.store.allRatings().filter { $0.user == "web-8" }
        #expect(service.snapshot.folded["web-8"]?.ratings.count == stored.count)
        #expect(service.snapshot.generation == 11)
    }

    @Test("stored ratings survive a restart of the app on the same database file")
    func durability() async throws {
        let f = try Fixture()
        let first = try await f.withApp(try f.service()) { client in
            _ = try await client.execute(uri: "/users/web-9/ratings", method: .post, body: body(#"[{"item": "i6", "rating": 5}, {"item": "i2", "rating": 1}]"#))
            _ = try await client.execute(uri: "/items/i3", method: .put, body: body(#"{"title": "Renamed", "hidden": true}"#))
            return try await client.execute(uri: "/users/web-9/recommendations", method: .get).itemIDs()
        }
        // A new service and app over the same files, as after a restart; the item file seeds nothing over the edit.
        let second = try f.service()
        #expect(try second.store.journalMode() == "wal")
        try await f.withApp(second) { client in
            let ratings = try await client.execute(uri: "/users/web-9/ratings", method: .get).object()
            let stored = try #require(ratings["stored"] as? [[String: Any]])
            #expect(Set(stored.compactMap { $0["item"] as? String }) == ["i6", "i2"])
            #expect(try await client.execute(uri: "/users/web-9/recommendations", method: .get).itemIDs() == first)
            let item = try await client.execute(uri: "/items/i3", method: .get).object()
            #expect(item["title"] as? String == "Renamed")
            #expect(item["hidden"] as? Bool == true)
        }
        #expect(!first.contains("i3"))
    }
}
