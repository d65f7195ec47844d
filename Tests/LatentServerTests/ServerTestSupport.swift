import Foundation
import Hummingbird
import HummingbirdTesting
import Latent
import Logging
import Testing
@testable import LatentServer

/// A small world for the service's tests: 24 users of two tastes over 10 items (users u1-u12 like items i1-i5 and
/// dislike i6-i10, users u13-u24 the reverse; each leaves out two items), a biased-mf model trained on it, titles and
/// genres for the items, and a fresh database file.
struct Fixture {
    let directory: URL
    let modelPath: String
    let databasePath: String
    let catalog: ItemCatalog
    let model: any Recommender

    init(seed: UInt64 = 7) throws {
        directory = Self.processFolder.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        modelPath = directory.appendingPathComponent("model.latent").path
        databasePath = directory.appendingPathComponent("store.sqlite").path
        model = try Self.train(seed: seed)
        try model.save(to: URL(fileURLWithPath: modelPath))
        var titles: [String: String] = [:]
        var genres: [String: [String]] = [:]
        for i in 1...10 {
            titles["i\(i)"] = "Movie \(i) (199\(i % 10))"
            genres["i\(i)"] = i <= 5 ? ["Romance"] : ["Action"]
        }
        titles["i11"] = "Not in the model (2001)"
        genres["i11"] = ["Drama"]
        catalog = ItemCatalog(titles: titles, genres: genres, genreNames: ["Action", "Drama", "Romance"])
    }

    /// One folder per test process for the fixtures' files, removed when the process exits.
    private static let processFolder: URL = {
        atexit { try? FileManager.default.removeItem(at: Fixture.processFolderPath) }
        return processFolderPath
    }()
    private static var processFolderPath: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("latent-server-tests-\(getpid())")
    }

    /// The two-taste ratings.
    static func ratings() -> RatingSet {
        var set = RatingSet()
        for u in 1...24 {
            let likesFirst = u <= 12
            for i in 1...10 where (i + u) % 5 != 0 {
                let liked = (i <= 5) == likesFirst
                set.append(user: "u\(u)", item: "i\(i)", value: Float(liked ? 4 + (u + i) % 2 : 1 + (u + i) % 2))
            }
        }
        return set
    }

    /// biased-mf with 3 factors on the two-taste ratings, scale 1 to 5.
    static func train(seed: UInt64, factors: Int = 3) throws -> any Recommender {
        let descriptor = try ModelRegistry.descriptor(named: "biased-mf")
        let h = Hyperparameters(["factors": "\(factors)", "epochs": "60"])
        return try descriptor.fit(RatingMatrix(ratings()), hyperparameters: h,
                                  context: TrainingContext(seed: seed, threads: 1, ratingScale: 1...5))
    }

    /// A service over the fixture's model and database.
    func service() throws -> RecommenderService {
        try RecommenderService(modelPath: modelPath, databasePath: databasePath, catalog: catalog)
    }

    /// Runs `body` against the application of `service` through Hummingbird's in-process router client.
    func withApp<T: Sendable>(_ service: RecommenderService, settings: ServerSettings = ServerSettings(),
                              _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        var logger = Logger(label: "latent.test")
        logger.logLevel = .warning
        let app = LatentServer.application(service: service, settings: settings, logger: logger)
        return try await app.test(.router, body)
    }
}

/// A JSON body.
func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension TestResponse {
    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8))
        return try #require(value as? [String: Any], "a JSON object: \(String(buffer: body))")
    }

    /// The `error` message of an error body.
    func errorMessage() throws -> String {
        try #require(try object()["error"] as? String)
    }

    /// The `item` of each entry of `items`.
    func itemIDs() throws -> [String] {
        try #require(try object()["items"] as? [[String: Any]]).compactMap { $0["item"] as? String }
    }
}

/// Headers with the bearer token.
func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
