import Foundation
import HTTPTypes
import Hummingbird
import Latent
import Logging
import NIOCore

/// How the HTTP side of the service behaves.
public struct ServerSettings: Sendable {
    /// The bearer token writes need; nil leaves writes open.
    public var token: String?
    /// The largest request body accepted, in bytes (413 above it).
    public var bodyLimit: Int
    /// The largest `count` a list accepts.
    public var maxCount: Int

    /// Settings from their parts.
    public init(token: String? = nil, bodyLimit: Int = 1 << 20, maxCount: Int = 1000) {
        self.token = token
        self.bodyLimit = bodyLimit
        self.maxCount = maxCount
    }
}

/// The service's routes: every method and path the router answers, in the OpenAPI document's terms.
public enum Routes {
    /// (method, path) of every route; the OpenAPI document describes exactly these (a test checks it).
    public static let all: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/"),
        (.get, "/health"),
        (.get, "/metrics"),
        (.get, "/openapi.json"),
        (.get, "/users/{id}/recommendations"),
        (.get, "/users/{id}/similar"),
        (.get, "/users/{id}/ratings"),
        (.post, "/users/{id}/ratings"),
        (.delete, "/users/{id}/ratings/{item}"),
        (.get, "/items"),
        (.get, "/items/{id}"),
        (.put, "/items/{id}"),
        (.get, "/items/{id}/similar"),
        (.get, "/predict"),
        (.post, "/admin/reload"),
    ]

    /// The router of `service`: JSON errors, one log line and metrics per request, the bearer token on writes.
    public static func router(service: RecommenderService, settings: ServerSettings, metrics: ServiceMetrics,
                              logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestLogMiddleware(metrics: metrics, logger: logger))
        router.add(middleware: JSONErrorMiddleware())
        let auth = BearerToken(token: settings.token)
        let count = CountParser(maximum: settings.maxCount)

        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: Page.html)))
        }
        router.get("/health") { _, _ in try json(service.health()) }
        router.get("/metrics") { _, _ in
            metrics.update(from: service)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/users/{id}/recommendations") { request, context in
            let q = request.uri.queryParameters
            let report = try service.recommendations(
                user: try context.pathID("id"), count: try count.parse(q["count"]),
                allowed: q["allow"].map { idList(String($0)) }, denied: q.getAll("deny").flatMap { idList(String($0)) },
                category: q["category"].map { String($0) })
            return try json(report)
        }
        router.get("/users/{id}/similar") { request, context in
            let q = request.uri.queryParameters
            return try json(try service.similarUsers(to: try context.pathID("id"), count: try count.parse(q["count"]),
                                                     metric: try metric(q["metric"], default: .cosine)))
        }
        router.get("/users/{id}/ratings") { _, context in
            try json(service.ratings(of: try context.pathID("id")))
        }
        router.post("/users/{id}/ratings") { request, context in
            try auth.check(request)
            let user = try context.pathID("id")
            let body = try await request.body.collect(upTo: settings.bodyLimit)
            let entries = try decode([RatingInput].self, from: body)
            return try json(try await service.post(user: user, ratings: entries))
        }
        router.delete("/users/{id}/ratings/{item}") { request, context in
            try auth.check(request)
            return try json(try await service.deleteRating(user: try context.pathID("id"), item: try context.pathID("item")))
        }
        router.get("/items") { request, _ in
            let q = request.uri.queryParameters
            return try json(service.items(matching: q["query"].map { String($0) }, count: try count.parse(q["count"], default: 20)))
        }
        router.get("/items/{id}") { _, context in try json(try service.item(try context.pathID("id"))) }
        router.put("/items/{id}") { request, context in
            try auth.check(request)
            let id = try context.pathID("id")
            let body = try await request.body.collect(upTo: settings.bodyLimit)
            return try json(try await service.putItem(id, update: try decode(ItemUpdate.self, from: body)))
        }
        router.get("/items/{id}/similar") { request, context in
            let q = request.uri.queryParameters
            return try json(try service.similarItems(to: try context.pathID("id"), count: try count.parse(q["count"]),
                                                     metric: try metric(q["metric"], default: .euclidean)))
        }
        router.get("/predict") { request, _ in
            let q = request.uri.queryParameters
            guard let user = q["user"].map({ String($0) }), !user.isEmpty, let item = q["item"].map({ String($0) }), !item.isEmpty else {
                throw ServiceError.badRequest("give both query parameters 'user' and 'item'")
            }
            return try json(service.predict(user: user, item: item))
        }
        router.post("/admin/reload") { request, _ in
            try auth.check(request)
            return try json(try await service.reload())
        }
        return router
    }

    /// A comma-separated list of identifiers, empty entries dropped.
    static func idList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func metric(_ text: Substring?, default d: SimilarityMetric) throws -> SimilarityMetric {
        guard let text else { return d }
        guard let m = SimilarityMetric(rawValue: String(text)) else {
            throw ServiceError.badRequest("metric must be euclidean or cosine (got '\(text)')")
        }
        return m
    }
}

