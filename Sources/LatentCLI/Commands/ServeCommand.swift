import ArgumentParser
import Foundation
import Latent
import LatentServer
import Logging

/// `latent serve`: the model over HTTP (JSON API, web page), ratings stored in SQLite and folded in at once.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a trained model over HTTP: JSON API, web page at /, ratings stored in SQLite.",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. Ratings posted to /users/{id}/ratings are stored in --db \
            (SQLite, WAL) and folded into the model at once. SIGHUP or POST /admin/reload reads --model again; \
            SIGINT or SIGTERM stop the server after the requests in flight. The API is described at /openapi.json.

            Example: latent serve --model u1.latent --db latent.sqlite --items ml-100k/u.item --token-file token.txt
            """)

    @Option(help: "A model file written by `latent train`.") var model: String
    @Option(help: "The SQLite database of stored ratings and the catalog (created if missing).") var db: String
    @Option(help: "The address to bind.") var host = "127.0.0.1"
    @Option(help: "The port (0: any free port).") var port = 8080
    @Option(help: ArgumentHelp("Seed the catalog (titles, genres as categories) from MovieLens u.item, movies.csv or movies.dat.",
                               valueName: "file")) var items: String?
    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the bearer token that writes need (without it writes are open).",
                                                               valueName: "file")) var tokenFile: String?
    @Option(name: .customLong("body-limit"), help: "The largest request body, in bytes.") var bodyLimit = 1 << 20
    @Option(name: .customLong("log-level"), help: "trace, debug, info (one line per request), notice, warning, error.")
    var logLevel = "info"
    @Option(help: ArgumentHelp("Where request tasks run: event-loops (the server's threads, no hand-over per request) or swift (Swift's own thread pool).",
                               valueName: "event-loops|swift")) var executor = "event-loops"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard bodyLimit >= 1 else { throw ValidationError("--body-limit must be at least 1") }
        guard ["event-loops", "swift"].contains(executor) else {
            throw ValidationError("--executor must be event-loops or swift")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Runs the server on Swift's concurrency pool and waits for it here: the root command stays synchronous.
    func run() throws {
        let options = try serverOptions()
        let output = BufferedLogOutput.standardError
        LoggingSystem.bootstrap { label in BufferedLogHandler(label: label, output: output) }
        defer { output.flush() }
        if executor == "event-loops" { LatentServer.runTasksOnEventLoops() }
        let outcome = Locked<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await LatentServer.run(options) } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    func serverOptions() throws -> LatentServer.Options {
        var options = LatentServer.Options(modelPath: model, databasePath: db)
        options.host = host
        options.port = port
        options.itemsPath = items
        options.tokenPath = tokenFile
        options.bodyLimit = bodyLimit
        options.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return options
    }
}
