import HTTPTypes

/// An error the service answers with: an HTTP status and a message, sent as `{"error": "..."}`.
public struct ServiceError: Error, Equatable, CustomStringConvertible {
    /// The status of the response.
    public var status: HTTPResponse.Status
    /// What went wrong, for the client.
    public var message: String

    /// An error from its parts.
    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    /// 400: the request cannot be read (malformed JSON, a bad query parameter).
    static func badRequest(_ message: String) -> ServiceError { ServiceError(.badRequest, message) }
    /// 404: no such user, item or route.
    static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, message) }
    /// 422: well-formed but not acceptable (a rating outside the model's scale).
    static func unprocessable(_ message: String) -> ServiceError { ServiceError(.unprocessableContent, message) }
}