/// Parses `count=N`: an integer from 1 to a maximum.
struct CountParser: Sendable {
    var maximum: Int

    func parse(_ text: Substring?, default d: Int = 10) throws -> Int {
        guard let text else { return d }
        guard let n = Int(text), n >= 1, n <= maximum else {
            throw ServiceError.badRequest("count must be an integer from 1 to \(maximum) (got '\(text)')")
        }
        return n
    }
}

/// The bearer token writes need: 401 without an `Authorization: Bearer` header, 403 with a wrong token.
struct BearerToken: Sendable {
    var token: String?

    func check(_ request: Request) throws {
        guard let token else { return }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw ServiceError(.unauthorized, "this request changes data: send the header 'Authorization: Bearer TOKEN'")
        }
        guard Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), Array(token.utf8)) else {
            throw ServiceError(.forbidden, "the bearer token is wrong")
        }
    }

    /// Compares without stopping at the first difference, so the time taken does not tell how much matched.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for n in 0..<max(a.count, b.count) {
            difference |= (n < a.count ? a[n] : 0) ^ (n < b.count ? b[n] : 0)
        }
        return difference == 0
    }
}

extension BasicRequestContext {
    /// The path parameter `name`, percent-decoded.
    func pathID(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        if !raw.isEmpty, !raw.utf8.contains(UInt8(ascii: "%")) { return raw }
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw ServiceError.badRequest("bad identifier '\(raw)' in the path")
        }
        return id
    }
}

/// `value` as a JSON response with sorted keys.
func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return jsonResponse(ByteBuffer(bytes: data), status: status)
}

/// `value` as a JSON response, written by hand (the same bytes as the encoder's).
func json<T: Encodable & HandWrittenJSON>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    var text = JSONText()
    try value.writeJSON(to: &text)
    return jsonResponse(text.buffer, status: status)
}

private func jsonResponse(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
    Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
}

/// Decodes a request body, turning a decoding error into a 400 that says where the JSON is wrong.
func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
    do {
        return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    } catch let error as DecodingError {
        throw ServiceError.badRequest("malformed JSON: \(describe(error))")
    } catch {
        throw ServiceError.badRequest("malformed JSON: \(error)")
    }
}

/// A decoding error as one sentence naming the place (`[2].rating`).
func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        let p = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return p.isEmpty ? "the body" : (p.hasPrefix(".") ? String(p.dropFirst()) : p)
    }
    switch error {
    case let .keyNotFound(key, c): return "\(path(c.codingPath + [key])) is missing"
    case let .typeMismatch(type, c): return "\(path(c.codingPath)) must be \(typeName(type))"
    case let .valueNotFound(type, c): return "\(path(c.codingPath)) must be \(typeName(type)), not null"
    case let .dataCorrupted(c): return c.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "\(error)"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Double.Type, is Float.Type, is Int.Type: return "a number"
    case is Bool.Type: return "true or false"
    default:
        let name = "\(type)"
        return name.hasPrefix("Array") ? "an array" : (name.hasPrefix("Dictionary") ? "an object" : "a \(name)")
    }
}

/// Turns every error into a JSON response `{"error": "..."}` with its status: the service's own errors, Hummingbird's
/// (404 for an unknown route, 413 for a body over the limit), and anything else as 500.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServiceError {
            return try errorResponse(error.status, error.message)
        } catch let error as any HTTPResponseError {
            var message: String
            switch error.status {
            case .notFound: message = "no route \(request.method) \(request.uri.path)"
            case .contentTooLarge: message = "the request body is over the limit"
            default: message = error.status.reasonPhrase
            }
            if let e = error as? HTTPError, let m = e.body, error.status != .notFound { message = m }
            if error.status == .notFound, let allowed = Routes.methods(matching: request.uri.path), !allowed.contains(request.method) {
                var response = try errorResponse(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path) (allowed: \(allowed.map(\.rawValue).joined(separator: ", ")))")
                response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return response
            }
            return try errorResponse(error.status, message)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return try errorResponse(.internalServerError, "internal error: \(error)")
        }
    }

    private func errorResponse(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try json(ErrorReport(error: message), status: status)
    }
}

extension Routes {
    /// The methods of the routes whose pattern matches `path`, or nil when none does.
    static func methods(matching path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = all.filter { route in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: true)
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { p, s in p.hasPrefix("{") || p == s }
        }.map { $0.method }
        return methods.isEmpty ? nil : methods
    }
}
