import Foundation
import Hummingbird
import HummingbirdTesting
import Latent
import Testing
@testable import LatentServer

@Suite("Service routes")
struct RouteTests {
    @Test("GET /health reports the model and the store")
    func health() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let r = try await client.execute(uri: "/health", method: .get)
            #expect(r.status == .ok)
            let o = try r.object()
            #expect(o["status"] as? String == "ok")
            #expect(o["model"] as? String == "biased-mf")
            #expect(o["task"] as? String == "rating")
            #expect(o["rating_scale"] as? [Double] == [1, 5])
            #expect(o["users"] as? Int == 24)
            #expect(o["items"] as? Int == 10)
            #expect(o["catalog_items"] as? Int == 11)
            #expect(o["ratings_stored"] as? Int == 0)
            #expect(o["generation"] as? Int == 1)
        }
    }

    @Test("recommendations: the model's top-N by the library, training items left out, titles from the catalog")
    func recommendations() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let r = try await client.execute(uri: "/users/u1/recommendations?count=3", method: .get)
            #expect(r.status == .ok)
            let o = try r.object()
            #expect(o["user"] as? String == "u1")
            let expected = try f.model.recommend(user: "u1", count: 3)
            let items = try #require(o["items"] as? [[String: Any]])
            #expect(items.map { $0["item"] as? String } == expected.map(\.id))
            #expect(items.map { $0["score"] as? Double } == expected.map { $0.score.shortestDouble })
            #expect(items.map { $0["title"] as? String } == expected.map { f.catalog.titles[$0.id] })
            // u1 rated every item but i4 and i9 ((i + 1) % 5 == 0) in training: only those two are left.
            #expect(Set(try r.itemIDs()) == ["i4", "i9"])

            let allowed = try await client.execute(uri: "/users/u13/recommendations?count=5&allow=i2,i7", method: .get)
            #expect(Set(try allowed.itemIDs()).isSubset(of: ["i2", "i7"]))
            let denied = try await client.execute(uri: "/users/u2/recommendations?count=5&deny=i3", method: .get)
            #expect(try denied.itemIDs() == (try f.model.recommend(user: "u2", count: 5, excluded: ["i3"])).map(\.id))
            let action = try await client.execute(uri: "/users/u1/recommendations?count=5&category=Action", method: .get)
            #expect(try action.itemIDs() == ["i9"])
        }
    }

    @Test("recommendations: 404 for a user with no ratings anywhere, 400 for a bad count or category")
    func recommendationErrors() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let unknown = try await client.execute(uri: "/users/nobody/recommendations", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorMessage() == "user 'nobody' has no ratings in the model or the store")
            for count in ["0", "x", "1001", "-3"] {
                let bad = try await client.execute(uri: "/users/u1/recommendations?count=\(count)", method: .get)
                #expect(bad.status == .badRequest)
                #expect(try bad.errorMessage() == "count must be an integer from 1 to 1000 (got '\(count)')")
            }
            let category = try await client.execute(uri: "/users/u1/recommendations?category=Western", method: .get)
            #expect(category.status == .badRequest)
            #expect(try category.errorMessage() == "unknown category 'Western'")
        }
    }

    @Test("similar items and users: the library's lists; 404 for unknown ids, 400 for a bad metric")
    func similar() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let items = try await client.execute(uri: "/items/i1/similar?count=4&metric=cosine", method: .get)
            #expect(items.status == .ok)
            #expect(try items.object()["item"] as? String == "i1")
            #expect(try items.itemIDs() == (try f.model.similarItems(to: "i1", count: 4, metric: .cosine)).map(\.id))
            let euclidean = try await client.execute(uri: "/items/i1/similar?count=2", method: .get)
            #expect(try euclidean.itemIDs() == (try f.model.similarItems(to: "i1", count: 2, metric: .euclidean)).map(\.id))
            let users = try await client.execute(uri: "/users/u1/similar?count=3", method: .get)
            #expect(users.status == .ok)
            let list = try #require(try users.object()["users"] as? [[String: Any]])
            #expect(list.map { $0["user"] as? String } == (try f.model.similarUsers(to: "u1", count: 3)).map(\.id))

            let unknownItem = try await client.execute(uri: "/items/nope/similar", method: .get)
            #expect(unknownItem.status == .notFound)
            #expect(try unknownItem.errorMessage() == "item 'nope' is not in the model")
            let unknownUser = try await client.execute(uri: "/users/nobody/similar", method: .get)
            #expect(unknownUser.status == .notFound)
            let metric = try await client.execute(uri: "/items/i1/similar?metric=manhattan", method: .get)
            #expect(metric.status == .badRequest)
            #expect(try metric.errorMessage() == "metric must be euclidean or cosine (got 'manhattan')")
        }
    }

    @Test("predict: the library's clipped prediction and the known flags; 400 without user or item")
    func predict() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let r = try await client.execute(uri: "/predict?user=u1&item=i4", method: .get)
            #expect(r.status == .ok)
            let o = try r.object()
            #expect(o["prediction"] as? Double == f.model.predict(user: "u1", item: "i4").shortestDouble)
            #expect(o["known_user"] as? Bool == true)
            #expect(o["known_item"] as? Bool == true)
            let unknown = try await client.execute(uri: "/predict?user=x&item=y", method: .get).object()
            #expect(unknown["known_user"] as? Bool == false)
            #expect(unknown["known_item"] as? Bool == false)
            #expect(unknown["prediction"] as? Double == f.model.predict(user: "x", item: "y").shortestDouble)
            let missing = try await client.execute(uri: "/predict?user=u1", method: .get)
            #expect(missing.status == .badRequest)
            #expect(try missing.errorMessage() == "give both query parameters 'user' and 'item'")
        }
    }

    @Test("the catalog: search by title, one entry, PUT hides an item from recommendations and sets categories")
    func catalog() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let search = try await client.execute(uri: "/items?query=movie%201&count=5", method: .get)
            #expect(search.status == .ok)
            #expect(Set(try search.itemIDs()) == ["i1", "i10"])
            let all = try await client.execute(uri: "/items?count=50", method: .get)
            #expect(try all.itemIDs().count == 11)
            #expect(try all.itemIDs().last == "i11", "an item the model does not know was rated by no one: last")

            let one = try await client.execute(uri: "/items/i11", method: .get).object()
            #expect(one["title"] as? String == "Not in the model (2001)")
            #expect(one["categories"] as? [String] == ["Drama"])
            #expect(one["in_model"] as? Bool == false)
            let missing = try await client.execute(uri: "/items/i99", method: .get)
            #expect(missing.status == .notFound)
            #expect(try missing.errorMessage() == "item 'i99' is not in the model or the catalog")

            let before = try await client.execute(uri: "/users/u1/recommendations?count=2", method: .get).itemIDs()
            let put = try await client.execute(uri: "/items/\(before[0])", method: .put, headers: [.contentType: "application/json"],
                                               body: body(#"{"title": "Hidden now", "categories": ["Action", "Noir"], "hidden": true}"#))
            #expect(put.status == .ok)
            #expect(try put.object()["hidden"] as? Bool == true)
            let after = try await client.execute(uri: "/users/u1/recommendations?count=2", method: .get).itemIDs()
            #expect(after == Array(before.dropFirst()))
            let noir = try await client.execute(uri: "/users/u1/recommendations?category=Noir", method: .get)
            #expect(try noir.itemIDs() == [], "the only Noir item is hidden")
            let edited = try await client.execute(uri: "/items/\(before[0])", method: .get).object()
            #expect(edited["title"] as? String == "Hidden now")
            #expect(edited["categories"] as? [String] == ["Action", "Noir"])

            let bad = try await client.execute(uri: "/items/i1", method: .put, body: body(#"{"hidden": "yes"}"#))
            #expect(bad.status == .badRequest)
            #expect(try bad.errorMessage() == "malformed JSON: hidden must be true or false")
        }
    }

    @Test("unknown routes are 404, a known path with another method 405, both as JSON")
    func unknownRoutes() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let missing = try await client.execute(uri: "/nothing/here", method: .get)
            #expect(missing.status == .notFound)
            #expect(try missing.errorMessage() == "no route GET /nothing/here")
            let method = try await client.execute(uri: "/health", method: .post)
            #expect(method.status == .methodNotAllowed)
            #expect(method.headers[.allow] == "GET")
            #expect(try method.errorMessage() == "POST is not allowed on /health (allowed: GET)")
        }
    }

    @Test("the page is served at / and uses the API")
    func page() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            let r = try await client.execute(uri: "/", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: r.body)
            #expect(html.hasPrefix("<!doctype html>"))
            for path in ["/recommendations?count=10", "/ratings", "/items?count=12", "/similar?count=8", "/health"] {
                #expect(html.contains(path), "the page calls \(path)")
            }
        }
    }

    @Test("metrics: requests by route and status, ratings stored, model facts, in Prometheus text")
    func metrics() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service()) { client in
            _ = try await client.execute(uri: "/users/u1/recommendations", method: .get)
            _ = try await client.execute(uri: "/users/u2/recommendations", method: .get)
            _ = try await client.execute(uri: "/users/nobody/recommendations", method: .get)
            _ = try await client.execute(uri: "/users/new/ratings", method: .post, body: body(#"[{"item": "i1", "rating": 5}]"#))
            let r = try await client.execute(uri: "/metrics", method: .get)
            #expect(r.status == .ok)
            let text = String(buffer: r.body)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"http_requests_total{route="/users/{id}/recommendations",method="GET",status="200"} 2"#))
            #expect(lines.contains(#"http_requests_total{route="/users/{id}/recommendations",method="GET",status="404"} 1"#))
            #expect(lines.contains(#"http_request_duration_seconds_count{route="/users/{id}/recommendations",method="GET",status="200"} 2"#))
            #expect(lines.contains("latent_ratings_stored 1.0"))
            #expect(lines.contains("latent_model_items 10.0"))
            #expect(lines.contains("latent_folded_users 1.0"))
        }
    }
}
