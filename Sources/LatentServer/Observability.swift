import Foundation
import Hummingbird
import Latent
import Logging
import Metrics
import Prometheus

/// The service's metrics, in its own Prometheus registry (so that several services in one process, as in tests, do not
/// share counts), recorded through swift-metrics: requests and their latency by route, method and status; ratings
/// stored; the model's facts.
public final class ServiceMetrics: Sendable {
    /// The registry `GET /metrics` prints.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    // swift-metrics unregisters a metric when its object goes away: keep one per label set.
    private let perRoute = Locked<[RouteKey: (requests: Metrics.Counter, latency: Metrics.Timer)]>([:])
    private let ratingsStored: Metrics.Gauge
    private let modelUsers: Metrics.Gauge
    private let modelItems: Metrics.Gauge
    private let foldedUsers: Metrics.Gauge
    private let generation: Metrics.Gauge

    /// Metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var f = PrometheusMetricsFactory(registry: registry)
        f.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        ]
        factory = f
        ratingsStored = Metrics.Gauge(label: "latent_ratings_stored", factory: f)
        modelUsers = Metrics.Gauge(label: "latent_model_users", factory: f)
        modelItems = Metrics.Gauge(label: "latent_model_items", factory: f)
        foldedUsers = Metrics.Gauge(label: "latent_folded_users", factory: f)
        generation = Metrics.Gauge(label: "latent_model_generation", factory: f)
    }

    /// The labels of one request's metrics.
    private struct RouteKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Counts one request and records its latency.
    func record(route: String, method: String, status: Int, nanoseconds: Int64) {
        let key = RouteKey(route: route, method: method, status: status)
        let entry = perRoute.withLock { table in
            if let existing = table[key] { return existing }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (requests: Metrics.Counter(label: "http_requests_total", dimensions: dimensions, factory: factory),
                        latency: Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: factory))
            table[key] = made
            return made
        }
        entry.requests.increment()
        entry.latency.recordNanoseconds(nanoseconds)
    }

    /// Sets the gauges from the service's current state.
    func update(from service: RecommenderService) {
        let s = service.snapshot
        ratingsStored.record(s.storedCount)
        modelUsers.record(s.model.domain.users.count)
        modelItems.record(s.model.domain.items.count)
        foldedUsers.record(s.folded.count)
        generation.record(s.generation)
    }
}

/// Logs one line per request (method, path, status, milliseconds) and records its metrics under the route's pattern
/// (`/users/{id}/recommendations`), so that the label set stays small.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServiceMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let c = start.duration(to: .now).components
            let nanoseconds = c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
            let route = context.endpointPath ?? "unmatched"
            metrics.record(route: route == "NotFound" ? "unmatched" : route, method: request.method.rawValue,
                           status: status, nanoseconds: nanoseconds)
            if logger.logLevel <= .info {
                logger.info("\(request.method) \(request.uri) \(status) \(Self.milliseconds(nanoseconds)) ms")
            }
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }

    /// `nanoseconds` in milliseconds with two decimals (`0.05`, `12.30`), rounded half up.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let hundredths = (max(0, nanoseconds) + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
