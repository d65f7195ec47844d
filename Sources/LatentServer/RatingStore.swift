import Foundation
import GRDB

/// One stored rating (or interaction weight) of an item by a user.
public struct StoredRating: Sendable, Equatable {
    /// The user's identifier.
    public var user: String
    /// The item's identifier.
    public var item: String
    /// The rating, or the interaction's weight for ranking models.
    public var value: Float
    /// When it was stored, in seconds since 1970.
    public var time: Double

    /// A stored rating from its parts.
    public init(user: String, item: String, value: Float, time: Double) {
        self.user = user
        self.item = item
        self.value = value
        self.time = time
    }
}

/// One catalog entry: an item's title, categories and whether it is hidden from recommendations.
public struct CatalogItem: Sendable, Equatable {
    /// The item's identifier.
    public var id: String
    /// Its title, if known.
    public var title: String?
    /// Its categories (MovieLens genres when seeded from an item file), sorted.
    public var categories: [String]
    /// Hidden items are never recommended.
    public var hidden: Bool

    /// A catalog entry from its parts.
    public init(id: String, title: String?, categories: [String] = [], hidden: Bool = false) {
        self.id = id
        self.title = title
        self.categories = categories
        self.hidden = hidden
    }
}

/// The service's database: ratings posted to the service and the item catalog, in SQLite through GRDB.
///
/// The file is opened in WAL mode (a `DatabasePool`: readers never wait for the writer) with `synchronous = FULL`, so
/// a transaction that returned has reached the disk and survives `kill -9` of the server (and a power cut). The
/// schema is created and upgraded by a `DatabaseMigrator`; writes are serialized by the pool's single writer.
public final class RatingStore: Sendable {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// The schema's migrations, in order; a database made by an older version is upgraded on open.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: ratings and catalog") { db in
            try db.execute(sql: """
                CREATE TABLE rating (
                    user TEXT NOT NULL,
                    item TEXT NOT NULL,
                    value REAL NOT NULL,
                    time REAL NOT NULL,
                    PRIMARY KEY (user, item)
                ) WITHOUT ROWID;
                CREATE TABLE item (
                    id TEXT NOT NULL PRIMARY KEY,
                    title TEXT,
                    hidden INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                CREATE TABLE item_category (
                    item TEXT NOT NULL REFERENCES item(id) ON DELETE CASCADE,
                    category TEXT NOT NULL,
                    PRIMARY KEY (item, category)
                ) WITHOUT ROWID;
                """)
        }
        return m
    }

    /// The journal mode SQLite reports (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Ratings

    /// Stores `ratings` of `user` in one transaction: all of them or, on any error, none. A rating of an item the user
    /// already rated replaces it.
    public func store(user: String, ratings: [(item: String, value: Float)], time: Double = Date().timeIntervalSince1970) async throws {
        let rows = ratings.map { (item: $0.item, value: Double($0.value)) }
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO rating (user, item, value, time) VALUES (?, ?, ?, ?)")
            for r in rows { try statement.execute(arguments: [user, r.item, r.value, time]) }
        }
    }

    /// Deletes the stored rating of `item` by `user`; false when there was none.
    public func delete(user: String, item: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM rating WHERE user = ? AND item = ?", arguments: [user, item])
            return db.changesCount > 0
        }
    }

    /// The stored ratings of `user`, oldest first.
    public func ratings(of user: String) async throws -> [StoredRating] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user, item, value, time FROM rating WHERE user = ? ORDER BY time, item",
                             arguments: [user]).map(Self.rating)
        }
    }

    /// Every stored rating, by user then time.
    public func allRatings() throws -> [StoredRating] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user, item, value, time FROM rating ORDER BY user, time, item").map(Self.rating)
        }
    }

    /// The number of stored ratings.
    public func ratingCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rating") ?? 0 }
    }

    private static func rating(_ row: Row) -> StoredRating {
        StoredRating(user: row["user"], item: row["item"], value: Float(row["value"] as Double), time: row["time"])
    }

    // MARK: Catalog

    /// Adds the items of `catalog` that the database does not hold yet; entries edited through the service are kept.
    /// Returns how many were added.
    @discardableResult
    public func seed(_ items: [CatalogItem]) throws -> Int {
        try pool.write { db in
            let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") ?? 0
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO item (id, title, hidden) VALUES (?, ?, ?)")
            let category = try db.cachedStatement(sql: "INSERT OR IGNORE INTO item_category (item, category) VALUES (?, ?)")
            for item in items {
                try insert.execute(arguments: [item.id, item.title, item.hidden])
                if db.changesCount > 0 {
                    for c in item.categories { try category.execute(arguments: [item.id, c]) }
                }
            }
            return (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") ?? 0) - before
        }
    }

    /// Creates or replaces the catalog entry `item.id`, in one transaction.
    public func put(_ item: CatalogItem) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO item (id, title, hidden) VALUES (?, ?, ?)",
                           arguments: [item.id, item.title, item.hidden])
            try db.execute(sql: "DELETE FROM item_category WHERE item = ?", arguments: [item.id])
            for c in item.categories {
                try db.execute(sql: "INSERT OR IGNORE INTO item_category (item, category) VALUES (?, ?)", arguments: [item.id, c])
            }
        }
    }

    /// The whole catalog, by identifier.
    public func catalog() throws -> [String: CatalogItem] {
        try pool.read { db in
            var items: [String: CatalogItem] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, title, hidden FROM item") {
                let id: String = row["id"]
                items[id] = CatalogItem(id: id, title: row["title"], categories: [], hidden: row["hidden"])
            }
            for row in try Row.fetchAll(db, sql: "SELECT item, category FROM item_category ORDER BY item, category") {
                let id: String = row["item"]
                items[id]?.categories.append(row["category"])
            }
            return items
        }
    }
}
