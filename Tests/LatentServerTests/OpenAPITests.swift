import Foundation
import Hummingbird
import HummingbirdTesting
import Latent
import Testing
@testable import LatentServer

/// Keeps `/openapi.json` true: it names exactly the routes the router answers, and every response the service sends
/// to a request of each operation (successes and errors) has a documented status and fits the documented schema.
@Suite("OpenAPI document")
struct OpenAPITests {
    /// One request per documented operation and status, as (method, path pattern, uri, body, expected status).
    static let exercises: [(HTTPRequest.Method, String, String, String?, Int)] = [
        (.get, "/", "/", nil, 200),
        (.get, "/health", "/health", nil, 200),
        (.get, "/metrics", "/metrics", nil, 200),
        (.get, "/openapi.json", "/openapi.json", nil, 200),
        (.get, "/users/{id}/recommendations", "/users/u1/recommendations?count=2", nil, 200),
        (.get, "/users/{id}/recommendations", "/users/u1/recommendations?count=0", nil, 400),
        (.get, "/users/{id}/recommendations", "/users/zz/recommendations", nil, 404),
        (.get, "/users/{id}/similar", "/users/u1/similar?count=2", nil, 200),
        (.get, "/users/{id}/similar", "/users/u1/similar?metric=x", nil, 400),
        (.get, "/users/{id}/similar", "/users/zz/similar", nil, 404),
        (.get, "/users/{id}/ratings", "/users/u1/ratings", nil, 200),
        (.post, "/users/{id}/ratings", "/users/w/ratings", #"[{"item": "i1", "rating": 4}]"#, 200),
        (.post, "/users/{id}/ratings", "/users/w/ratings", "[", 400),
        (.post, "/users/{id}/ratings", "/users/w/ratings", #"[{"item": "nope", "rating": 4}]"#, 404),
        (.post, "/users/{id}/ratings", "/users/w/ratings", String(repeating: " ", count: 5000), 413),
        (.post, "/users/{id}/ratings", "/users/w/ratings", #"[{"item": "i1", "rating": 9}]"#, 422),
        (.get, "/users/{id}/ratings", "/users/w/ratings", nil, 200),
        (.delete, "/users/{id}/ratings/{item}", "/users/w/ratings/i1", nil, 200),
        (.delete, "/users/{id}/ratings/{item}", "/users/w/ratings/i1", nil, 404),
        (.get, "/items", "/items?query=movie", nil, 200),
        (.get, "/items", "/items?count=none", nil, 400),
        (.get, "/items/{id}", "/items/i1", nil, 200),
        (.get, "/items/{id}", "/items/i404", nil, 404),
        (.put, "/items/{id}", "/items/i12", #"{"title": "New", "categories": ["Drama"]}"#, 200),
        (.put, "/items/{id}", "/items/i12", #"{"title": 3}"#, 400),
        (.put, "/items/{id}", "/items/i12", #"{"categories": [" "]}"#, 422),
        (.get, "/items/{id}/similar", "/items/i1/similar?count=3", nil, 200),
        (.get, "/items/{id}/similar", "/items/i1/similar?count=x", nil, 400),
        (.get, "/items/{id}/similar", "/items/i404/similar", nil, 404),
        (.get, "/predict", "/predict?user=u1&item=i2", nil, 200),
        (.get, "/predict", "/predict", nil, 400),
        (.post, "/admin/reload", "/admin/reload", nil, 200),
    ]

    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    @Test("the document names exactly the router's routes, and every $ref resolves")
    func routes() throws {
        let doc = try Self.document()
        #expect(doc["openapi"] as? String == "3.0.3")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
        let routed = Set(Routes.all.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == routed)
        #expect(Set(Self.exercises.map { "\($0.0.rawValue) \($0.1)" }) == routed, "every route is exercised below")

        var refs: [String] = []
        func collect(_ value: Any) {
            if let o = value as? [String: Any] {
                if let r = o["$ref"] as? String { refs.append(r) }
                o.values.forEach(collect)
            } else if let a = value as? [Any] {
                a.forEach(collect)
            }
        }
        collect(doc)
        #expect(!refs.isEmpty)
        for ref in refs { #expect(try resolve(ref, in: doc) != nil, "\(ref)") }
    }

    @Test("every response to each operation has a documented status and fits the documented schema")
    func responsesFitTheSchemas() async throws {
        let f = try Fixture()
        try await f.withApp(try f.service(), settings: ServerSettings(bodyLimit: 4096)) { client in
            let doc = try Self.document()
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            for (method, pattern, uri, text, expected) in Self.exercises {
                let r = try await client.execute(uri: uri, method: method, body: text.map(body))
                let where_ = "\(method) \(uri)"
                #expect(r.status.code == expected, "\(where_): \(String(buffer: r.body))")
                let operation = try #require(paths[pattern]?[method.rawValue.lowercased()] as? [String: Any], "\(where_)")
                let responses = try #require(operation["responses"] as? [String: Any])
                guard var response = responses[String(r.status.code)] as? [String: Any] else {
                    Issue.record("\(where_): status \(r.status.code) is not documented")
                    continue
                }
                if let ref = response["$ref"] as? String { response = try #require(try resolve(ref, in: doc) as? [String: Any]) }
                let content = try #require(response["content"] as? [String: [String: Any]], "\(where_)")
                let type = try #require(r.headers[.contentType]).split(separator: ";")[0]
                let media = try #require(content[String(type)], "\(where_): content type \(type) is not documented")
                guard type == "application/json" else { continue }
                let value = try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: r.body).utf8))
                let problems = check(value, against: try #require(media["schema"]), in: doc, at: "body")
                #expect(problems.isEmpty, "\(where_): \(problems)")
            }
        }
    }

    /// The problems of `value` against a JSON schema (the subset the document uses: $ref, type, properties,
    /// required, items, enum); properties not documented are problems too.
    func check(_ value: JSONValue, against schema: Any, in doc: [String: Any], at path: String) -> [String] {
        guard var s = schema as? [String: Any] else { return ["\(path): bad schema"] }
        if let ref = s["$ref"] as? String {
            guard let resolved = (try? resolve(ref, in: doc)) as? [String: Any] else { return ["\(path): unresolved \(ref)"] }
            s = resolved
        }
        let type = s["type"] as? String
        switch (type, value) {
        case let ("object", .object(o)):
            var problems: [String] = []
            for key in s["required"] as? [String] ?? [] where o[key] == nil { problems.append("\(path).\(key) is missing") }
            guard let properties = s["properties"] as? [String: Any] else { return problems }
            for (key, v) in o {
                guard let p = properties[key] else { problems.append("\(path).\(key) is not documented"); continue }
                problems += check(v, against: p, in: doc, at: "\(path).\(key)")
            }
            return problems
        case let ("array", .array(a)):
            guard let items = s["items"] else { return [] }
            return a.enumerated().flatMap { n, v in check(v, against: items, in: doc, at: "\(path)[\(n)]") }
        case let ("string", .string(v)):
            if let allowed = s["enum"] as? [String], !allowed.contains(v) { return ["\(path): \(v) is not one of \(allowed)"] }
            return []
        case ("number", .number), ("boolean", .bool), (nil, _):
            return []
        case let ("integer", .number(x)):
            return x == x.rounded() ? [] : ["\(path): \(x) is not an integer"]
        default:
            return ["\(path): \(value) is not of type \(type ?? "?")"]
        }
    }

    /// The object a local `$ref` (`#/components/schemas/X`) points to.
    func resolve(_ ref: String, in doc: [String: Any]) throws -> Any? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any? = doc
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
        return node
    }
}

/// A JSON value, decoded strictly (a number is never a boolean).
indirect enum JSONValue: Decodable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return "\(b)"
        case let .number(x): return "\(x)"
        case let .string(s): return "'\(s)'"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
