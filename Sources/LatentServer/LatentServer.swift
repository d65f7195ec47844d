import Foundation
import Hummingbird
import Latent
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `latent serve`: a trained model over HTTP, ratings in SQLite.
public enum LatentServer {
    /// What `latent serve` is given.
    public struct Options: Sendable {
        /// The model file (`latent train --output`).
        public var modelPath: String
        /// The SQLite database (created if missing).
        public var databasePath: String
        /// The address to bind; loopback unless asked otherwise.
        public var host: String = "127.0.0.1"
        /// The port; 0 picks a free one.
        public var port: Int = 8080
        /// A MovieLens item file to seed the catalog with.
        public var itemsPath: String?
        /// A file holding the bearer token writes need.
        public var tokenPath: String?
        /// The largest request body, in bytes.
        public var bodyLimit: Int = 1 << 20
        /// The lowest level logged (`info` logs one line per request).
        public var logLevel: Logger.Level = .info

        /// Options from the required parts.
        public init(modelPath: String, databasePath: String) {
            self.modelPath = modelPath
            self.databasePath = databasePath
        }
    }

    /// Makes Swift concurrency run its tasks on the server's event loops (SwiftNIO's singleton group, which the server
    /// uses) instead of a thread pool of its own, so that a request is not handed from thread to thread between its
    /// socket and its handler. Call it once, from the main thread, before any task starts; false when the toolchain
    /// does not allow it (the tasks then stay on Swift's pool).
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// The token in `path`: its content without surrounding white space, which must not be empty.
    public static func readToken(_ path: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ServerSetupError("cannot read the token file \(path): \(error.localizedDescription)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw ServerSetupError("the token file \(path) must hold one token without spaces")
        }
        return token
    }

    /// The application of `service`: its router over the settings, on `host:port`, with a service that reloads the
    /// model on SIGHUP when `reloadOnHangup` is set.
    public static func application(service: RecommenderService, settings: ServerSettings, host: String = "127.0.0.1",
                                   port: Int = 8080, logger: Logger, reloadOnHangup: Bool = false,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let metrics = ServiceMetrics()
        metrics.update(from: service)
        let router = Routes.router(service: service, settings: settings, metrics: metrics, logger: logger)
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "latent"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        if reloadOnHangup { app.addServices(ReloadOnHangup(service: service, logger: logger)) }
        return app
    }

    /// Runs the service until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    public static func run(_ options: Options) async throws {
        var configured = Logger(label: "latent.serve")
        configured.logLevel = options.logLevel
        let logger = configured
        let catalog = try options.itemsPath.map { try ItemCatalog.read(URL(fileURLWithPath: $0)) }
        let service = try RecommenderService(modelPath: options.modelPath, databasePath: options.databasePath, catalog: catalog)
        let token = try options.tokenPath.map(readToken)
        let health = service.health()
        let journal = try service.store.journalMode()
        logger.notice("serving \(health.model) (\(health.users) users, \(health.items) items) from \(options.modelPath); \(health.ratingsStored) stored ratings in \(options.databasePath) (journal \(journal)); writes \(token == nil ? "open" : "need the bearer token")")
        let app = application(service: service, settings: ServerSettings(token: token, bodyLimit: options.bodyLimit),
                              host: options.host, port: options.port, logger: logger, reloadOnHangup: true,
                              onServerRunning: { port in logger.notice("listening on http://\(options.host):\(port)/") })
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// A setup problem of `latent serve` (a missing token file), with its message.
public struct ServerSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Reloads the model file on each SIGHUP until the service shuts down.
struct ReloadOnHangup: Service {
    let service: RecommenderService
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let h = try await service.reload()
                logger.notice("SIGHUP: reloaded \(h.model) from \(h.modelFile) (generation \(h.generation), \(h.foldedUsers) users folded in)")
            } catch {
                logger.error("SIGHUP: \(error)")
            }
        }
    }
}
